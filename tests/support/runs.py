"""Running `runbook run` from a test: in process (CliRunner) or as a process, and reading its journal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
from click.testing import CliRunner

from interpreter.cli import main
from interpreter.journal.files import read_events

from .paths import runbook_command


def write(tmp: Path, body: str, name: str = "rb.md") -> Path:
    """A runbook in `tmp`, its text dedented."""
    path = tmp / name
    path.write_text(textwrap.dedent(body).lstrip(), "utf-8")
    return path


def run(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    """`runbook run ARGS` in process, its shell starting in `tmp`, journaled to `tmp/runs`."""
    return CliRunner().invoke(
        main, ["run", *args, "--cwd", str(tmp), "--runs-dir", str(tmp / "runs")], env=env
    )


def journal(tmp: Path) -> list[dict[str, Any]]:
    """The events of the one run journaled in `tmp/runs`."""
    [directory] = sorted((tmp / "runs").iterdir())
    return read_events(directory / "journal.jsonl")[0]


def run_files(tmp: Path) -> Iterator[tuple[str, str]]:
    """(path, text) of every file the runs under `tmp/runs` wrote: journals and outputs."""
    for path in (tmp / "runs").rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes().decode("utf-8", "replace")


def finished(events: list[dict[str, Any]], step: str) -> dict[str, Any]:
    """The data of a step's last `step.finished` event."""
    return [e for e in events if e["type"] == "step.finished" and e["step"] == step][-1]["data"]


def spawn(tmp: Path, *args: str) -> pexpect.spawn:
    """`runbook ARGS` in a real pseudo-terminal, in `tmp`, journaled to `tmp/runs`."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "interpreter", *args, "--runs-dir", str(tmp / "runs")],
        cwd=str(tmp),
        env=env,
        encoding="utf-8",
        timeout=30,
    )


def start_in_background(tmp: Path, runbook: Path, marker: str) -> subprocess.Popen[bytes]:
    """`runbook run … --yes` with no terminal, once a process matching `marker` runs."""
    process = subprocess.Popen(
        runbook_command("run", str(runbook), "-p", "1", "--yes", "--runs-dir", str(tmp / "runs")),
        cwd=tmp,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not sleepers(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return process


def sleepers(marker: str) -> list[str]:
    """Process ids whose command line matches `marker` (pgrep -f)."""
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return found.stdout.split()
