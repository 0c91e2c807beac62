"""Folds over a run's stream of events: what every reader of a journal asks of it, answered once.

A run is one stream of events (events.CATALOGUE says what each type means), possibly written by
several processes: the first attempt, then each resume (`run.resumed` … `run.finished` again), with
notes from other terminals in between. Readers (`runbook runs`, `follow`, `note`, the timeline, the
post-mortem, the site, a resume) ask the same few questions; they ask them here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .events import Event, parse_time

__all__ = [
    "InDoubt",
    "ResumeState",
    "ending",
    "first",
    "last",
    "open_steps",
    "recorded_outputs",
    "resume_state",
    "start",
]


def first(events: Iterable[Event], *kinds: str) -> Event | None:
    """The first event of one of these types."""
    return next((e for e in events if e["type"] in kinds), None)


def last(events: list[Event], *kinds: str) -> Event | None:
    """The last event of one of these types."""
    return next((e for e in reversed(events) if e["type"] in kinds), None)


def start(events: list[Event]) -> Event | None:
    """The run's `run.started` event (None when the journal lost it, or never had it)."""
    return first(events, "run.started")


def ending(events: list[Event]) -> Event | None:
    """How the run's last attempt ended: its `run.finished`, or None when it recorded no end yet
    (it is running, or was killed; a `run.resumed` after an end opens a new attempt)."""
    found = last(events, "run.finished", "run.resumed")
    return found if found is not None and found["type"] == "run.finished" else None


def recorded_outputs(events: list[Event]) -> set[str]:
    """The journal names (`outputs/SHA.log`) of every output file the run's steps recorded."""
    return {
        c["output"]["file"] for e in events if e["type"] == "step.finished" for c in e["data"]["commands"]
    }


def open_steps(events: list[Event]) -> list[str]:
    """Steps that started and have not (yet) recorded an end, oldest start first."""
    started: dict[str, int] = {}
    for event in events:
        if event["type"] == "step.started":
            started[event["step"]] = event["seq"]
        elif event["type"] in ("step.finished", "step.in-doubt"):
            started.pop(event["step"], None)
    return sorted(started, key=started.__getitem__)


@dataclass(frozen=True, slots=True)
class InDoubt:
    """A step whose attempt started and never recorded its end: a resume asks what happened."""

    attempt: int
    """The attempt that was under way."""
    seq: int
    """The `seq` of its `step.started` event (its output files are named after it)."""


@dataclass(frozen=True, slots=True)
class ResumeState:
    """What a killed or stopped run had decided and done, read back from its journal.

    A resume applies it to a fresh run: answers with setdefault (what the resuming operator gives
    now wins), `exports` then `unset` onto the environment, `cwd` to the session.
    """

    answers: Mapping[str, str]
    """Recorded answers: each choice's branch, each prerequisite's yes or no (an override is a yes)."""
    done: Mapping[str, str]
    """Steps, gates and choices that need not run again → how they ended (ok, step.skipped, done…)."""
    placeholders: Mapping[str, str]
    """Placeholder values given (`abc123f` → `v1.2.0`), without the `placeholder:` prefix."""
    exports: Mapping[str, str]
    """Variables the run set (inputs and steps' exports), last value; secrets are not journaled."""
    unset: frozenset[str]
    """Variables a step unset after anything set them."""
    cwds: tuple[str, ...]
    """The working directories steps ended in, oldest first (see `cwd`)."""
    target_minutes: float | None
    """The response target of the severity chosen, if any (None asks for the severity again)."""
    attempts: Mapping[str, int]
    """Attempts each step had so far: a resumed run numbers its attempts on from them."""
    in_doubt: Mapping[str, InDoubt]
    """Steps that started and never recorded an end, by id."""
    started: datetime | None
    """When the run first started (elapsed times go on from it)."""
    last_seq: int
    """The `seq` of the last event."""

    def cwd(self, exists: Callable[[str], bool]) -> str | None:
        """The last working directory recorded that still `exists` (a step may have removed one)."""
        return next((path for path in reversed(self.cwds) if exists(path)), None)


def resume_state(events: list[Event]) -> ResumeState:
    """Fold a run's events into what a resume restores (see ResumeState)."""
    answers: dict[str, str] = {}
    done: dict[str, str] = {}
    placeholders: dict[str, str] = {}
    exports: dict[str, str] = {}
    unset: set[str] = set()
    cwds: list[str] = []
    attempts: dict[str, int] = {}
    in_doubt: dict[str, InDoubt] = {}
    target: float | None = None
    started: datetime | None = None
    last_seq = 0

    def set_variable(name: str, value: str) -> None:
        exports[name] = value
        unset.discard(name)

    for event in events:
        kind, step, data = event["type"], event["step"], event["data"]
        if kind == "choice.made":
            answers.setdefault(data["choice"], data["branch"])
            done[data["choice"]] = "ok"
        elif kind == "gate.item":
            answers.setdefault(data["item"], "yes" if data["answer"] in ("yes", "override") else "no")
        elif kind == "gate.passed":
            done[step] = "ok"
        elif kind == "input.set" and not data["secret"]:
            if data["name"].startswith("placeholder:"):
                placeholders[data["name"].split(":", 1)[1]] = data["value"]
            else:
                set_variable(data["name"], data["value"])
        elif kind == "decision.made":
            target = data.get("response_minutes")
        elif kind == "step.started":
            in_doubt[step] = InDoubt(attempt=data["attempt"], seq=event["seq"])
            attempts[step] = max(attempts.get(step, 0), data["attempt"])
        elif kind == "step.finished":
            in_doubt.pop(step, None)
            if data["status"] in ("ok", "stopped"):
                done[step] = "ok"
            for name, value in data.get("exports", {}).items():
                set_variable(name, value)
            for name in data.get("unset", []):
                exports.pop(name, None)
                unset.add(name)
            if data.get("cwd"):
                cwds.append(data["cwd"])
        elif kind in ("step.skipped", "template.announced"):
            done[step] = kind
        elif kind == "step.in-doubt":
            in_doubt.pop(step, None)
            if data["decision"] in ("done", "skip"):
                done[step] = data["decision"]
        elif kind == "run.started":
            started = parse_time(event["time"])
        last_seq = max(last_seq, event["seq"])
    return ResumeState(
        answers=answers,
        done=done,
        placeholders=placeholders,
        exports=exports,
        unset=frozenset(unset),
        cwds=tuple(cwds),
        target_minutes=target,
        attempts=attempts,
        in_doubt=in_doubt,
        started=started,
        last_seq=last_seq,
    )
