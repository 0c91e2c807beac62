"""Past runs for the site: read from the run folder or the shared store, matched to runbooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RunbookError, UsageError

__all__ = ["RunSummary", "match_runs", "post_mortem_html", "runs_for_site", "summarize"]


def runs_for_site(
    runs_dir: Path | None, store: str | None, damaged: dict[str, str] | None = None
) -> tuple[list[list[dict[str, Any]]], Callable[[str, str], bytes | None]]:
    """Every run's events, oldest run first, and a reader of their output files, from the run
    folder or the shared store. A journal that cannot be read is left out and named in `damaged`
    (where → why): one broken run must not keep the others, or the runbooks, off the site.

    Raises:
        UsageError: `runs_dir` is not a folder, or the store cannot be reached.
    """
    if runs_dir is None and store is None:
        return [], lambda run, name: None
    if store is None and runs_dir is not None and not runs_dir.is_dir():
        raise UsageError(
            f"--runs-dir {runs_dir}: no such folder", "point it at a folder of runs (.runbook/runs)"
        )
    from ..journal.files import JOURNAL
    from ..journal.store import open_store

    where = open_store(str(runs_dir) if runs_dir else None, store)
    runs = []
    for run_id in where.run_ids():
        try:
            events, _ = where.events(run_id)
        except RunbookError as error:
            if damaged is not None:
                label = (
                    str(Path(where.where) / run_id / JOURNAL) if store is None else f"{where.where} {run_id}"
                )
                damaged[label] = error.message
            continue
        if events:
            runs.append(events)
    return runs, where.output


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


def post_mortem_html(events: list[dict[str, Any]], output: Callable[[str], bytes | None]) -> str | None:
    """The run's post-mortem as a page of its own, or None when its events cannot make one."""
    from ..report.postmortem import build, to_html

    try:
        return to_html(build(events, output))
    except RunbookError:
        return None
