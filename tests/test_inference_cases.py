"""Runbooks as people write them, each shape once: what inference must make of it.

These came from a review that wrote runbooks against the parser; each test names the mistake
it guards against.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from support.graphs import commands, node

from interpreter.infer.load import load_text
from interpreter.plan.graph import graph_json


def graph(markdown: str) -> dict[str, Any]:
    return graph_json(load_text(textwrap.dedent(markdown).lstrip(), "case.md"))


def first_unit(markdown: str) -> dict[str, Any]:
    data = graph(markdown)
    return [*data["procedures"], *data["sections"]][0]


def test_a_harmless_block_cannot_clear_a_destructive_one() -> None:
    unit = first_unit("""
        ## Procedure 1: Reset
        1. **Reset then log**
           ```bash
           git reset --hard v1.2.3
           ```
           ```bash {destructive=false}
           echo done
           ```
        """)
    assert node(unit, "1.1")["flags"]["destructive"] and node(unit, "1.1")["flags"]["confirm"] == "typed"


@pytest.mark.parametrize(
    "shape",
    [
        """
    ## Procedure 1: Revert
    1. **Revert the deploy**
       - **Option A: reset**
         ```bash
         git reset --hard v1.2.3
         ```
       - **Option B: revert**
         ```bash
         git revert --no-edit HEAD
         ```
    """,
        """
    ## Procedure 1: Revert
    ### Step 1: Revert the deploy
    #### Option A: Reset
    ```bash
    git reset --hard v1.2.3
    ```
    #### Option B: Revert
    ```bash
    git revert --no-edit HEAD
    ```
    """,
    ],
)
def test_options_as_bullets_or_headings_never_run_together(shape: str) -> None:
    unit = first_unit(shape)
    choice = node(unit, "1.1")
    assert choice["kind"] == "choice" and [b["key"] for b in choice["choice"]["branches"]] == ["a", "b"]
    assert commands(node(unit, "1.1.a")) == ["git reset --hard v1.2.3"]
    assert commands(node(unit, "1.1.b")) == ["git revert --no-edit HEAD"]


def test_commands_before_option_comments_run_once_with_true_lines() -> None:
    unit = first_unit("""
        ## Procedure 1: Revert
        1. **Revert**
           ```bash
           cd /srv/app

           # Option A: reset
           git reset --hard origin/stable

           # Option B: revert
           git revert --no-edit HEAD
           ```
        """)
    choice = node(unit, "1.1")
    assert [(c["text"], c["span"]["start"]) for b in choice["blocks"] for c in b["commands"]] == [
        ("cd /srv/app", 4)
    ]
    assert [(c["text"], c["span"]["start"]) for c in node(unit, "1.1.a")["blocks"][0]["commands"]] == [
        ("git reset --hard origin/stable", 7)
    ]


def test_or_comment_splits_a_block_into_alternatives() -> None:
    unit = first_unit("""
        ## Procedure 1: Back up
        1. **Database snapshot**
           ```bash
           # PostgreSQL backup
           pg_dump app > app.sql

           # Or managed backup
           render pg-backup app-db
           ```
        """)
    choice = node(unit, "1.1")
    assert [(b["key"], b["title"]) for b in choice["choice"]["branches"]] == [
        ("1", "PostgreSQL backup"),
        ("2", "Or managed backup"),
    ]


def test_sub_sections_are_never_lost() -> None:
    unit = first_unit("""
        ## Procedure 1: Rotate credentials
        1. **Generate new key**
           ```bash
           aws iam create-access-key --user-name deploy
           ```
        ### How to verify
        - Log in with the new key.
        """)
    assert [n["id"] for n in unit["nodes"]] == ["1.1", "1.how-to-verify"]
    assert node(unit, "1.how-to-verify")["flags"]["manual"]


def test_a_runbook_title_is_not_a_procedure_and_numbers_hold() -> None:
    data = graph("""
        # Runbook: Payments API
        ## Procedure 1: Restart
        1. **Restart**
           ```bash
           kubectl rollout restart deploy/payments
           ```
        ## Procedure 1: Purge
        1. **Purge**
           ```bash
           redis-cli DEL payments:queue
           ```
        """)
    assert [(p["number"], p["title"]) for p in data["procedures"]] == [(1, "Restart"), (2, "Purge")]
    assert [f["rule"] for f in data["findings"]] == ["structure/duplicate-procedure-number"]


def test_lazy_numbering_counts_from_the_start() -> None:
    unit = first_unit("""
        ## Procedure 1: Restart
        1. **Drain**
           ```bash
           ./drain.sh
           ```
        1. **Restart**
           ```bash
           systemctl restart web
           ```
        """)
    assert [n["id"] for n in unit["nodes"]] == ["1.1", "1.2"]


def test_numbered_headings_are_steps() -> None:
    unit = first_unit("""
        ## Renew the certificate
        ### 1. Check expiry
        ```bash
        openssl x509 -enddate -noout -in /etc/ssl/cert.pem
        ```
        ### 2. Reload
        ```bash
        systemctl reload nginx
        ```
        """)
    assert [(n["id"], n["title"]) for n in unit["nodes"]] == [("1.1", "Check expiry"), ("1.2", "Reload")]


def test_annotations_above_headings_and_blocks_apply() -> None:
    unit = first_unit("""
        ## Procedure: Failover
        ### Step 1: Check
        ```bash
        pg_isready
        ```
        <!-- runbook: {optional: true, when: "replica exists"} -->
        ### Step 2: Promote
        ```bash
        pg_ctl promote
        ```
        ### Step 3: Vacuum
        <!-- runbook: {optional: true, timeout: 600} -->
        ```bash
        vacuumdb --all
        ```
        """)
    assert node(unit, "1.2")["flags"]["optional"] and node(unit, "1.2")["flags"]["when"] == "replica exists"
    assert node(unit, "1.3")["flags"]["optional"] and node(unit, "1.3")["flags"]["timeout"] == 600
    assert not node(unit, "1.1")["flags"]["optional"]


def test_a_fence_in_a_quote_is_closed_and_kept() -> None:
    data = graph("""
        ## Procedure 1: Careful
        1. **Wipe cache**
           > [!CAUTION]
           > ```bash
           > rm -rf /var/cache/app
           > ```
        """)
    assert not [f for f in data["findings"] if f["severity"] == "error"]
    assert commands(node(data["procedures"][0], "1.1")) == ["rm -rf /var/cache/app"]


def test_a_rule_ends_the_last_step() -> None:
    unit = first_unit("""
        ## Procedure 1: One
        1. **Only step**
           ```bash
           true
           ```

        ---

        Closing words.
        """)
    assert node(unit, "1.1")["span"] == {"file": "case.md", "start": 2, "end": 5}


def test_unclosed_runbook_comment_is_an_error() -> None:
    data = graph("""
        ## Procedure 1: One
        <!-- runbook: {optional: true}
        1. **Step**
        """)
    assert [f["rule"] for f in data["findings"] if f["severity"] == "error"] == ["structure/unclosed-comment"]


def test_variables_set_in_one_block_are_not_inputs_in_the_next() -> None:
    unit = first_unit("""
        ## Procedure 1: Tag
        1. **Pick and use**
           ```bash
           read -r -p "Tag: " TAG
           export A=1 B=2
           ```
           ```bash
           echo "$TAG $A $B"
           while read -r line; do echo "$line"; done < list.txt
           ```
        """)
    step = node(unit, "1.1")
    assert step["uses"] == [] and set(step["sets"]) == {"TAG", "A", "B", "line"}


def test_console_blocks_with_root_prompts() -> None:
    unit = first_unit("""
        ## Procedure 1: Clean
        1. **Clean the cache**
           ```console
           # rm -rf /tmp/cache
           # systemctl restart app
           ```
        """)
    assert commands(node(unit, "1.1")) == ["rm -rf /tmp/cache", "systemctl restart app"]
    assert node(unit, "1.1")["flags"]["destructive"]


def test_a_stray_apostrophe_opens_a_string_to_the_end_of_the_block() -> None:
    # As bash reads it the quote never closes, so bash would refuse the block: it is shown for the
    # operator to fix, not run. (`python tests/bench` times this shape.)
    unit = first_unit("""
        ## Procedure 1: Quote
        1. **Quote**
           ```bash
           echo don't
           echo after
           ```
        """)
    step = node(unit, "1.1")
    assert commands(step) == [] and step["flags"]["manual"]
    assert step["blocks"][0]["code"] == "echo don't\necho after\n"


def test_words_that_are_not_warnings() -> None:
    unit = first_unit("""
        ## Procedure 1: Safe
        1. **Reinstall (non-destructive)**
           Look for warning lines in the log.
           ```bash
           pip install --force-reinstall app
           certbot renew --force-renewal
           ```
        """)
    assert not node(unit, "1.1")["flags"]["destructive"]


def test_no_steps_is_a_warning_and_version_keeps_its_text() -> None:
    data = graph("""
        ---
        version: 1.10
        ---
        ## Procedure 1: Empty
        Nothing here yet.
        """)
    assert [f["rule"] for f in data["findings"]] == ["structure/no-steps"]
    assert data["runbook"]["metadata"]["version"] == "1.10"
