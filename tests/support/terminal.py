"""Running `runbook` as an operator does, for tests: a real pseudo-terminal (pexpect) or no terminal
at all, in a folder of the test's own, with fake programs put first on PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pexpect

ROOT = Path(__file__).resolve().parent.parent.parent

FAKE_SSH = r'''#!/usr/bin/env python3
"""A fake `ssh HOST`: a prompt; each line typed is appended to typed.log; `exit` leaves."""
import signal, sys

host = sys.argv[-1]
interrupted = []
signal.signal(signal.SIGINT, lambda *_: interrupted.append(1) or print("^C caught by the session"))
with open("typed.log", "a") as log:
    while True:
        sys.stdout.write(f"{host}$ ")
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            break
        line = line.strip()
        if line == "exit":
            break
        log.write(line + "\n")
        log.flush()
        print(f"ran {line} on {host}")
sys.exit(3 if interrupted else 0)
'''
"""Reads lines until `exit`, as a remote shell would; Ctrl-C is caught and said (and makes it exit 3)."""


def write_runbook(folder: Path, body: str, name: str = "rb.md") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip(), "utf-8")
    return path


def fake_programs(folder: Path, **scripts: str) -> Path:
    """A `bin` folder holding each script (name → text), executable; put it first on PATH."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in scripts.items():
        script = bin_dir / name
        script.write_text(text, "utf-8")
        script.chmod(0o755)
    return bin_dir


def environment(folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", "TERM": "dumb"}
    env.pop("RUNBOOK_STORE", None)
    if (folder / "bin").is_dir():
        env["PATH"] = f"{folder / 'bin'}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def spawn(folder: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 30) -> pexpect.spawn:
    """`runbook ARGS… --runs-dir FOLDER/runs` in a real pseudo-terminal, in `folder`."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "interpreter", *args, "--runs-dir", str(folder / "runs")],
        cwd=str(folder),
        env=environment(folder, env),
        encoding="utf-8",
        timeout=timeout,
        dimensions=(50, 160),
    )


def without_terminal(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`runbook ARGS… --runs-dir FOLDER/runs` with no terminal (stdin from /dev/null), in `folder`."""
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args, "--runs-dir", str(folder / "runs")],
        cwd=folder,
        env=environment(folder, env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def answer(child: pexpect.spawn, prompt: str, reply: str) -> None:
    """Wait for `prompt`, then type `reply` and Enter."""
    child.expect_exact(prompt)
    child.sendline(reply)


def finish(child: pexpect.spawn) -> int:
    """Wait for the end; the exit code."""
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0))


def events(folder: Path) -> list[dict[str, Any]]:
    """The events of the only run journaled in FOLDER/runs."""
    [run] = sorted((folder / "runs").iterdir())
    lines = (run / "journal.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
