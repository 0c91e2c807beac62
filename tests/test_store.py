"""Where runs are kept: the runs folder and the shared PostgreSQL store, written concurrently.

PostgreSQL tests use the real server on 127.0.0.1:5432, in a database made for this session.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import ROOT, runbook_command

from interpreter import jsonschemas
from interpreter.cli import main
from interpreter.journal.chain import verify
from interpreter.journal.folder import DirectoryStore
from interpreter.journal.postgres import PostgresStore, masked_url

DEMO = ROOT / "runbooks" / "demo-rollback.md"
WRITER = ROOT / "tests" / "support" / "append_events.py"
RUN_ID = "20261129-010203-abcdef"


def _writer(where: str, run_id: str, name: str, count: int, pad: int = 0) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(WRITER), where, run_id, name, str(count), str(pad)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _check_whole(events: list[dict[str, Any]]) -> None:
    """Numbered 1..n with no gap, every one a valid event, each chained to the one before it
    (whichever process wrote it, and after a writer killed mid-write)."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for event in events:
        assert jsonschemas.first_error("events", event) is None
    verdict = verify(events)
    assert verdict.holds, verdict.describe()


def _stores(tmp_path: Path, database: str | None) -> dict[str, str]:
    stores = {"folder": str(tmp_path / "runs")}
    (tmp_path / "runs" / RUN_ID).mkdir(parents=True)
    if database:
        stores["postgresql"] = database
    return stores


def _open(where: str, tmp_path: Path) -> Any:
    return (
        PostgresStore(where, tmp_path) if where.startswith("postgresql://") else DirectoryStore(Path(where))
    )


@pytest.mark.parametrize("kind", ["folder", "postgresql"])
def test_four_concurrent_writers_lose_duplicate_and_reorder_nothing(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("database") if kind == "postgresql" else None
    where = _stores(tmp_path, url)[kind]
    run_id = f"20261129-0102{len(kind):02d}-abcdef"
    (tmp_path / "runs" / run_id).mkdir(parents=True, exist_ok=True)
    writers = [_writer(where, run_id, f"w{n}", 1000) for n in range(4)]
    for process in writers:
        assert process.wait(timeout=120) == 0
    store = _open(where, tmp_path)
    events, torn = store.events(run_id)
    store.close()
    assert not torn
    assert len(events) == 4000
    _check_whole(events)
    for n in range(4):
        mine = [e["data"]["i"] for e in events if e["data"]["writer"] == f"w{n}"]
        assert mine == list(range(1000)), f"writer w{n}'s events lost, doubled or reordered"


@pytest.mark.parametrize("kind", ["folder", "postgresql"])
def test_a_writer_killed_mid_write_leaves_no_half_event(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("database") if kind == "postgresql" else None
    where = _stores(tmp_path, url)[kind]
    run_id = f"20261129-0203{len(kind):02d}-abcdef"
    (tmp_path / "runs" / run_id).mkdir(parents=True, exist_ok=True)
    store = _open(where, tmp_path)
    for delay in (0.2, 0.35, 0.5):
        # Large events make a kill during the write likely.
        process = _writer(where, run_id, "victim", 100_000, pad=200_000)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        survivor = _writer(where, run_id, "after", 3)
        assert survivor.wait(timeout=60) == 0
        events, _ = store.events(run_id)
        _check_whole(events)
        assert [e["data"]["i"] for e in events if e["data"]["writer"] == "after"][-3:] == [0, 1, 2]
    store.close()
    assert any(e["data"]["writer"] == "victim" for e in events), (
        "the victim never wrote: the test proves nothing"
    )


def _run_demo(tmp_path: Path, *store_args: str) -> tuple[int, str]:
    env = {**os.environ, "DEMO_DIR": str(tmp_path / "demo")}
    result = subprocess.run(
        runbook_command("run", str(DEMO), "-p", "1", "--yes", *store_args),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    run_id = result.stderr.split("run ", 1)[1].split(" ", 1)[0] if "run " in result.stderr else ""
    return result.returncode, run_id


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_run_journaled_to_postgresql_lists_reports_and_moves_to_a_folder_and_back(
    tmp_path: Path, database: str, new_database: Any
) -> None:
    code, run_id = _run_demo(tmp_path, "--store", database)
    assert code == 0 and run_id
    listed = json.loads(_cli("runs", "--store", database, "--json").output)
    mine = next(r for r in listed if r["id"] == run_id)
    assert (mine["status"], mine["procedure"]) == ("ok", "Roll back the bad release")
    assert not (tmp_path / ".runbook" / "runs" / run_id / "journal.jsonl").exists(), (
        "events went to the folder"
    )

    # The post-mortem, from the store alone: outputs are kept there too.
    report = json.loads(_cli("postmortem", run_id, "--store", database, "--format", "json").output)
    outputs = [t["output"] for t in report["transcript"]]
    assert any("last good release: v1.0" in (o or "") for o in outputs)

    # Export to a folder, import into a fresh database: the same events and outputs.
    export = tmp_path / "exported"
    result = _cli("runs", "export", run_id, "--store", database, "--to", str(export))
    assert result.exit_code == 0, result.output
    again = _cli("runs", "export", run_id, "--store", database, "--to", str(export))
    assert "0 run(s) copied" in again.output  # idempotent
    events, _ = DirectoryStore(export).events(run_id)
    store = PostgresStore(database, tmp_path)
    assert events == store.events(run_id)[0]
    names = store.output_names(run_id)
    assert names and all((export / run_id / n).read_bytes() == store.output(run_id, n) for n in names)
    store.close()

    second = new_database()
    result = _cli("runs", "import", str(export), "--store", second)
    assert result.exit_code == 0, result.output
    imported = PostgresStore(second, tmp_path)
    assert imported.events(run_id)[0] == events
    assert all(imported.output(run_id, n) == (export / run_id / n).read_bytes() for n in names)
    imported.close()
    # The same post-mortem from the import as from the original.
    assert (
        _cli("postmortem", run_id, "--store", second).output
        == _cli("postmortem", run_id, "--store", database).output
    )


def test_follow_shows_events_while_they_are_written(tmp_path: Path, database: str) -> None:
    run_id = "20261129-030405-fedcba"
    store = PostgresStore(database, tmp_path)
    first = _writer(database, run_id, "w", 1)
    assert first.wait(timeout=30) == 0
    follower = subprocess.Popen(
        runbook_command("follow", run_id, "--store", database, "--json"),
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert follower.stdout is not None
    # Hold the run's lock as a running run does, so follow waits for more.
    holder = store.create(run_id)
    try:
        assert json.loads(follower.stdout.readline())["data"]["i"] == 0
        for i in range(1, 4):
            _writer(database, run_id, "w", 1).wait(timeout=30)
            line = follower.stdout.readline()  # arrives while the run goes on
            assert json.loads(line)["seq"] == i + 1
        assert follower.poll() is None
        holder.append(
            {
                "v": 1,
                "seq": 1,
                "run": run_id,
                "type": "run.finished",
                "time": "2026-11-29T03:04:05.000000Z",
                "elapsed": 1.0,
                "actor": "t@test",
                "step": None,
                "data": {"status": "failed", "exit_code": 1},
            }
        )
        assert json.loads(follower.stdout.readline())["type"] == "run.finished"
        holder.close()  # the run's process lets go of it: follow ends with how the run ended
        assert follower.wait(timeout=30) == 1  # the run failed
    finally:
        follower.kill()
        with contextlib.suppress(Exception):
            holder.close()
        store.close()


def test_a_note_from_another_terminal_lands_in_order_while_the_run_goes_on(tmp_path: Path) -> None:
    runbook = tmp_path / "slow.md"
    runbook.write_text(
        "# Slow\n\n## Procedure 1: Wait\n\n1. **Wait**\n   ```bash\n   sleep 1.5\n   ```\n"
        "2. **Then**\n   ```bash\n   echo done\n   ```\n"
    )
    runs = tmp_path / "runs"
    process = subprocess.Popen(
        runbook_command("run", str(runbook), "-p", "1", "--yes", "--runs-dir", str(runs)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
        '"step.started"' in p.read_text() for p in runs.glob("*/journal.jsonl")
    ):
        time.sleep(0.05)
    [run_dir] = list(runs.iterdir())
    result = _cli("note", run_dir.name[:15], "customers report errors again", "--runs-dir", str(runs))
    assert result.exit_code == 0, result.output
    assert process.wait(timeout=30) == 0
    events, torn = DirectoryStore(runs).events(run_dir.name)
    assert not torn
    _check_whole(events)
    kinds = [(e["type"], e["step"]) for e in events]
    note_at = kinds.index(("note.added", "1.1"))  # the running step, found from the journal
    # Between the running command's start and its end, and chained like the run's own events.
    assert kinds[note_at - 1] == ("command.started", "1.1") and kinds[note_at + 1] == (
        "command.finished",
        "1.1",
    )
    assert verify(events).holds
    listed = json.loads(_cli("runs", "--runs-dir", str(runs), "--json").output)
    assert [(r["id"], r["status"]) for r in listed] == [(run_dir.name, "ok")]


def test_store_errors_are_one_clear_line_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://admin:hunter22@127.0.0.1:1/nowhere"
    result = CliRunner().invoke(main, ["runs", "--store", url])
    assert result.exit_code == 2
    assert "hunter22" not in result.output
    assert "cannot reach the run store postgresql://admin:••••@127.0.0.1:1/nowhere" in result.output
    assert masked_url("postgresql://u@h/db") == "postgresql://u@h/db"
    result = CliRunner().invoke(main, ["runs", "--store", "mysql://x@y/z"])
    assert result.exit_code == 2 and "not a PostgreSQL URL" in result.output
    query = CliRunner().invoke(main, ["runs", "--store", "postgresql://u@127.0.0.1:1/x?password=hunter33"])
    assert query.exit_code == 2 and "hunter33" not in query.output and "password=••••" in query.output


def test_a_database_with_a_table_of_the_same_name_is_a_clear_error(new_database: Any) -> None:
    import psycopg

    other = new_database()
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE TABLE runbook_runs (something_else int)")
    result = CliRunner().invoke(main, ["runs", "--store", other])
    assert result.exit_code == 2 and "cannot be set up" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_run_killed_while_journaling_to_postgresql_resumes_from_it(tmp_path: Path, database: str) -> None:
    runbook = tmp_path / "two.md"
    runbook.write_text(
        "# Two\n\n## Procedure 1: Two steps\n\n1. **Mark**\n   ```bash\n   echo one >> marks; sleep 30\n   ```\n"
        "2. **Then**\n   ```bash\n   echo two >> marks\n   ```\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RUNBOOK_STORE": database}
    process = subprocess.Popen(
        runbook_command("run", str(runbook), "-p", "1", "--yes"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    store = PostgresStore(database, tmp_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (tmp_path / "marks").exists():
        time.sleep(0.05)
    [run_id] = [r.id for r in store.runs() if r.runbook == str(runbook)]
    assert [r.status for r in store.runs() if r.id == run_id] == ["running"]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert [r.status for r in store.runs() if r.id == run_id] == ["killed"]
    result = subprocess.run(
        runbook_command("resume", run_id[:15], "--yes", "-a", "1.1:in-doubt=done"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "marks").read_text() == "one\ntwo\n"  # the in-doubt step did not run again
    events, _ = store.events(run_id)
    store.close()
    _check_whole(events)
    # (Snapshot events, where a container engine is configured, may sit among them.)
    skipped = ("environment.snapshot", "command.started", "command.finished")
    assert [e["type"] for e in events if e["type"] not in skipped][-5:] == [
        "run.resumed",
        "step.in-doubt",
        "step.started",
        "step.finished",
        "run.finished",
    ]


def test_follow_a_run_in_the_folder_from_another_terminal(tmp_path: Path) -> None:
    runbook = tmp_path / "slow.md"
    runbook.write_text(
        "# Slow\n\n## Procedure 1: Wait\n\n1. **Wait**\n   ```bash\n   touch started; sleep 2\n   ```\n"
        "2. **Then**\n   ```bash\n   echo done\n   ```\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RUNBOOK_RUNS_DIR": str(tmp_path / "runs")}
    run = subprocess.Popen(
        runbook_command("run", str(runbook), "-p", "1", "--yes"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (tmp_path / "started").exists():
        time.sleep(0.05)
    [run_dir] = list((tmp_path / "runs").iterdir())
    follower = subprocess.Popen(
        runbook_command("follow", run_dir.name),
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert follower.stdout is not None
    seen: list[str] = []
    while len(seen) < 2:
        line = follower.stdout.readline()
        if "containers at the" not in line:  # a snapshot, where a container engine is configured
            seen.append(line)
    assert "run started" in seen[0] and "started (attempt 1): touch started" in seen[1]
    assert run.poll() is None, "the run ended before follow showed it: the test proves nothing"
    rest = follower.stdout.read()
    assert follower.wait(timeout=30) == 0 and run.wait(timeout=30) == 0
    assert "echo done" in rest and rest.rstrip().endswith("run ok (exit 0)")


def test_follow_goes_through_a_resume_and_ends_with_the_last_attempt(tmp_path: Path) -> None:
    runbook = tmp_path / "flaky.md"
    runbook.write_text(
        "# Flaky\n\n## Procedure 1: Flaky\n\n1. **Fails once**\n   ```bash\n   test -e ok || { touch ok; exit 1; }\n   ```\n"
    )
    runs = str(tmp_path / "runs")
    first = _cli("run", str(runbook), "-p", "1", "--yes", "--runs-dir", runs, "--cwd", str(tmp_path))
    assert first.exit_code == 1
    [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
    assert _cli("resume", run_id, "--yes", "--runs-dir", runs).exit_code == 0
    followed = CliRunner().invoke(main, ["follow", run_id, "--runs-dir", runs])
    lines = followed.output.strip().splitlines()
    assert followed.exit_code == 0, followed.output  # the resumed attempt ended ok
    assert "run failed (exit 1)" in followed.output and lines[-1].endswith("run ok (exit 0)")
    # The resumed run numbers its attempt on from the first process's.
    assert "started (attempt 2)" in followed.output
