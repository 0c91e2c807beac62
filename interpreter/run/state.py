"""Run state: what a run has decided and done, and how a resume rebuilds it from the journal's events."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..journal import folds
from ..journal.folds import resume_state
from ..journal.outputs import PartialOutput

__all__ = ["InDoubt", "Replayed", "RunState", "replay"]


@dataclass(frozen=True, slots=True)
class InDoubt:
    """A step a killed run had started and never recorded finished."""

    attempt: int
    seq: int
    """The seq of its step.started event (its output files are named after it)."""
    partial: tuple[PartialOutput, ...] = ()
    """The last bytes of the output each of its commands had written, in the order they ran."""
    journaled: folds.InDoubt | None = None
    """What the journal says of it: its commands, those that finished, the one that was running."""


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
    heard: int = 0
    """The seq up to which the journal was looked at for notes from other terminals."""
    started: datetime | None = None
    """When the run started (its first event)."""
    acknowledged: set[str] = field(default_factory=set)
    """Prerequisites already answered yes or overridden (a resume does not record them twice)."""


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


def replay(events: list[dict[str, Any]], exists: Callable[[str], bool] = os.path.isdir) -> Replayed:
    """What a run had decided and done, from its events (the journal's one resume fold).

    Raises:
        InvalidRunbookError: an event sets a variable a run may not take from outside (an edited
            journal restoring `BASH_FUNC_ls%%` would run code on the resumer's machine).
    """
    found = resume_state(events)
    run = events[0].get("run") if events else "?"
    for name in (*found.exports, *found.unset):
        _check_name(name, run)
    state = RunState(
        done=dict(found.done),
        in_doubt={
            step: InDoubt(info.attempt, info.seq, journaled=info) for step, info in found.in_doubt.items()
        },
        placeholder_values=dict(found.placeholders),
        attempts=dict(found.attempts),
        target_minutes=found.target_minutes,
        seq=found.last_seq,
        started=found.started,
        acknowledged=set(found.acknowledged),
    )
    env: dict[str, str | None] = {**found.exports, **dict.fromkeys(found.unset)}
    return Replayed(state, dict(found.answers), env, found.cwd(exists))


def _check_name(name: str, run: object) -> None:
    from ..errors import InvalidRunbookError
    from ..policy.names import refusal

    why = refusal(name)
    if why is not None:
        raise InvalidRunbookError(
            f"journal of run {run}: it sets the variable {name!r}, refused: {why}",
            "the journal was edited or damaged; nothing was run",
        )
