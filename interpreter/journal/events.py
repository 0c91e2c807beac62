"""Journal events: the catalogue of types, the envelope, the one time format, numbering and checking.

Every event is one JSON object (schemas/events.json) with the same envelope:

    {"v": 1, "seq": 7, "run": "20261128-223536-3fa2c1", "type": "step.finished",
     "time": "2026-11-28T22:36:01.123456Z", "elapsed": 25.4, "actor": "ana@laptop",
     "step": "2.3", "data": {...}}

`seq` is 1, 2, 3… per run with no gap; the store that writes an event numbers it (a run and a
`runbook note` may write at once) and chains it: `prev` is the hash of the event before it and
`hash` its own (chain.py), so `runbook verify` finds an event changed after it was written.
`time` is UTC; `elapsed` is seconds since the run started. This module is the only place that
builds an envelope or reads and writes its time; the folds over a stream of events are in
`folds.py`, the summary of a run in `summary.py`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from .. import jsonschemas
from ..errors import RunbookError

__all__ = [
    "CATALOGUE",
    "VERSION",
    "Event",
    "check",
    "elapsed",
    "encode",
    "envelope",
    "format_time",
    "numbered",
    "parse_time",
    "problem",
]

Event = dict[str, Any]
"""One journal event as it travels: the JSON object of schemas/events.json."""

VERSION = 1
"""The envelope's `v`."""

CATALOGUE: dict[str, str] = {
    "run.started": "A run began: the runbook (path, sha256, git commit), the procedure, the operator, "
    "the inputs (secrets masked), the answers given in advance and the mode.",
    "run.resumed": "A stopped or killed run goes on in a new process: the steps done and those in doubt.",
    "run.finished": "An attempt of the run ended, with its status and exit code (a resume may follow).",
    "decision.made": "A row of a decision table was chosen (the severity), with its response target.",
    "gate.item": "A prerequisite was answered: yes, no, or overridden with a note.",
    "gate.passed": "Every prerequisite of a gate was acknowledged.",
    "gate.refused": "A prerequisite was not met: the run stops.",
    "choice.made": "A branch of a choice was taken (an option, a variant, an alternative).",
    "input.set": "A variable or placeholder got its value (masked when secret), and where it came from.",
    "step.skipped": "A step was skipped, and why (not applicable, the operator's decision).",
    "step.confirmed": "A destructive step, or a HIGH-risk start, was confirmed by typing its word.",
    "step.started": "An attempt of a step began: its number and the commands exactly as they run.",
    "step.finished": "An attempt of a step ended: status, exit code, duration, each command's output file.",
    "command.started": "A command of a step's attempt is about to run: its index, text and process group.",
    "command.finished": "A command of a step's attempt ended: status, exit code, what it changed.",
    "step.back": "The operator went back from a step or choice to the decision before it, to change it.",
    "shell.opened": "The operator opened a shell at a step (what is done there does not carry into the run).",
    "shell.closed": "The operator's shell ended, with its exit status and how long it was open.",
    "step.in-doubt": "A resume found a step that started and never recorded its end: the operator's call.",
    "expectation.checked": "An expectation was checked against the output, or confirmed by the operator.",
    "note.added": "An operator's note, during the run or afterwards (`runbook note`).",
    "template.announced": "A message template was filled in and shown (an announcement).",
    "environment.snapshot": "The containers of the Docker engine at the start or the end of the run.",
    "session.opened": "The terminal was handed to a command the operator works in (ssh, psql, a pod's "
    "shell), with the commands shown for typing there; nothing typed inside is recorded.",
    "session.closed": "The operator left a session: its exit code, how long it lasted, and whether they "
    "said they did what was needed inside.",
}
"""Every event type and what it means, one line each: the vocabulary of everything that reads a
journal (the schema lists the same types; a test keeps the two and every reader in step)."""

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_time(moment: datetime) -> str:
    """An event's `time`: UTC to the microsecond, `2026-11-28T22:36:01.123456Z`."""
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """An event's `time` as an aware UTC datetime; the fraction of a second may be any length or
    absent (schemas/events.json allows both, and a journal written by another tool may use either).

    Raises:
        RunbookError: the text is not an event time.
    """
    whole, dot, fraction = text.removesuffix("Z").partition(".")
    try:
        if not text.endswith("Z") or (dot and not (fraction.isascii() and fraction.isdigit())):
            raise ValueError(text)
        moment = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    except ValueError as exc:
        raise RunbookError(f"not a journal time (UTC, ending in Z): {text!r}") from exc
    # Microseconds: a shorter fraction is padded, a longer one cut (nanoseconds from another tool).
    return moment.replace(microsecond=int((fraction + "000000")[:6]), tzinfo=timezone.utc)


def elapsed(started: datetime, now: datetime) -> float:
    """An event's `elapsed`: seconds from the run's start to `now`, to the millisecond, never negative."""
    return round(max(0.0, (now - started).total_seconds()), 3)


def envelope(
    run: str,
    kind: str,
    step: str | None,
    data: dict[str, Any],
    *,
    at: datetime,
    started: datetime,
    actor: str,
    seq: int = 1,
) -> Event:
    """A new event of type `kind` about `step`, happening `at`, in a run that started at `started`.

    `seq` is provisional: the store numbers the event after the last one it holds when it writes it.
    """
    return {
        "v": VERSION,
        "seq": seq,
        "run": run,
        "type": kind,
        "time": format_time(at),
        "elapsed": elapsed(started, at),
        "actor": actor,
        "step": step,
        "data": data,
    }


def problem(event: object) -> str | None:
    """What makes `event` not a journal event (schemas/events.json), or None when it is one."""
    return jsonschemas.first_error("events", event)


def check(event: Event) -> None:
    """Raises RunbookError when an event about to be written breaks the schema (a bug, said plainly)."""
    found = problem(event)
    if found:
        raise RunbookError(
            f"internal error: journal event breaks schemas/events.json at {found}",
            "please report this with the runbook attached",
        )


def numbered(event: Event, seq: int, prev: str) -> Event:
    """The event numbered `seq`, checked, and chained after the event whose hash is `prev`
    (chain.py), ready to be written (the stores call this, and only this).

    Raises:
        RunbookError: the event breaks schemas/events.json.
    """
    from .chain import link

    event["seq"] = seq
    event.pop("prev", None)
    event.pop("hash", None)
    check(event)
    return link(event, prev)


def encode(event: Event) -> bytes:
    """One line of a journal file: compact JSON, UTF-8, ending in a newline."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
