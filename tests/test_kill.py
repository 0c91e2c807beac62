"""kill -9 at random moments of a run: the journal always reads, resume finishes the job, nothing is lost."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from interpreter.journal.files import read_events
from interpreter.journal.folds import open_steps

RUNBOOK = str(Path(sys.executable).parent / "runbook")
STEPS = 30


def _runbook(tmp: Path) -> Path:
    steps = "".join(
        f"{n}. **Step {n}**\n   ```bash\n   echo output of step {n}\n   ```\n" for n in range(1, STEPS + 1)
    )
    path = tmp / "many.md"
    path.write_text(f"# Many\n\n## Procedure 1: Many steps\n\n{steps}", "utf-8")
    return path


def _check_history(events: list[dict[str, Any]]) -> None:
    """Each start finishes at most once, and no step that finished ok starts again."""
    running: set[str] = set()
    ok: set[str] = set()
    for event in events:
        step = event["step"]
        if event["type"] == "step.started":
            assert step not in ok, f"{step} finished ok and started again"
            running.add(step)
        elif event["type"] in ("step.finished", "step.in-doubt"):
            assert step in running, f"{step}: {event['type']} with no start open (a second finish?)"
            running.discard(step)
            if event["type"] == "step.finished" and event["data"]["status"] == "ok":
                ok.add(step)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs)), "events out of order or repeated"


def test_fifty_kills_never_lose_or_repeat_work(tmp_path: Path) -> None:
    rng = random.Random(50)
    runbook = _runbook(tmp_path)
    runs = tmp_path / "runs"
    # One whole run first: how long it takes on this machine spreads the kills over a run's life.
    started = time.monotonic()
    whole = subprocess.run(
        [RUNBOOK, "run", str(runbook), "-p", "1", "--yes", "--runs-dir", str(tmp_path / "whole")],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    assert whole.returncode == 0, whole.stderr.decode()
    duration = time.monotonic() - started
    kills = 0
    completed: list[str] = []
    run_id: str | None = None
    before: list[dict[str, Any]] = []
    while kills < 50:
        if run_id is None:
            known = set(runs.iterdir()) if runs.exists() else set()
            args = [RUNBOOK, "run", str(runbook), "-p", "1", "--yes"]
        else:
            events = read_events(runs / run_id / "journal.jsonl")[0]
            answers = [a for step in open_steps(events) for a in ("--answer", f"{step}:in-doubt=rerun")]
            args = [RUNBOOK, "resume", run_id, "--yes", *answers]
        process = subprocess.Popen(
            [*args, "--runs-dir", str(runs)],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _, err = process.communicate(timeout=rng.uniform(0.02, duration * 1.1))
            killed = False
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            _, err = process.communicate()
            kills += 1
            killed = True
        if run_id is None:
            new = [p for p in (runs.iterdir() if runs.exists() else []) if p not in known]
            journal = new[0] / "journal.jsonl" if new else None
            if journal is None or not journal.exists() or not read_events(journal)[0]:
                continue  # killed before the run began: nothing to resume
            run_id = new[0].name
        events, _torn = read_events(runs / run_id / "journal.jsonl")  # always reads, torn or not
        assert events[: len(before)] == before, "an event on disk before the kill was lost"
        _check_history(events)
        if not killed:
            assert process.returncode == 0, err.decode()
        if events[-1]["type"] == "run.finished" and events[-1]["data"]["status"] == "ok":
            completed.append(run_id)
            run_id, before = None, []
        else:
            before = events
    if run_id is not None:  # finish the last run killed
        events = read_events(runs / run_id / "journal.jsonl")[0]
        answers = [a for step in open_steps(events) for a in ("--answer", f"{step}:in-doubt=rerun")]
        done = subprocess.run(
            [RUNBOOK, "resume", run_id, "--yes", *answers, "--runs-dir", str(runs)],
            cwd=tmp_path,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr.decode()
        completed.append(run_id)
    assert completed
    resumed = 0
    for finished_run in completed:
        events = read_events(runs / finished_run / "journal.jsonl")[0]
        _check_history(events)
        ok = {e["step"] for e in events if e["type"] == "step.finished" and e["data"]["status"] == "ok"}
        assert ok == {f"1.{n}" for n in range(1, STEPS + 1)}
        # A step ran twice only when it was in doubt and the operator said to run it again.
        reruns = {e["step"] for e in events if e["type"] == "step.in-doubt"}
        resumed += sum(e["type"] == "run.resumed" for e in events)
        started = Counter(e["step"] for e in events if e["type"] == "step.started")
        assert {s for s, n in started.items() if n > 1} <= reruns
    assert resumed >= 5, "the kills must land inside runs, not only before them"
