"""Folds over a run's stream of events: what every reader of a journal asks of it, answered once.

A run is one stream of events (events.CATALOGUE says what each type means), possibly written by
several processes: the first attempt, then each resume (`run.resumed` … `run.finished` again), with
notes from other terminals in between. Readers (`runbook runs`, `follow`, `note`, the timeline, the
post-mortem, the site, a resume) ask the same few questions; they ask them here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from .events import Event, parse_time

__all__ = [
    "Happened",
    "InDoubt",
    "ResumeState",
    "Running",
    "ending",
    "first",
    "history",
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
class Running:
    """The command an attempt was running when the run stopped recording (it started, no end)."""

    index: int
    """Its place in the step's commands, from 1."""
    group: int | None
    """Its process group, for a local command (`command.started`)."""
    boot: str | None
    """The boot of the machine it started in (a group id means nothing after a restart)."""
    actor: str
    """user@host of the process that started it (the host is where the group lives)."""


@dataclass(frozen=True, slots=True)
class InDoubt:
    """A step whose attempt started and never recorded its end: a resume asks what happened."""

    attempt: int
    """The attempt that was under way."""
    seq: int
    """The `seq` of its `step.started` event (its output files are named after it)."""
    commands: tuple[str, ...] = ()
    """The step's commands as that attempt journaled them (masked)."""
    finished: tuple[tuple[int, str], ...] = ()
    """(index from 1, status) of each command of that attempt that recorded its end, in order."""
    running: Running | None = None
    """The command it had started and not finished, if any."""
    from_command: int = 1
    """The command the attempt began with (a retry may begin after the first)."""

    def first_unfinished(self) -> int:
        """The index (from 1) of the first command that did not finish ok: where to go on from.
        Commands before `from_command` had finished ok in an earlier attempt."""
        ok = {index for index, status in self.finished if status in ("ok", "stopped")}
        index = self.from_command
        while index in ok:
            index += 1
        return index


@dataclass(frozen=True, slots=True)
class ResumeState:
    """What a killed or stopped run had decided and done, read back from its journal.

    A resume applies it to a fresh run: answers with setdefault (what the resuming operator gives
    now wins), `exports` then `unset` onto the environment, `cwd` to the session.
    """

    answers: Mapping[str, str]
    """Recorded answers: each choice's branch (the last one, when the operator changed it), each
    prerequisite's yes or no (an override is a yes)."""
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
    acknowledged: frozenset[str] = frozenset()
    """Prerequisites answered yes or overridden: a resume neither asks nor records them again."""
    last_seq: int = 0
    """The `seq` of the last event."""

    def cwd(self, exists: Callable[[str], bool]) -> str | None:
        """The last working directory recorded that still `exists` (a step may have removed one)."""
        return next((path for path in reversed(self.cwds) if exists(path)), None)


def resume_state(events: list[Event]) -> ResumeState:
    """Fold a run's events into what a resume restores (see ResumeState)."""
    answers: dict[str, str] = {}
    acknowledged: set[str] = set()
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

    def command_changes(data: Mapping[str, object]) -> None:
        for name, value in dict(data.get("exports") or {}).items():  # type: ignore[call-overload]
            set_variable(str(name), str(value))
        for name in list(data.get("unset") or []):  # type: ignore[call-overload]
            exports.pop(str(name), None)
            unset.add(str(name))
        if data.get("cwd"):
            cwds.append(str(data["cwd"]))

    for event in events:
        kind, step, data = event["type"], event["step"], event["data"]
        if kind == "choice.made":
            answers[data["choice"]] = data["branch"]  # changed with `back`: the last one holds
            done[data["choice"]] = "ok"
        elif kind == "gate.item":
            answers.setdefault(data["item"], "yes" if data["answer"] in ("yes", "override") else "no")
            if data["answer"] in ("yes", "override"):
                acknowledged.add(data["item"])
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
            in_doubt[step] = InDoubt(
                attempt=data["attempt"],
                seq=event["seq"],
                commands=tuple(data.get("commands", ())),
                from_command=int(data.get("from_command", 1)),
            )
            attempts[step] = max(attempts.get(step, 0), data["attempt"])
        elif kind == "command.started" and step in in_doubt:
            info = in_doubt[step]
            running = Running(data["index"], data.get("group"), data.get("boot"), event["actor"])
            in_doubt[step] = replace(info, running=running)
        elif kind == "command.finished" and step in in_doubt:
            info = in_doubt[step]
            in_doubt[step] = replace(
                info, finished=(*info.finished, (data["index"], data["status"])), running=None
            )
            command_changes(data)
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
        acknowledged=frozenset(acknowledged),
        last_seq=last_seq,
    )


@dataclass(frozen=True, slots=True)
class Happened:
    """One thing a run did or decided, for the story a resume tells before it goes on."""

    step: str | None
    """The step, choice or gate it is about (None for the run: the severity)."""
    what: str
    """ran, failed, done by hand, skipped, chose, changed, acknowledged, overrode, severity,
    settled (a step in doubt), announced."""
    detail: str
    """The rest, in a few words (`attempt 2`, `not applicable`, `b: Option B`)."""


def history(events: Iterable[Event]) -> list[Happened]:
    """What the run did and decided, in order: steps run, failed, skipped; choices made or changed;
    prerequisites acknowledged or overridden; the severity; steps in doubt settled."""
    told: list[Happened] = []
    for event in events:
        kind, step, data = event["type"], event["step"], event["data"]
        if kind == "step.finished":
            if data.get("manual"):
                told.append(Happened(step, "done by hand", ""))
            elif data["status"] in ("ok", "stopped"):
                told.append(Happened(step, "ran", data["status"]))
            else:
                code = f"exit {data['exit_code']}" if data["exit_code"] is not None else data["status"]
                told.append(Happened(step, "failed", code))
        elif kind == "step.skipped":
            told.append(Happened(step, "skipped", str(data["reason"])))
        elif kind == "choice.made":
            what = "changed" if data.get("changed_from") else "chose"
            told.append(Happened(step, what, f"{data['branch']}: {data.get('title', '')}".strip()))
        elif kind == "gate.item" and data["answer"] == "override":
            told.append(Happened(data["item"], "overrode", f"{data['text']} — {data.get('note', '')}"))
        elif kind == "gate.passed":
            told.append(Happened(step, "acknowledged", f"{data['items']} prerequisite(s)"))
        elif kind == "decision.made":
            told.append(Happened(None, "severity", str(data["severity"])))
        elif kind == "step.in-doubt":
            told.append(Happened(step, "settled", str(data["decision"])))
        elif kind == "template.announced":
            told.append(Happened(step, "announced", ""))
    return told
