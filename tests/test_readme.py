"""The README's commands are the ones CI runs, and its examples are true."""

from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import ROOT

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
