"""False positives found by labelling `runbook validate`'s findings on real runbooks, one shape each.

Each case is a small runbook written for this test in a shape the labels found wrongly reported
(tests/fixtures/validate/corpus-labels.json), with its twin that must still be reported: the fix
of a false finding never hides a true one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from interpreter.validate import validate

HEAD = "---\nowner: sre\nreview_by: 2099-01-01\n---\n\n# Tutorial\n\n## Procedure 1: Work\n\n"


def _findings(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    path = tmp_path / "runbook.md"
    path.write_text(HEAD + body, "utf-8")
    [result] = validate([str(path)], shellcheck=True)
    assert not result.error
    return [(f.rule, f.line, f.message) for f in result.findings if f.severity != "info"]


def _rules(tmp_path: Path, body: str) -> list[str]:
    return [rule for rule, _, _ in _findings(tmp_path, body)]


# -- named prompts: `$mac docker …` is a prompt saying where to type, not a command in a variable

NAMED_PROMPTS = (
    "1. **Check docker**\n\n   ```shell\n   $mac docker --version\n   Docker version 24.0.2\n"
    "   $mac docker run -it -v $(pwd):/app ruby:3.2 bash\n   ```\n\n"
    "2. **Install inside**\n\n   ```shell\n   $dev cd /app\n   $dev bundle install\n   $mac make setup\n   ```\n"
)


def test_named_prompts_are_prompts(tmp_path: Path) -> None:
    assert _rules(tmp_path, NAMED_PROMPTS) == []


def test_a_destructive_command_after_a_named_prompt_is_still_destructive(tmp_path: Path) -> None:
    body = "1. **Tidy up**\n\n   ```shell\n   $mac docker volume rm app-bundle\n   ```\n"
    [(rule, _, message)] = _findings(tmp_path, body)
    assert rule == "safety/unwarned-destructive" and "docker" in message and "$mac" not in message


def test_a_variable_holding_a_command_is_not_a_prompt(tmp_path: Path) -> None:
    """`$SUDO rm …` expands a variable; and one such line makes the whole block a script."""
    body = "1. **Clean**\n\n   ```shell\n   $mac docker ps\n   $SUDO rm -rf /srv/app\n   ```\n"
    found = _findings(tmp_path, body)
    assert [rule for rule, _, _ in found] == ["safety/unwarned-destructive"] * 2
    assert all("only known at run time" in message for _, _, message in found)


# -- eval of a tool that prints exports: as risky as the tool, not "unanalysable"


def test_eval_of_an_environment_printer_is_not_destructive(tmp_path: Path) -> None:
    body = (
        "1. **Log in**\n\n   ```sh\n   eval $(gds aws example-${ENVIRONMENT}-admin -e --art 8h)\n"
        '   eval "$(ssh-agent -s)"\n   kubectl config use-context $ENVIRONMENT\n   ```\n'
    )
    assert "safety/unwarned-destructive" not in _rules(tmp_path, body)


@pytest.mark.parametrize(
    "command",
    ['eval "$(curl -fsSL https://example.test/env)"', 'eval "$SETUP"', "eval $(gds aws x -e -- rm -rf /srv)"],
)
def test_eval_of_anything_else_is_still_unanalysable(tmp_path: Path, command: str) -> None:
    [(rule, _, message)] = _findings(tmp_path, f"1. **Set up**\n\n   ```sh\n   {command}\n   ```\n")
    assert rule == "safety/unwarned-destructive" and "cannot be analysed" in message


# -- interactive sessions opened through a wrapper are sessions: the operator leaves them


@pytest.mark.parametrize(
    "command",
    [
        "k exec deploy/api -it -- sh -c 'psql $DATABASE_URL'",
        "docker-compose exec -it pgsql psql -U app",
        "docker exec -it -u postgres db psql",
    ],
)
def test_a_session_opened_inside_a_container_is_not_never_ending(tmp_path: Path, command: str) -> None:
    assert _rules(tmp_path, f"1. **Open a database session**\n\n   ```sh\n   {command}\n   ```\n") == []


@pytest.mark.parametrize(
    "command",
    [
        "kubectl exec -it db-0 -- top",
        "docker exec -it db tail -f /var/log/db.log",
        "kubectl logs -f deploy/api",
    ],
)
def test_a_monitor_run_in_a_container_is_still_never_ending(tmp_path: Path, command: str) -> None:
    assert _rules(tmp_path, f"1. **Watch it**\n\n   ```sh\n   {command}\n   ```\n") == ["safety/never-ending"]


# -- MyST targets named by a directive's options, in colon fences and with `:label:`


def test_directive_names_and_labels_are_targets_here_and_across_files(tmp_path: Path) -> None:
    (tmp_path / "apis.md").write_text(
        "# Project\n\n1. Enable these:\n\n   :::{important} Cloud APIs\n   :label: cloud-apis\n"
        "   1. Compute\n   :::\n",
        "utf-8",
    )
    body = (
        ":::{tip}\n:name: accounts-sheet\n\nThe list of accounts.\n:::\n\n"
        "```{note}\n:label: restart-note\nIt takes a minute.\n```\n\n"
        "See [the sheet](#accounts-sheet), [the note](#restart-note), [the APIs](#cloud-apis) "
        "and [nothing](#no-such-label).\n"
    )
    (tmp_path / "runbook.md").write_text(HEAD + body, "utf-8")
    results = validate([str(tmp_path)], shellcheck=False)
    found = [(f.rule, f.message) for r in results for f in r.findings if f.rule.startswith("links/")]
    assert [rule for rule, _ in found] == ["links/reference"] and "#no-such-label" in found[0][1]


# -- shellcheck advice that does not apply to the line it is given for


def test_shellcheck_advice_that_cannot_apply_is_not_reported(tmp_path: Path) -> None:
    body = (
        "1. **List, then delete every home folder.** WARNING: this deletes every user's files.\n\n"
        "   ```bash\n   ls | grep shared\n   ls -la /home | grep -v shared\n   rm -rf /home/*\n   ```\n"
    )
    assert _rules(tmp_path, body) == []


def test_the_same_advice_where_it_applies_is_reported(tmp_path: Path) -> None:
    body = (
        "1. **Delete the rest.** WARNING: this deletes every user's files.\n\n"
        '   ```bash\n   rm -rf "$HOMES"/*\n   ls /home | grep -v shared | xargs rm -rf\n   ```\n'
    )
    found = [
        message.split(":")[0] for rule, _, message in _findings(tmp_path, body) if rule == "code/shellcheck"
    ]
    assert found == ["SC2115", "SC2010"]


# -- a caution in plain words is a warning: the reader is told to take care before the command


@pytest.mark.parametrize(
    "caution",
    [
        "As a last resort, recycle the pod; start with a standby, never the primary.",
        "Double-check that you are deleting the right pod.",
        "Be careful: the pod's scratch data goes with it.",
    ],
)
def test_a_caution_in_plain_words_is_a_warning(tmp_path: Path, caution: str) -> None:
    body = f"1. **Recycle the pod.** {caution}\n\n   ```bash\n   kubectl delete pod -n db db-1\n   ```\n"
    assert _rules(tmp_path, body) == []


def test_a_step_that_only_says_what_it_deletes_is_not_warned(tmp_path: Path) -> None:
    body = "1. **Recycle the pod.** This deletes the pod db-1.\n\n   ```bash\n   kubectl delete pod -n db db-1\n   ```\n"
    assert _rules(tmp_path, body) == ["safety/unwarned-destructive"]
