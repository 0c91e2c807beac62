"""`runbook validate` as a CI gate: SARIF checked against the official schema, GitLab Code Quality,
fingerprints that survive moved lines, and the baseline flow end to end."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import FIXTURES

from interpreter.cli import main
from interpreter.policy.rules import RULES

SCHEMA = FIXTURES / "sarif" / "sarif-schema-2.1.0.json"

RUNBOOK = """---
owner: sre
review_by: 2099-01-01
---

# Restart the API

## Procedure 1: Restart

1. **Stop**
   ```bash
   systemctl reload api
   if true; then echo stopped
   ```
2. **Start**
   ```bash
   systemctl start api
   ```

See [the checks](#health-checks) and [the notes](notes/missing.md).
"""


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["validate", "--no-shellcheck", *args])


def _sarif(path: Path, *extra: str) -> dict[str, Any]:
    result = run("--format", "sarif", *extra, str(path))
    assert result.exit_code == 1, result.output
    return dict(json.loads(result.stdout))


def test_sarif_is_valid_against_the_official_schema(tmp_path: Path) -> None:
    import jsonschema

    (tmp_path / "runbook.md").write_text(RUNBOOK)
    (tmp_path / "broken.md").write_bytes(b"# Title\n\ncaf\xe9\n")  # not UTF-8: a notification
    result = run("--format", "sarif", str(tmp_path))
    assert result.exit_code == 3
    log = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    [run_] = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    anchor = next(r for r in rules if r["id"] == "links/anchor")
    assert anchor["defaultConfiguration"] == {"level": "error"}
    assert anchor["shortDescription"]["text"] == RULES["links/anchor"].summary and anchor["help"]["text"]
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    assert set(by_rule) >= {"code/shell-syntax", "links/anchor", "links/file"}
    where = by_rule["links/anchor"]["locations"][0]["physicalLocation"]
    assert where["region"] == {"startLine": 20, "startColumn": 17}
    assert where["artifactLocation"]["uri"].endswith("runbook.md")
    assert by_rule["links/file"]["level"] == "warning"
    assert all(r["ruleIndex"] == list(RULES).index(r["ruleId"]) for r in run_["results"])
    [note] = run_["invocations"][0]["toolExecutionNotifications"]
    assert "not valid UTF-8" in note["message"]["text"]


def test_sarif_strict_raises_warnings_to_errors(tmp_path: Path) -> None:
    (tmp_path / "runbook.md").write_text(RUNBOOK)
    levels = {
        r["ruleId"]: r["level"] for r in _sarif(tmp_path / "runbook.md", "--strict")["runs"][0]["results"]
    }
    assert levels["links/file"] == "error"


def _fingerprints(path: Path) -> dict[str, str]:
    results = _sarif(path)["runs"][0]["results"]
    return {r["ruleId"]: r["partialFingerprints"]["runbookFinding/v1"] for r in results}


def test_fingerprints_survive_moved_lines_and_change_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "runbook.md"
    path.write_text(RUNBOOK)
    before = _fingerprints(path)
    path.write_text(RUNBOOK.replace("# Restart the API\n", "# Restart the API\n\nA new paragraph.\n\n"))
    moved = _fingerprints(path)
    assert moved == before  # every line moved down two: same findings
    path.write_text(RUNBOOK.replace("echo stopped", "echo down"))
    edited = _fingerprints(path)
    assert edited["code/shell-syntax"] != before["code/shell-syntax"]
    assert edited["links/anchor"] == before["links/anchor"]


def test_gitlab_code_quality(tmp_path: Path) -> None:
    (tmp_path / "runbook.md").write_text(RUNBOOK)
    result = run("--format", "codequality", str(tmp_path / "runbook.md"))
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert {i["check_name"] for i in issues} >= {"code/shell-syntax", "links/anchor", "links/file"}
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"].endswith("runbook.md") and issue["location"]["lines"]["begin"] > 0
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    severity = {i["check_name"]: i["severity"] for i in issues}
    assert severity["links/anchor"] == "major" and severity["links/file"] == "minor"


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    path = tmp_path / "runbook.md"
    path.write_text(RUNBOOK)
    baseline = tmp_path / "baseline.json"
    written = run("--write-baseline", str(baseline), str(path))
    assert written.exit_code == 0 and "wrote 3 finding(s)" in written.stderr
    recorded = json.loads(baseline.read_text())
    assert {e["rule"] for e in recorded["findings"]} == {"code/shell-syntax", "links/anchor", "links/file"}
    clean = run("--baseline", str(baseline), str(path))
    assert clean.exit_code == 0, clean.output
    assert "3 more held back by the baseline" in clean.output
    # Move an old problem (a paragraph above it) and add a new one.
    edited = RUNBOOK.replace("# Restart the API\n", "# Restart the API\n\nRead it all first.\n\n")
    edited += "\nAlso see [the rollback](#roll-back).\n"
    path.write_text(edited)
    after = run("--format", "json", "--baseline", str(baseline), str(path))
    assert after.exit_code == 1
    [file] = json.loads(after.stdout)["files"]
    assert [(f["rule"], f["message"]) for f in file["findings"]] == [
        ("links/anchor", "link to #roll-back matches no heading or anchor in this file")
    ]
    assert "3 finding(s) held back by the baseline" in after.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "no such file"), ("[]", "not a version 1 baseline"), ("{", "not a baseline")],
)
def test_a_bad_baseline_is_a_usage_error(tmp_path: Path, content: str | None, words: str) -> None:
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content)
    result = run("--baseline", str(baseline), str(FIXTURES / "validate" / "clean-minimal.md"))
    assert result.exit_code == 2 and words in result.stderr


def test_the_command_offers_every_format() -> None:
    import click

    from interpreter.validate.formats import FORMATS

    command = main.get_command(click.Context(main), "validate")
    assert command is not None
    [option] = [p for p in command.params if p.name == "fmt"]
    assert tuple(option.type.choices) == FORMATS  # type: ignore[attr-defined]


@pytest.mark.parametrize("shellcheck", [False, True])
def test_a_folder_validated_in_several_processes_reports_what_one_process_does(
    tmp_path: Path, shellcheck: bool
) -> None:
    """A folder of runbooks is shared among one process per processor (interpreter.workers): the
    findings, their order and a MyST target in one file mending a link in another (resolved across
    the processes' results) are the same as from one process."""
    from interpreter.validate import validate

    folder = tmp_path / "runbooks"
    folder.mkdir()
    for n in range(130):
        extra = "\n(shared-target)=\n## Shared\n" if n == 97 else ""
        (folder / f"rb-{n:03}.md").write_text(
            RUNBOOK.replace("api", f"api-{n}") + f"\nSee [the shared part](#shared-target).\n{extra}", "utf-8"
        )
    args = dict(today=dt.date(2026, 1, 1), shellcheck=shellcheck)
    one = validate([str(folder)], jobs=1, **args)
    several = validate([str(folder)], jobs=3, **args)

    def seen(results: list[Any]) -> list[tuple[str, str, int, str]]:
        return [(r.path, f.rule, f.line, f.message) for r in results for f in r.findings]

    assert [r.path for r in several] == sorted(str(p) for p in folder.iterdir())
    assert seen(several) == seen(one)
    assert len(seen(one)) >= 130 * 3
    # The target in file 97 mends the link in every file, in whichever process it was read.
    assert not any("shared-target" in message for *_, message in seen(several))
