"""A note added to a run's timeline from outside the run: another terminal, or afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .contract import Store
from .events import Event, envelope, parse_time
from .folds import open_steps, start

__all__ = ["add_note"]


def add_note(
    store: Store,
    run_id: str,
    text: str,
    *,
    step: str | None,
    actor: str,
    now: datetime,
    env: Mapping[str, str],
) -> Event:
    """Write a `note.added` event into a run (by id or unique prefix); returns it numbered.

    The note is about `step`, else the step the run is in now, if any. A secret the run declared,
    or one whose name says it is secret, is masked in the text as this terminal's `env` holds it.

    Raises:
        UsageError: no run, or several, match `run_id`.
    """
    from ..policy.masking import Masker
    from ..policy.secrets import add_environment

    full = store.resolve(run_id)
    events, _ = store.events(full)
    began = start(events)
    declared = set(began["data"].get("secrets", [])) if began else set()
    masker = add_environment(Masker(), env, declared)
    event = envelope(
        full,
        "note.added",
        step or next(reversed(open_steps(events)), None),
        {"text": masker.text(text), "from": "runbook note"},
        at=now,
        started=parse_time(began["time"]) if began else now,
        actor=actor,
        seq=(events[-1]["seq"] + 1) if events else 1,
    )
    return store.append(full, event)
