"""Waiting for a condition: a read-only check run again until its expectation holds, or time is up.

`# Expected within 5m: {"status": "healthy"}` after a command (or `within=300` on its fence) says
the condition may take that long: a service coming back, a rollout finishing. The command is run
again, every few seconds, until every checkable expectation with a time holds or the deadline
passes, with a countdown on the screen; Ctrl-C stops the waiting (the check then fails, and the
step's menu offers to retry). Only a command that changes nothing is run again: a destructive
or never-ending one is checked once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..policy.durations import clock
from .context import Planned, StepContext
from .expect import matches

__all__ = ["Wait", "wait_for"]


@dataclass(frozen=True, slots=True)
class Wait:
    """What a command waits for, and for how long."""

    within: float
    """Seconds from the command's first run."""
    expectations: tuple[dict[str, Any], ...]
    """The checkable expectations with a time: every one must hold."""

    @property
    def every(self) -> float:
        """Seconds between two checks: often enough to see it soon, at most some 30 checks."""
        return max(2.0, min(30.0, self.within / 30))

    def holds(self, output: bytes) -> bool:
        text = output.decode("utf-8", "replace")
        return all(matches(e["text"], text) for e in self.expectations)

    def describe(self) -> str:
        return " and ".join(e["text"] for e in self.expectations)


def wait_for(ctx: StepContext, command: Planned) -> Wait | None:
    """The wait a command asks for (its checkable expectations with a time), or None."""
    timed = [e for e in command.expectations if e["literal"] and e.get("within")]
    if not timed:
        return None
    if command.destructive or command.never_ending:
        ctx.view.text("  (not run again while waiting: it is not a read-only check; it is checked once)")
        return None
    return Wait(max(float(e["within"]) for e in timed), tuple(timed))


def pause(ctx: StepContext, wait: Wait, started: float, checks: int) -> bool:
    """Wait until the next check, with a countdown; False when the time is up or the operator
    pressed Ctrl-C (the last check's output is then what is judged)."""
    deadline = started + wait.within
    until = min(deadline, time.monotonic() + wait.every)
    if time.monotonic() >= deadline:
        return False
    try:
        while (now := time.monotonic()) < until:
            ctx.view.progress(
                f"  waiting for {wait.describe()}: {clock(deadline - now)} left, checked {checks} time"
                f"{'s' if checks > 1 else ''} (Ctrl-C stops waiting)"
            )
            time.sleep(min(1.0, until - now))
    except KeyboardInterrupt:
        ctx.view.progress(None)
        ctx.view.text("  stopped waiting")
        return False
    ctx.view.progress(None)
    return True
