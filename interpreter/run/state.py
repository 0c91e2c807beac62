"""Run state: what a run has decided and done, and how a resume rebuilds it from the journal's events."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .envelope import parse_time

__all__ = ["InDoubt", "Replayed", "RunState", "replay"]


@dataclass(frozen=True, slots=True)
class InDoubt:
    """A step a killed run had started and never recorded finished."""

    attempt: int
    seq: int
    """The seq of its step.started event (its output files are named after it)."""
    partial: tuple[tuple[str, bytes], ...] = ()
    """(file name, last bytes) of the output it had written."""


@dataclass(slots=True)
class RunState:
    """What the run has decided and done so far; everything here can be rebuilt from its events."""

    done: dict[str, str] = field(default_factory=dict)
    """Nodes finished (by this process or an earlier attempt of the run): id → how."""
    in_doubt: dict[str, InDoubt] = field(default_factory=dict)
    placeholder_values: dict[str, str] = field(default_factory=dict)
    """Values given for placeholders (`<stable-tag>` → `v1.2.0`)."""
    attempts: dict[str, int] = field(default_factory=dict)
    """Attempts a step had before this process (a resumed run numbers on from them)."""
    target_minutes: float | None = None
    """The response-time target the chosen severity set."""
    seq: int = 0
    """The seq of the last event written."""
    started: datetime | None = None
    """When the run started (its first event)."""


@dataclass(slots=True)
class Replayed:
    """What a resume takes from a run's events: its state, and what goes back into the wiring."""

    state: RunState = field(default_factory=RunState)
    answers: dict[str, str] = field(default_factory=dict)
    """Choices and prerequisites as they were answered, answered the same way again."""
    env: dict[str, str | None] = field(default_factory=dict)
    """Variables the run set (None: unset), in effect when it stopped."""
    cwd: str | None = None
    """The working directory the last finished step left (when it still exists)."""


def replay(events: Iterable[dict[str, Any]]) -> Replayed:
    """Fold a run's events into what it had decided and done.

    Raises:
        InvalidRunbookError: an event sets a variable a run may not take from outside (an edited
            journal restoring `BASH_FUNC_ls%%` would run code on the resumer's machine).
    """
    found = Replayed()
    state = found.state
    started: dict[str, InDoubt] = {}
    for event in events:
        kind, step, data = event["type"], event["step"], event["data"]
        if kind == "choice.made":
            found.answers.setdefault(data["choice"], data["branch"])
            state.done[data["choice"]] = "ok"
        elif kind == "gate.item":
            found.answers.setdefault(data["item"], "yes" if data["answer"] in ("yes", "override") else "no")
        elif kind == "gate.passed":
            state.done[step] = "ok"
        elif kind == "input.set":
            if data["secret"]:
                continue  # never journaled: asked again
            if data["name"].startswith("placeholder:"):
                state.placeholder_values[data["name"].split(":", 1)[1]] = data["value"]
            else:
                found.env[_name(data["name"], event)] = data["value"]
        elif kind == "decision.made":
            state.target_minutes = data.get("response_minutes")
        elif kind == "step.started":
            started[step] = InDoubt(data["attempt"], event["seq"])
            state.attempts[step] = max(state.attempts.get(step, 0), data["attempt"])
        elif kind == "step.finished":
            started.pop(step, None)
            if data["status"] in ("ok", "stopped"):
                state.done[step] = "ok"
            found.env.update({_name(k, event): v for k, v in data.get("exports", {}).items()})
            found.env.update(dict.fromkeys(_name(k, event) for k in data.get("unset", [])))
            if data.get("cwd") and os.path.isdir(data["cwd"]):
                found.cwd = data["cwd"]
        elif kind in ("step.skipped", "template.announced"):
            state.done[step] = kind
        elif kind == "step.in-doubt":
            started.pop(step, None)
            if data["decision"] in ("done", "skip"):
                state.done[step] = data["decision"]
        if kind == "run.started":
            state.started = parse_time(event["time"])
        state.seq = max(state.seq, event["seq"])
    state.in_doubt = started
    return found


def _name(name: str, event: dict[str, Any]) -> str:
    from ..errors import InvalidRunbookError
    from ..policy.names import refusal

    why = refusal(name)
    if why is not None:
        raise InvalidRunbookError(
            f"journal of run {event.get('run')}: event {event.get('seq')} ({event.get('type')}) sets "
            f"{name!r}, refused: {why}",
            "the journal was edited or damaged; nothing was run",
        )
    return name
