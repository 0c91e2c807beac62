"""Issue 14, the tamper-evident journal: each event carries the hash of the one before it;
`runbook verify` names the first event changed, removed or reordered, in the runs folder and in
PostgreSQL; a line torn by a kill and repaired breaks nothing that was durably written; the
post-mortem says whether the chain holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.operator import runbook
from support.runs import write
from support.services import database  # noqa: F401 (a fixture)

THREE = """
    ## Procedure 1: Three
    1. **One**
       ```bash
       echo one
       ```
    2. **Two**
       ```bash
       echo two
       ```
    3. **Three**
       ```bash
       echo three
       ```
    """


def _run(tmp: Path, *where: str) -> str:
    rb = write(tmp, THREE)
    ran = runbook("run", str(rb), "-p", "1", "--yes", *where, cwd=tmp)
    assert ran.returncode == 0, ran.stderr
    listed = json.loads(runbook("runs", "--json", *where, cwd=tmp).stdout)
    return str(listed[-1]["id"])


def _verify(tmp: Path, run_id: str, *where: str) -> tuple[int, str]:
    result = runbook("verify", run_id, *where, cwd=tmp)
    return result.returncode, result.stdout + result.stderr


def test_verify_names_the_first_event_changed_in_the_runs_folder(tmp_path: Path) -> None:
    run_id = _run(tmp_path, "--runs-dir", "runs")
    code, said = _verify(tmp_path, run_id, "--runs-dir", "runs")
    assert code == 0 and "ok: run" in said and "holds:" in said
    path = tmp_path / "runs" / run_id / "journal.jsonl"
    whole = path.read_bytes()
    lines = whole.split(b"\n")
    at = next(i for i, line in enumerate(lines) if b'"text":"echo two"' in line)
    # One byte: `two` becomes `twp` in the journal, nowhere else.
    lines[at] = lines[at].replace(b'"text":"echo two"', b'"text":"echo twp"')
    path.write_bytes(b"\n".join(lines))
    code, said = _verify(tmp_path, run_id, "--runs-dir", "runs")
    assert code == 1 and f"broken at event {at + 1}: its content does not match its hash" in said
    postmortem = runbook("postmortem", run_id, "--runs-dir", "runs", cwd=tmp_path)
    assert f"| Journal | hash chain broken at event {at + 1}" in postmortem.stdout
    # The last event has nothing after it: its own hash still gives it away.
    lines[at] = whole.split(b"\n")[at]
    lines[-2] = lines[-2].replace(b'"exit_code":0', b'"exit_code":1')
    path.write_bytes(b"\n".join(lines))
    code, said = _verify(tmp_path, run_id, "--runs-dir", "runs")
    assert code == 1 and f"broken at event {len(lines) - 1}" in said
    # An event taken out: the next one is numbered where it is not expected.
    del lines[at]
    path.write_bytes(b"\n".join(lines))
    code, said = _verify(tmp_path, run_id, "--runs-dir", "runs")
    assert (
        code == 1 and f"is numbered {at + 2} where {at + 1}" in said  # (the reader says it first)
    )


def test_a_line_torn_by_a_kill_and_repaired_breaks_nothing_that_was_written(tmp_path: Path) -> None:
    run_id = _run(tmp_path, "--runs-dir", "runs")
    path = tmp_path / "runs" / run_id / "journal.jsonl"
    with open(path, "ab") as handle:
        handle.write(b'{"v":1,"seq":99,"run":"to')  # a write cut by a kill: never whole on disk
    code, said = _verify(tmp_path, run_id, "--runs-dir", "runs")
    assert code == 0 and "torn by a kill and is left out" in said
    noted = runbook("note", run_id, "written after the repair", "--runs-dir", "runs", cwd=tmp_path)
    assert noted.returncode == 0, (
        noted.stderr
    )  # the torn tail is cut, the note chained to the last whole line
    code, said = _verify(tmp_path, run_id, "--runs-dir", "runs")
    assert code == 0 and "torn" not in said
    assert path.read_bytes().endswith(b"}\n") and b'"to' not in path.read_bytes()


def test_verify_names_the_first_event_changed_in_postgresql(tmp_path: Path, database: str) -> None:  # noqa: F811
    import psycopg

    where = ("--store", database)
    run_id = _run(tmp_path, *where)
    code, said = _verify(tmp_path, run_id, *where)
    assert code == 0 and "holds:" in said
    noted = runbook("note", run_id, "a note from another terminal", *where, cwd=tmp_path)
    assert noted.returncode == 0 and _verify(tmp_path, run_id, *where)[0] == 0  # chained as it landed
    with psycopg.connect(database, autocommit=True) as conn:
        # One byte of one event's actor, as someone with write access to the table could change it.
        conn.execute(
            "UPDATE runbook_events SET event = jsonb_set(event, '{actor}', "
            "to_jsonb('X' || substr(event->>'actor', 2))) WHERE run_id = %s AND seq = 4",
            (run_id,),
        )
    code, said = _verify(tmp_path, run_id, *where)
    assert code == 1 and "broken at event 4: its content does not match its hash" in said


@pytest.mark.parametrize("kind", ["folder", "postgresql"])
def test_a_run_copied_between_stores_keeps_its_chain(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("database")
    source = ("--runs-dir", "runs") if kind == "folder" else ("--store", url)
    run_id = _run(tmp_path, *source)
    if kind == "folder":
        moved = runbook("runs", "import", "runs", run_id, "--store", url, cwd=tmp_path)
        target: tuple[str, ...] = ("--store", url)
    else:
        moved = runbook("runs", "export", run_id, "--store", url, "--to", "copied", cwd=tmp_path)
        target = ("--runs-dir", "copied")
    assert moved.returncode == 0, moved.stderr
    code, said = _verify(tmp_path, run_id, *target)
    assert code == 0 and "holds:" in said  # canonical JSON is hashed, not bytes: jsonb keeps it
