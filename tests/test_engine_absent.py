"""Without a reachable engine a run goes on: the snapshot records why, and nothing waits."""

from __future__ import annotations

from pathlib import Path

from support.runs import journal, run, write

from interpreter.report.timeline import summary


def test_an_unreachable_engine_is_noted_not_fatal(tmp_path: Path) -> None:
    runbook = write(
        tmp_path,
        """
        ## Procedure 1: Plain
        1. **Echo**
           ```bash
           echo fine
           ```
        """,
    )
    host = f"unix://{tmp_path}/no-engine.sock"
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", env={"DOCKER_HOST": host})
    assert result.exit_code == 0, result.output
    snapshots = [e for e in journal(tmp_path) if e["type"] == "environment.snapshot"]
    assert [s["data"]["when"] for s in snapshots] == ["start", "end"]
    assert all(s["data"]["containers"] == [] and s["data"]["error"] for s in snapshots)
    assert "unreachable" in summary(snapshots[0])
