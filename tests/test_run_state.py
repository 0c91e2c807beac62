"""What a resume rebuilds from a run's events (`run/state.py`), without running anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.runs import run, write

from interpreter.run.state import replay


def _event(seq: int, kind: str, step: str | None, data: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "type": kind, "step": step, "data": data, "time": "2026-11-28T10:00:00.000000Z"}


def test_a_resume_rebuilds_decisions_state_and_environment(tmp_path: Path) -> None:
    events = [
        _event(1, "run.started", None, {}),
        _event(2, "choice.made", "1.2", {"choice": "1.2", "branch": "b"}),
        _event(3, "gate.item", "1.1", {"item": "1.1.1", "answer": "override"}),
        _event(4, "gate.passed", "1.1", {}),
        _event(5, "input.set", "1.3", {"name": "REGION", "value": "eu", "secret": False}),
        _event(6, "input.set", "1.3", {"name": "TOKEN", "value": "••••", "secret": True}),
        _event(7, "input.set", "1.3", {"name": "placeholder:<tag>", "value": "v1.0", "secret": False}),
        _event(8, "step.started", "1.3", {"attempt": 1}),
        _event(9, "step.finished", "1.3", {"status": "failed", "exports": {"A": "1"}, "unset": []}),
        _event(10, "step.started", "1.3", {"attempt": 2}),
        _event(
            11, "step.finished", "1.3", {"status": "ok", "exports": {}, "unset": ["A"], "cwd": str(tmp_path)}
        ),
        _event(12, "decision.made", None, {"response_minutes": 15}),
        _event(13, "step.skipped", "1.4", {"reason": "not applicable"}),
        _event(14, "step.started", "1.5", {"attempt": 1}),
    ]
    found = replay(events)
    state = found.state
    assert state.done == {"1.2": "ok", "1.1": "ok", "1.3": "ok", "1.4": "step.skipped"}
    assert state.attempts == {"1.3": 2, "1.5": 1}
    assert [(k, v.attempt, v.seq) for k, v in state.in_doubt.items()] == [
        ("1.5", 1, 14)
    ]  # started, never finished
    assert state.placeholder_values == {"<tag>": "v1.0"} and state.target_minutes == 15
    assert state.seq == 14 and state.started is not None
    assert found.answers == {"1.2": "b", "1.1.1": "yes"}
    assert found.env == {"REGION": "eu", "A": None}  # a secret is asked again; A was unset
    assert found.cwd == str(tmp_path)


def test_a_failed_continued_command_is_named_by_its_first_line_and_an_ellipsis(tmp_path: Path) -> None:
    """A command continued with `\\` is one command: the failure names it as one line that says it
    goes on, not a first line ending in a dangling backslash."""
    rb = write(
        tmp_path,
        """
        # T

        ## Procedure 1: P

        1. **Restore**
           ```bash
           cat missing-backup.sql | \\
             wc -l
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 1
    assert "failed: command 1, cat missing-backup.sql | … (exit 1)" in result.output
