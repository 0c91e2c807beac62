"""Past runs for the site: read from the run folder (later the shared store), matched to runbooks."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RunbookError, UsageError

__all__ = ["RunSummary", "match_runs", "post_mortem_html", "runs_for_site", "summarize"]


def runs_for_site(
    runs_dir: Path | None, store: str | None, damaged: dict[str, str] | None = None
) -> list[list[dict[str, Any]]]:
    """Every run's events, oldest run first. One place to read runs, so a store can replace it.
    A journal that cannot be read is left out and named in `damaged` (path → why): one broken
    run must not keep the others, or the runbooks, off the site.

    Raises:
        UsageError: `store` is given (not available yet), or `runs_dir` is not a folder.
    """
    if store is not None:
        raise UsageError("--store needs issue 4", "use --runs-dir DIR with a folder of runs for now")
    if runs_dir is None:
        return []
    if not runs_dir.is_dir():
        raise UsageError(
            f"--runs-dir {runs_dir}: no such folder", "point it at a folder of runs (.runbook/runs)"
        )
    from ..journal import JOURNAL, read_events

    runs = []
    for folder in sorted(runs_dir.iterdir()):
        journal = folder / JOURNAL
        if not journal.is_file():
            continue
        try:
            events, _ = read_events(journal)
        except RunbookError as error:
            if damaged is not None:
                damaged[str(journal)] = error.message
            continue
        if events:
            runs.append(events)
    return runs


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What the site shows of one run."""

    run: str
    runbook_path: str
    runbook_sha256: str
    procedure: str
    title: str
    operator: str
    started: str
    """UTC, `2026-11-28 22:35`."""
    status: str
    """ok, failed, aborted…, or `unfinished` when the journal has no end."""
    exit_code: int | None


def summarize(events: list[dict[str, Any]]) -> RunSummary | None:
    """The run's summary, or None when it never started properly."""
    start = next((e for e in events if e["type"] == "run.started"), None)
    if start is None:
        return None
    finish = next((e for e in reversed(events) if e["type"] == "run.finished"), None)
    resumed = next((e for e in reversed(events) if e["type"] == "run.resumed"), None)
    # A run resumed after its last finish is running again (or was killed): not yet settled.
    settled = finish is not None and (resumed is None or resumed["seq"] < finish["seq"])
    data = start["data"]
    return RunSummary(
        run=str(start["run"]),
        runbook_path=str(data["runbook"]["path"]),
        runbook_sha256=str(data["runbook"]["sha256"]),
        procedure=str(data["procedure"]["id"]),
        title=str(data["procedure"].get("title", "")),
        operator=str(data.get("operator") or start["actor"]),
        started=str(start["time"])[:16].replace("T", " "),
        status=str(finish["data"]["status"]) if settled and finish else "unfinished",
        exit_code=finish["data"].get("exit_code") if settled and finish else None,
    )


def match_runs(
    summaries: list[RunSummary], runbook: Path, sha256: str, bases: list[Path]
) -> list[RunSummary]:
    """The runs of this runbook: same file (its path resolved from where runs were started) or
    the same content."""
    target = runbook.resolve()

    def same(summary: RunSummary) -> bool:
        if summary.runbook_sha256 == sha256:
            return True
        path = Path(summary.runbook_path)
        candidates = [path] if path.is_absolute() else [base / path for base in bases]
        return any(c.resolve() == target for c in candidates)

    return [s for s in summaries if same(s)]


def post_mortem_html(events: list[dict[str, Any]], outputs_dir: Path | None) -> str | None:
    """The post-mortem page when the post-mortem module provides one, else None."""
    try:
        module = importlib.import_module("interpreter.postmortem")
    except ImportError:
        return None
    render = getattr(module, "render_html", None)
    if render is None:
        return None
    try:
        return str(render(events, outputs_dir))
    except RunbookError:
        return None
