"""Process groups a run left behind: whether one still runs on this machine, waiting for it, stopping it.

Every local command runs in a process group of its own, which the journal names before the
command runs (`command.started`: `group`, `boot`). After `kill -9` of the interpreter, the group
goes on running; a resume on the same machine, in the same boot, can tell whether it still runs
and what is in it, wait for it, or stop it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Member", "boot_id", "kill_group", "members", "wait_group"]

_BOOT = Path("/proc/sys/kernel/random/boot_id")


@functools.cache
def boot_id() -> str | None:
    """This boot of this machine (Linux), so a group id recorded before a reboot is not mistaken
    for a live one; None where the system does not say."""
    try:
        return _BOOT.read_text("ascii").strip() or None
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class Member:
    """A process of a group."""

    pid: int
    command: str
    """Its command line (or name), as `ps` would show it."""


def members(group: int) -> list[Member]:
    """The processes of a group that still run (zombies left out), from /proc; where there is no
    /proc, one unnamed member when the group can be signalled."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [Member(group, "?")]
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text("utf-8", "replace")
        except OSError:
            continue
        # `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses, so split after it.
        name_end = stat.rfind(")")
        fields = stat[name_end + 2 :].split()
        if len(fields) < 3 or fields[0] == "Z" or int(fields[2]) != group:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").strip().decode("utf-8", "replace")
        except OSError:
            argv = ""
        found.append(Member(int(entry.name), argv or stat[stat.find("(") + 1 : name_end]))
    return sorted(found, key=lambda m: m.pid)


def wait_group(group: int, tick: Callable[[float], None], poll: float = 0.5) -> None:
    """Wait until no process of the group runs; `tick(seconds waited)` between checks. Ctrl-C
    (KeyboardInterrupt) stops the waiting, not the group."""
    started = time.monotonic()
    while members(group):
        tick(time.monotonic() - started)
        time.sleep(poll)


def kill_group(group: int, grace: float = 2.0) -> bool:
    """SIGTERM to the group, then SIGKILL after `grace` seconds if any of it is left; True when
    nothing of it runs any more."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not members(group):
                return True
            time.sleep(0.1)
    return not members(group)
