"""Driving `runbook` in a real pseudo-terminal, as an operator at 3 a.m. would (pexpect).

Every test of tests/test_operator_*.py starts `runbook` as a process with a terminal of its own,
answers its prompts by keystrokes, and reads the journal it wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect

from .paths import ROOT


def environment(**extra: str) -> dict[str, str]:
    """The environment of a `runbook` process: this one's (XDG_STATE_HOME is the test's own),
    without colour, with the checkout importable."""
    return {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT), **extra}


def spawn(
    *args: str, cwd: Path, columns: int = 120, env: dict[str, str] | None = None, timeout: float = 30
) -> pexpect.spawn:
    """`runbook ARGS…` in a pseudo-terminal `columns` wide."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "interpreter", *args],
        cwd=str(cwd),
        env=env or environment(),
        encoding="utf-8",
        timeout=timeout,
        dimensions=(50, columns),
    )


def runbook(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`runbook ARGS…` without a terminal (another terminal's command: note, runs, verify)."""
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        cwd=cwd,
        env=env or environment(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str) -> str:
    """What a person reads on the screen: styles (bold, dim, which NO_COLOR keeps) and \\r left out."""
    return _ANSI.sub("", text).replace("\r", "")


def finish(child: pexpect.spawn) -> tuple[int | None, str]:
    """Wait for the end; the exit status and everything it printed since the last expect."""
    child.expect(pexpect.EOF)
    rest = child.before or ""
    child.close()
    return child.exitstatus, rest


def journal(runs: Path) -> list[dict[str, Any]]:
    """The events of the only run in a runs folder."""
    [run] = [p for p in runs.iterdir() if (p / "journal.jsonl").is_file()]
    return [json.loads(line) for line in (run / "journal.jsonl").read_text("utf-8").splitlines() if line]


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(e["type"], e["step"]) for e in events]


def wait_for(predicate: Any, seconds: float = 20) -> None:
    """Until `predicate()` is true (a process has started, a file appeared)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("it never happened")
        time.sleep(0.05)


def processes(pattern: str) -> list[int]:
    """Pids of processes whose command line matches `pattern` (pgrep -f)."""
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@contextlib.contextmanager
def resumed_in_doubt(child: pexpect.spawn, cwd: Path, pattern: str) -> Iterator[pexpect.spawn]:
    """kill -9 the run (in `cwd`, journaling to `runs`) while the command matching `pattern` runs,
    then `runbook resume` it up to the question about that command's live process group. Every
    process matching `pattern` still there at the end is killed."""
    killed_during(child, pattern)
    try:
        [run_id] = [p.name for p in (cwd / "runs").iterdir()]
        resumed = spawn("resume", run_id, "--runs-dir", "runs", cwd=cwd)
        resumed.expect_exact("? Process group")
        yield resumed
    finally:
        for pid in processes(pattern):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def killed_during(child: pexpect.spawn, pattern: str) -> int:
    """kill -9 the run once a process matching `pattern` (the step's command) runs; returns that
    command's pid, which outlives the interpreter as a command in doubt does."""
    wait_for(lambda: processes(pattern))
    os.kill(child.pid, signal.SIGKILL)
    child.close()
    [pid] = processes(pattern)
    return pid
