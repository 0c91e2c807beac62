"""Running `runbook` as an operator does, for tests: a real pseudo-terminal (pexpect) or no terminal
at all, in a folder of the test's own, with fake programs (a fake `ssh`, an editor) first on PATH.
Runbooks are written and journals read with `runs.write` and `runs.journal`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pexpect

from .paths import ROOT, runbook_command

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
    command = runbook_command(*args, "--runs-dir", str(folder / "runs"))
    return pexpect.spawn(
        command[0],
        command[1:],
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
        runbook_command(*args, "--runs-dir", str(folder / "runs")),
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
