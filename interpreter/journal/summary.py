"""One run in a line, and the words for how it stands: what `runbook runs`, `follow` and the site say.

The status of a run is how its last attempt ended (the `status` of its `run.finished`), or, when
the last attempt recorded no end, whether a process still works on it:

| status | meaning | exit code |
|---|---|---|
| `ok` | every step ran or was skipped by decision | 0 |
| `failed` | a step failed and the operator stopped there | 1 |
| `aborted` | the operator aborted the run | 1 |
| `refused` | a prerequisite was not met | 1 |
| `unanswered` | a question had no answer and nobody to ask | 2 |
| `errored` | the run stopped on an error (a bad answer, a runbook that changed) | 2 or 3 |
| `interrupted` | Ctrl-C at a prompt, SIGTERM or a closed terminal | 130, 143, 129 |
| `running` | no end recorded, and a process holds the run: `runbook follow` shows it | none |
| `killed` | no end recorded, and no process holds it: `runbook resume` continues it | none |

Every stopped status but `ok` can be resumed too. There is no third word for "no end": a reader
that cannot know whether a process holds the run asks the store (`Store.is_live`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .events import Event
from .folds import ending, start

__all__ = ["ENDED", "STATUSES", "UNENDED", "RunSummary"]

ENDED = ("ok", "failed", "aborted", "refused", "unanswered", "errored", "interrupted")
"""Statuses of a `run.finished` event (schemas/events.json)."""
UNENDED = ("running", "killed")
"""Statuses of a run whose last attempt recorded no end."""
STATUSES = ENDED + UNENDED


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One run as `runbook runs`, `runbook follow` and the site show it."""

    id: str
    """The run's id, `20261128-223536-3fa2c1`."""
    runbook: str
    """The runbook's path as the run recorded it (`?` when the journal lost its start)."""
    runbook_sha256: str | None
    """The runbook's content hash when the run started."""
    procedure: str
    """The procedure's title (`?` when unknown)."""
    procedure_id: str | None
    """The procedure's id in the graph (`2`, `pre-rollback-checklist`)."""
    operator: str
    """user@host of who started it."""
    started: str
    """When it started, as the journal writes time (UTC, `2026-11-28T22:35:36.123456Z`)."""
    duration: float | None
    """Seconds from its start to its last event (None for an empty journal)."""
    status: str
    """One of STATUSES (see the table above)."""
    exit_code: int | None
    """The exit code of its last attempt, None when it recorded no end."""

    @classmethod
    def of(cls, run_id: str, events: list[Event], live: bool) -> RunSummary:
        """The summary of a run from its events; `live` says whether a process holds it now."""
        began = start(events)
        end = ending(events)
        data: dict[str, Any] = began["data"] if began else {}
        procedure = data.get("procedure", {})
        return cls(
            id=run_id,
            runbook=str(data.get("runbook", {}).get("path", "?")),
            runbook_sha256=data.get("runbook", {}).get("sha256"),
            procedure=str(procedure.get("title", "?")),
            procedure_id=procedure.get("id"),
            operator=str(data.get("operator") or (events[0]["actor"] if events else "?")),
            started=str(began["time"] if began else (events[0]["time"] if events else "")),
            duration=events[-1]["elapsed"] if events else None,
            status=str(end["data"]["status"]) if end else ("running" if live else "killed"),
            exit_code=end["data"]["exit_code"] if end else None,
        )

    @property
    def ended(self) -> bool:
        """Its last attempt recorded how it ended."""
        return self.status not in UNENDED

    def as_json(self) -> dict[str, Any]:
        """One element of `runbook runs --json`."""
        return {
            "id": self.id,
            "runbook": self.runbook,
            "procedure": self.procedure,
            "operator": self.operator,
            "started": self.started,
            "duration": self.duration,
            "status": self.status,
            "exit_code": self.exit_code,
        }
