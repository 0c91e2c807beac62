"""Past runs for the site: read from the run folder or the shared store, matched to runbooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import RunbookError, UnsafeDataError, UsageError
from ..journal.events import Event
from ..journal.folds import start
from ..journal.summary import RunSummary

__all__ = [
    "PastRun",
    "match_runs",
    "post_mortem_html",
    "published",
    "published_summary",
    "run_card",
    "runs_for_site",
]


@dataclass(frozen=True, slots=True)
class PastRun:
    """A run the site shows: its summary (the words `runbook runs` uses) and its events."""

    summary: RunSummary
    events: list[Event]


def runs_for_site(
    runs_dir: Path | None, store: str | None, damaged: dict[str, str] | None = None
) -> tuple[list[PastRun], Callable[[str, str], bytes | None]]:
    """Every run that started, in the order of their ids (oldest first), and a reader of their
    output files, from the run folder or the shared store. A journal that cannot be read is left
    out and named in `damaged` (where → why): one broken run must not keep the others, or the
    runbooks, off the site.

    Raises:
        UsageError: `runs_dir` is not a folder, or the store cannot be reached.
    """
    if runs_dir is None and store is None:
        return [], lambda run, name: None
    if store is None and runs_dir is not None and not runs_dir.is_dir():
        raise UsageError(
            f"--runs-dir {runs_dir}: no such folder", "point it at a folder of runs (.runbook/runs)"
        )
    from ..journal.store import open_store

    where = open_store(str(runs_dir) if runs_dir else None, store)
    runs = []
    for run_id in where.run_ids():
        try:
            events, _ = where.events(run_id)
        except RunbookError as error:
            if damaged is not None:
                damaged[where.label(run_id)] = error.message
            continue
        if start(events) is not None:  # a run that never started has nothing to show
            runs.append(PastRun(RunSummary.of(run_id, events, where.is_live(run_id)), events))
    return runs, where.output


def _user(actor: str) -> str:
    """`ana@laptop` → `ana`: who acted, without the machine."""
    return actor.rsplit("@", 1)[0] or actor


def published(events: list[Event], display: str) -> list[Event]:
    """A run's events as the site publishes them. The site is read more widely than a post-mortem
    written on purpose: operators are kept by name (who did what is the point of a timeline) but
    not their machines, the runbook's path is the one the site shows (relative to its folder, not
    the operator's home), and the folder the run started in is left out."""
    out = []
    for event in events:
        event = {**event, "actor": _user(str(event["actor"]))}
        if event["type"] == "run.started":
            data = {k: v for k, v in event["data"].items() if k != "cwd"}
            data["operator"] = _user(str(data.get("operator", "")))
            data["host"] = ""
            data["runbook"] = {**data.get("runbook", {}), "path": display}
            event["data"] = data
        out.append(event)
    return out


def published_summary(summary: RunSummary, display: str) -> RunSummary:
    """A run's summary as the site shows it (see `published`)."""
    return replace(summary, runbook=display, operator=_user(summary.operator))


def run_card(summary: RunSummary, href: str) -> dict[str, Any]:
    """What the pages show of one run (a runbook's card, a run's own page)."""
    return {
        "run": summary.id,
        "runbook_path": summary.runbook,
        "procedure": summary.procedure_id,
        "title": summary.procedure,
        "operator": summary.operator,
        "started": summary.started[:16].replace("T", " "),  # UTC, to the minute
        "status": summary.status,
        "exit_code": summary.exit_code,
        "href": href,
    }


def match_runs(
    summaries: list[RunSummary], runbook: Path, sha256: str, bases: list[Path]
) -> list[RunSummary]:
    """The runs of this runbook: same file (its path resolved from where runs were started) or
    the same content."""
    target = runbook.resolve()

    def same(summary: RunSummary) -> bool:
        if summary.runbook_sha256 == sha256:
            return True
        path = Path(summary.runbook)
        candidates = [path] if path.is_absolute() else [base / path for base in bases]
        return any(c.resolve() == target for c in candidates)

    return [s for s in summaries if same(s)]


def post_mortem_html(
    events: list[Event], output: Callable[[str], bytes | None], live: bool = False
) -> str | None:
    """The run's post-mortem as a page of its own, or None when its events cannot make one."""
    from ..report.postmortem import build, to_html

    try:
        return to_html(build(events, output, live=live))
    except UnsafeDataError:
        raise  # an output file refused (outside its run): said, not hidden behind a plainer page
    except RunbookError:
        return None
