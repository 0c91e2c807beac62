"""Issue 14, finding 11: operators see each other. A note written from another terminal appears on
the screen of the operator running the procedure; starting a procedure that someone is running
now (same store: the runs folder, or PostgreSQL) warns with who, where and since when, and offers
to follow their run instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.operator import finish, journal, plain, runbook, spawn
from support.runs import write
from support.services import database  # noqa: F401 (a fixture)

TWO = """
    ## Procedure 1: Roll back
    1. **Stop the workers**
       ```bash
       echo stopped > stopped.txt
       ```
    2. **Start the old release**
       ```bash
       echo started > started.txt
       ```
    """


def test_a_note_from_a_second_terminal_appears_on_the_operator_s_screen(tmp_path: Path) -> None:
    rb = write(tmp_path, TWO)
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
    noted = runbook("note", run_id, "customers report errors again", "--runs-dir", "runs", cwd=tmp_path)
    assert noted.returncode == 0, noted.stderr
    child.sendline("r")
    child.expect_exact("? Run 1.2:")
    seen = plain(child.before)
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    # Before the fix, teammates' notes reached the journal and never the operator's screen.
    assert "✉ note from" in seen and "customers report errors again" in seen
    assert [e["data"]["text"] for e in journal(tmp_path / "runs") if e["type"] == "note.added"] == [
        "customers report errors again"
    ]


@pytest.mark.parametrize("kind", ["folder", "postgresql"])
def test_two_operators_on_one_procedure_are_warned_and_the_second_may_follow(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = (
        ["--store", request.getfixturevalue("database")] if kind == "postgresql" else ["--runs-dir", "runs"]
    )
    rb = write(tmp_path, TWO)
    first = spawn("run", str(rb), "-p", "1", *where, cwd=tmp_path)
    first.expect_exact("? Run 1.1:")
    second = spawn("run", str(rb), "-p", "1", *where, cwd=tmp_path)
    second.expect_exact("? Another run of this procedure is live:")
    warned = plain(second.before)
    listed = json.loads(runbook("runs", "--json", *where, cwd=tmp_path).stdout)
    [running] = [r for r in listed if r["status"] == "running"]
    # Who, where and since when; before the fix, nothing was said.
    assert f"is running this procedure now: run {running['id']}" in warned
    assert running["operator"] in warned and str(tmp_path) in warned and " ago)" in warned
    second.sendline("f")  # follow it instead of starting a second run
    second.expect_exact("run started: Roll back")
    first.sendline("r")
    first.expect_exact("? Run 1.2:")
    first.sendline("r")
    status, _ = finish(first)
    assert status == 0
    status, followed = finish(second)
    assert status == 0 and "run ok (exit 0)" in plain(followed)
    # The second operator started nothing: one run in the store.
    assert len(json.loads(runbook("runs", "--json", *where, cwd=tmp_path).stdout)) == len(listed) == 1
