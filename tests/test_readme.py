"""The README's commands are the ones CI runs, and its examples are true."""

from __future__ import annotations

import re

from click.testing import CliRunner
from support.paths import ROOT

from interpreter.cli import main


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    command = ci.strip().split("\n")[-1]
    assert "pytest" in command
    assert command in readme


def test_readme_listing_matches_the_program() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = re.search(r"\$ runbook list runbooks/rollback-procedures.md\n(.*?)```", readme, re.S)
    assert shown is not None
    result = CliRunner().invoke(main, ["list", str(ROOT / "runbooks" / "rollback-procedures.md")])
    for line in shown.group(1).strip().split("\n"):
        line = line.split("…")[0].rstrip()
        assert line in result.stdout, line


def test_readme_answers_file_is_the_one_the_end_to_end_test_uses() -> None:
    import yaml
    from support.seed import ANSWERS

    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```yaml\n(# answers.yaml.*?)```", readme, re.S)
    assert block is not None
    data = yaml.safe_load(block.group(1))["answers"]
    as_text = {k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in data.items()}
    assert as_text == ANSWERS


def test_readme_main_job_runs_the_demo() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "runbook run runbooks/demo-rollback.md --procedure 1 --yes" in readme


def test_readme_documents_every_rule() -> None:
    from interpreter.policy.rules import RULES

    readme = (ROOT / "README.md").read_text("utf-8")
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.severity} |" in readme, rule.id


def test_pre_commit_hook_runs_validate() -> None:
    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "runbook-validate" and hook["entry"] == "runbook validate"
