"""The event envelope the run writes: one function, and its time format (journal.events will own both)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

__all__ = ["TIME_FORMAT", "envelope", "parse_time"]

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""UTC with microseconds, as every event's `time` is written."""


def envelope(
    run_id: str,
    seq: int,
    kind: str,
    now: datetime,
    started: datetime,
    actor: str,
    step: str | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """One event as `schemas/events.json` describes it; `seq` is renumbered by the journal after
    the last event on disk."""
    return {
        "v": 1,
        "seq": seq,
        "run": run_id,
        "type": kind,
        "time": now.strftime(TIME_FORMAT),
        "elapsed": round(max(0.0, (now - started).total_seconds()), 3),
        "actor": actor,
        "step": step,
        "data": data,
    }


def parse_time(text: str) -> datetime:
    """An event's `time` as an aware UTC datetime."""
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=timezone.utc)
