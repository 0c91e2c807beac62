"""The risk policy end to end: `runbook run --yes` refuses destructive steps, `validate` reports
them, nothing written in a runbook lowers a typed confirmation, and a warning above a unit covers it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.runs import run, write

from interpreter.cli import main

REFUSED = "unanswered question 1.1:confirm: 1.1 is destructive"


def _rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM risk_t").fetchone()
        return int(row[0]) if row else -1


def _validate(path: Path) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(path)])
    [report] = json.loads(result.stdout)["files"]
    return result.exit_code, report["findings"]


@pytest.mark.parametrize(
    "command",
    ["kubectl -n prod delete pod web-0", "curl -fsSL https://get.example.invalid/install | sudo bash"],
)
def test_run_yes_refuses_a_destructive_shell_step(tmp_path: Path, command: str) -> None:
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Fix
        1. **Act**
           ```bash
           touch ran && {command}
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 2
    assert REFUSED in result.stderr and "--yes --allow-destructive" in result.stderr
    assert not (tmp_path / "ran").exists()


def test_a_capitalised_fence_is_read_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Wipe
        1. **Wipe**
           ```Bash
           rm -f -r data
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 2 and REFUSED in result.stderr
    assert (tmp_path / "data").exists()


def test_run_yes_refuses_delete_where_true_until_destruction_is_allowed(
    tmp_path: Path,
    database: str,
) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            "DROP TABLE IF EXISTS risk_t; CREATE TABLE risk_t (id int); INSERT INTO risk_t VALUES (1), (2)"
        )
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Purge
        1. **Purge the table**
           ```sql
           DELETE FROM risk_t WHERE true;
           ```
        """,
    )
    refused = run(tmp_path, str(rb), "-p", "1", "--yes", "--db", database)
    assert refused.exit_code == 2 and REFUSED in refused.stderr
    assert _rows(database) == 2
    allowed = run(tmp_path, str(rb), "-p", "1", "--yes", "--allow-destructive", "--db", database)
    assert allowed.exit_code == 0, allowed.output
    assert _rows(database) == 0


def test_validate_reports_each_unwarned_destructive_form(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ---
        owner: platform
        review_by: 2099-01-01
        ---
        # Fixes

        ## Procedure 1: Fix
        1. **Delete the pod**
           ```bash
           kubectl -n prod delete pod web-0
           ```
        2. **Install the agent**
           ```bash
           curl -fsSL https://get.example.invalid/install | sudo bash
           ```
        3. **Purge**
           ```sql
           DELETE FROM risk_t WHERE true;
           ```
        """,
    )
    code, findings = _validate(rb)
    unwarned = [(f["line"], f["message"]) for f in findings if f["rule"] == "safety/unwarned-destructive"]
    assert code == 0  # a warning: the run asks for the typed word either way
    assert [line for line, _ in unwarned] == [10, 14, 18]
    assert "kubectl delete removes cluster objects" in unwarned[0][1]
    assert "cannot be analysed: piping the output of curl into bash" in unwarned[1][1]
    assert "DELETE with a WHERE that is always true" in unwarned[2][1]


WEAKENING = [
    ("<!-- runbook: {confirm: none} -->\n", "bash", "confirm: none"),
    ('<!-- runbook: {confirm: "yes"} -->\n', "bash", "confirm: yes"),
    ("<!-- runbook: {destructive: false} -->\n", "bash", "destructive: false"),
    ("", "bash {confirm=none}", "confirm: none"),
    ("", "bash {destructive=false}", "destructive: false"),
]


@pytest.mark.parametrize(("comment", "fence", "asked"), WEAKENING, ids=[w[2] + " " + w[1] for w in WEAKENING])
def test_no_annotation_lowers_a_destructive_step(
    tmp_path: Path, comment: str, fence: str, asked: str
) -> None:
    (tmp_path / "data").mkdir()
    body = (
        "---\nowner: platform\nreview_by: 2099-01-01\n---\n# Cache\n\n## Procedure 1: Wipe\n\n"
        f"{comment}1. **Wipe the data**\n\n   WARNING: this deletes the data.\n\n"
        f"   ```{fence}\n   rm -rf data\n   ```\n"
    )
    rb = tmp_path / "rb.md"
    rb.write_text(body, "utf-8")
    graph = CliRunner().invoke(main, ["parse", "--json", str(rb)])
    [step] = [n for n in json.loads(graph.stdout)["procedures"][0]["nodes"] if n["id"] == "1.1"]
    assert step["flags"]["destructive"] and step["flags"]["confirm"] == "typed"
    for mode in ([], ["--yes"]):
        refused = run(tmp_path, str(rb), "-p", "1", *mode)
        assert refused.exit_code == 2 and REFUSED in refused.stderr, refused.output
        assert (tmp_path / "data").exists()
    code, findings = _validate(rb)
    assert code == 1
    assert [(f["rule"], asked in str(f["message"])) for f in findings] == [
        ("annotations/weakens-safety", True)
    ]
    allowed = run(tmp_path, str(rb), "-p", "1", "--yes", "--allow-destructive")
    assert allowed.exit_code == 0, allowed.output
    assert not (tmp_path / "data").exists()


def test_an_annotation_may_raise_a_plain_step_to_a_typed_word(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Careful
        1. **Say hello**
           ```bash {confirm=typed}
           touch ran
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 2 and "1.1:confirm" in result.stderr
    assert not (tmp_path / "ran").exists()


ABOVE = {
    "document risk": "**Risk**: HIGH - every cache is lost\n\n## Procedure 1: Web\n",
    "warning heading": "## WARNING: everything below deletes data\n\n### Procedure 1: Web\n",
    "caution note": "> [!CAUTION]\n> Every step here deletes data.\n\n## Procedure 1: Web\n",
    "destructive note": "This whole page is destructive: read it twice.\n\n## Procedure 1: Web\n",
}


@pytest.mark.parametrize("shape", sorted(ABOVE))
def test_a_warning_above_the_units_makes_every_step_below_destructive(tmp_path: Path, shape: str) -> None:
    level = "###" if shape == "warning heading" else "##"
    body = (
        f"# Caches\n\n{ABOVE[shape]}\n1. **Clear**\n   ```bash\n   touch web\n   ```\n\n"
        f"{level} Procedure 2: API\n\n1. **Clear**\n   ```bash\n   touch api\n   ```\n"
    )
    rb = tmp_path / "rb.md"
    rb.write_text(body, "utf-8")
    graph = json.loads(CliRunner().invoke(main, ["parse", "--json", str(rb)]).stdout)
    flags = [n["flags"] for p in graph["procedures"] for n in p["nodes"] if n["kind"] == "step"]
    assert len(flags) == 2 and all(f["destructive"] and f["confirm"] == "typed" for f in flags)
    refused = run(tmp_path, str(rb), "-p", "2", "--yes")
    assert refused.exit_code == 2 and "2.1:confirm" in refused.stderr
    assert not (tmp_path / "api").exists()


def test_a_warning_inside_one_unit_does_not_spread_to_the_next(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        # Caches

        ## Procedure 1: Web

        WARNING: this one deletes data.

        1. **Clear**
           ```bash
           touch web
           ```

        ## Procedure 2: API

        1. **Look**
           ```bash
           touch api
           ```
        """,
    )
    graph = json.loads(CliRunner().invoke(main, ["parse", "--json", str(rb)]).stdout)
    [[first], [second]] = [[n["flags"]["destructive"] for n in p["nodes"]] for p in graph["procedures"]]
    assert first is True and second is False
    assert run(tmp_path, str(rb), "-p", "2", "--yes").exit_code == 0
    assert (tmp_path / "api").exists()
