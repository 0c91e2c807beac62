"""The headline: `runbook run runbooks/rollback-procedures.md --procedure 2`, end to end.

The seed drives docker-compose, alembic, psql and curl, which this machine does not have; they are
faked with pytest-subprocess, and the tests assert the exact command lines the interpreter sent.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from click.testing import CliRunner
from support.paths import ROOT, SEED
from support.seed import FAKES, SENT, run_procedure_2_from_answers

from interpreter.cli import main
from interpreter.journal.files import read_events


def _shape(events: list[dict[str, Any]]) -> list[Any]:
    """Events without what differs between two runs of the same decisions: times, actor, ids."""
    volatile = {"duration", "host", "operator", "cwd", "mode", "answers", "file", "sha256", "group", "boot"}

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in volatile}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return [(e["seq"], e["type"], e["step"], clean(e["data"])) for e in events]


def _journal(runs: Path) -> list[dict[str, Any]]:
    [run] = list(runs.iterdir())
    events, torn = read_events(run / "journal.jsonl")
    assert not torn
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # Container snapshots depend on the machine (an engine or none), not on the decisions.
    return [e for e in events if e["type"] != "environment.snapshot"]


def _commands(step: str, count: int) -> list[tuple[str, str | None]]:
    """A step's attempt: its start, each command's start and end, its end."""
    each = [(kind, step) for _ in range(count) for kind in ("command.started", "command.finished")]
    return [("step.started", step), *each, ("step.finished", step)]


EXPECTED_TYPES = [
    ("run.started", None),
    ("step.confirmed", None),
    ("decision.made", None),
    ("gate.item", "2.prerequisites"),
    ("gate.item", "2.prerequisites"),
    ("gate.item", "2.prerequisites"),
    ("gate.passed", "2.prerequisites"),
    *_commands("2.1", 3),
    ("step.skipped", "2.2"),
    ("choice.made", "2.3"),
    *_commands("2.3.a", 3),
    ("input.set", "2.4"),
    *_commands("2.4", 3),
    ("run.finished", None),
]


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "runs").mkdir()
    return tmp_path


def test_procedure_2_interactively_through_a_terminal(workdir: Path) -> None:
    spec = workdir / "spec.json"
    calls = workdir / "calls.json"
    spec.write_text(json.dumps({"fakes": FAKES, "calls": str(calls)}))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", "PYTHONPATH": str(ROOT)}
    child = pexpect.spawn(
        sys.executable,
        [
            str(ROOT / "tests" / "support" / "fake_run.py"),
            str(spec),
            "run",
            str(SEED),
            "--procedure",
            "2",
            "--runs-dir",
            str(workdir / "runs"),
        ],
        cwd=str(workdir),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 160),
    )
    transcript = []

    def answer(prompt: str, reply: str) -> None:
        child.expect_exact(prompt)
        transcript.append(child.before + prompt)
        child.sendline(reply)

    answer("type database-migration-rollback to go on", "database-migration-rollback")
    answer("? Severity (Rollback Authority Matrix)", "2")
    for _ in range(3):
        answer("? Acknowledge:", "y")
    answer("? Run 2.1", "r")
    answer("? Does 2.2 apply? (if available) [y/n]", "n")
    answer("? Choose for 2.3", "a")
    answer("? Run 2.3.a", "r")
    answer("? Value for abc123f", "v1.2.0")
    answer("? Run 2.4", "r")
    child.expect(pexpect.EOF)
    child.close()
    output = "".join(transcript) + (child.before or "")
    assert child.exitstatus == 0, output
    # What the operator saw before deciding: prose, the exact commands, the options with theirs.
    assert "docker-compose exec api alembic current" in output
    assert "Option B: Non-Reversible Migration (Restore from Backup)" in output
    assert "git checkout v1.2.0  # Commit before migration" in output
    assert json.loads(calls.read_text()) == SENT
    events = _journal(workdir / "runs")
    assert [(e["type"], e["step"]) for e in events] == EXPECTED_TYPES
    (workdir / "interactive.json").write_text(json.dumps(_shape(events)))
    _CACHE["shape"] = json.loads(json.dumps(_shape(events)))


def test_procedure_2_from_an_answers_file_gives_the_same_events(workdir: Path, fp: Any) -> None:
    result = run_procedure_2_from_answers(workdir, fp)
    assert result.exit_code == 0, result.output
    sent = [list(call) for call in fp.calls if list(call)[:2] == ["bash", "-c"]]
    assert sent == SENT
    events = _journal(workdir / "runs")
    assert [(e["type"], e["step"]) for e in events] == EXPECTED_TYPES
    # The same events as the interactive run, apart from times and actor.
    interactive = _interactive_shape()
    assert json.loads(json.dumps(_shape(events))) == interactive


_CACHE: dict[str, Any] = {}


def _interactive_shape() -> Any:
    """The interactive run's events, recorded once for the comparison."""
    if "shape" not in _CACHE:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            (workdir / "runs").mkdir()
            test_procedure_2_interactively_through_a_terminal(workdir)
            _CACHE["shape"] = json.loads((workdir / "interactive.json").read_text())
    return _CACHE["shape"]


def test_without_a_terminal_an_unanswered_question_stops_with_exit_2(workdir: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(SEED), "-p", "2", "--runs-dir", str(workdir / "runs")])
    assert result.exit_code == 2
    assert "unanswered question 2:start" in result.stderr
    assert "--answer 2:start=database-migration-rollback" in result.stderr
    events = _journal(workdir / "runs")
    assert events[-1]["type"] == "run.finished" and events[-1]["data"]["status"] == "unanswered"
