"""Events read from any store are checked before anything trusts them: form, run, order.

A journal is data that anyone with write access to the runs folder or the shared store can
edit, and what reads it (a resume restoring variables, an export writing files, the site and
the post-mortem reading outputs) acts on what it says. So every store checks what it reads the
way it checks what it writes: each event against schemas/events.json (run ids, output file names
and variable names have fixed forms there), each belonging to the run it is filed under, numbered
1, 2, 3… with no gap. The first event that is not is refused, naming the run, the event and what
is wrong; the events before it stay readable (`DamagedJournalError.readable`).
"""

from __future__ import annotations

from typing import Any

from ..errors import DamagedJournalError
from ..policy.paths import excerpt
from .events import Event, problem

__all__ = ["check_events"]


def _fault(event: object, run_id: str, expected: int) -> str | None:
    """What makes `event` not event number `expected` of run `run_id`, or None."""
    if not isinstance(event, dict):
        return f"not a JSON object but {type(event).__name__}"
    named = _name_fault(event)
    if named:
        return named
    found = problem(event)
    if found:
        return f"breaks schemas/events.json at {excerpt(found, 160)!r}"
    if event["run"] != run_id:
        return f"belongs to run {event['run']}"
    if event["seq"] != expected:
        return f"is numbered {event['seq']} where {expected} comes next"
    return None


def _names(event: dict[str, Any]) -> list[tuple[str, object]]:
    """The variable names an event hands to a later run (a resume restores them), by where."""
    data = event.get("data")
    if not isinstance(data, dict):
        return []
    kind = event.get("type")
    if kind in ("step.finished", "command.finished"):  # a resume restores both
        exports = data.get("exports")
        unset = data.get("unset")
        return [("exports", k) for k in (exports if isinstance(exports, dict) else ())] + [
            ("unsets", k) for k in (unset if isinstance(unset, list) else ())
        ]
    if kind == "run.started" and isinstance(data.get("inputs"), dict):
        return [("has the input", k) for k in data["inputs"]]
    if kind == "input.set" and not str(data.get("name", "")).startswith("placeholder:"):
        return [("sets", data.get("name"))]
    return []


def _name_fault(event: dict[str, Any]) -> str | None:
    """A variable name a resume would take from the event and must not (policy/names.py says
    which and why: a function, BASH_ENV, LD_PRELOAD…), or None."""
    from ..policy.names import refusal

    for where, name in _names(event):
        why = refusal(name) if isinstance(name, str) else "not a name"
        if why is not None:
            return f"{where} {excerpt(name, 60)!r}, refused: {why}"
    return None


def check_events(run_id: str, events: list[object], where: str, after: int = 0) -> list[Event]:
    """`events` when each is the next event of run `run_id` (the first numbered `after + 1`);
    `where` names the journal.

    Raises:
        DamagedJournalError: one is not (with the events before it).
    """
    for index, event in enumerate(events):
        fault = _fault(event, run_id, after + index + 1)
        if fault is not None:
            number = after + index + 1
            raise DamagedJournalError(
                f"{where}: run {run_id} event {number} {fault}; the journal is damaged or was edited",
                [e for e in events[:index] if isinstance(e, dict)],
                "the events before it are intact: `runbook timeline` shows them",
            )
    return [e for e in events if isinstance(e, dict)]
