"""`runbook site`: every runbook as a page, an index, search, and the runs, written incrementally."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import UsageError
from ..journal.summary import RunSummary
from .history import PastRun, post_mortem_html, run_card, runs_for_site
from .manifest import MANIFEST, Manifest, digest, write_if_changed
from .pages import build_pages
from .templates import assets, environment, fingerprint

__all__ = ["SiteReport", "build_site"]

_RESERVED = {"index.html", "search.html", "assets", "runs", "media"}


@dataclass(slots=True)
class SiteReport:
    """What a build did: files written, left as they were, removed; runbooks and run journals
    that could not be read (left out, the rest built)."""

    out_dir: str
    runbooks: int = 0
    runs: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _page_names(files: list[Path]) -> dict[Path, str]:
    """Each runbook's page, mirroring the folders below the runbooks' common folder."""
    resolved = [f.resolve() for f in files]
    base = Path(os.path.commonpath([p.parent for p in resolved]))
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in resolved:
        name = path.relative_to(base).with_suffix(".html").as_posix()
        if name.split("/")[0] in _RESERVED:
            name = "_" + name
        while name in taken:
            name = name.removesuffix(".html") + "-2.html"
        taken.add(name)
        names[path] = name
    return names


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: exists and is not a folder", "name a new or empty folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
        raise UsageError(
            f"-o {out_dir}: the folder is not empty and holds no site built by runbook",
            "name a new or empty folder, so nothing in it is overwritten",
        )


def build_site(
    paths: list[str],
    out_dir: Path,
    runs_dir: Path | None = None,
    store: str | None = None,
    today: dt.date | None = None,
    shellcheck: bool = True,
    jobs: int | None = None,
) -> SiteReport:
    """Build (or bring up to date) the static site for the runbooks `paths` name, in `out_dir`;
    `jobs` processes build the runbook pages (None: one per processor when there are enough).

    Raises:
        UsageError: a path does not exist, no runbook was found, `out_dir` is not ours to write,
            or the store cannot be reached.
    """
    from ..validate import collect

    today = today or dt.date.today()
    files = collect(paths)
    if not files:
        raise UsageError(
            "no runbooks found in " + " ".join(paths), "name Markdown files or folders holding *.md"
        )
    _check_out_dir(out_dir)
    report = SiteReport(str(out_dir), runbooks=len(files))
    past, read_output = runs_for_site(runs_dir, store, report.unreadable)
    out_dir.mkdir(parents=True, exist_ok=True)
    old = Manifest.load(out_dir)
    new = Manifest()
    names = _page_names(files)

    def emit(name: str, key: str, content: str | bytes, **extra: Any) -> None:
        (report.written if write_if_changed(out_dir / name, content) else report.unchanged).append(name)
        new.record(name, key, content, **extra)

    summaries = [run.summary for run in past]
    bases = [Path.cwd()] + ([runs_dir.resolve().parent.parent] if runs_dir else [])
    owners: dict[str, str] = {}
    rows, search = _runbook_pages(
        files, names, summaries, bases, today, shellcheck, old, new, out_dir, emit, report, owners, jobs
    )
    report.runs = _run_pages(past, owners, read_output, old, new, out_dir, emit, report)
    env = environment()
    common = {"version": __version__, "root": ""}
    emit(
        "index.html", "", env.get_template("index.html").render(rows=rows, today=today.isoformat(), **common)
    )
    emit("search.html", "", env.get_template("search.html").render(**common))
    for name, text in assets().items():
        emit(f"assets/{name}", "", text)
    index = json.dumps(search, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    emit("assets/search-index.js", "", f"window.RUNBOOK_SEARCH = {index};\n")
    for name in sorted(set(old.entries) - set(new.entries)):
        (out_dir / name).unlink(missing_ok=True)  # only ever files an earlier build wrote
        report.removed.append(name)
    new.save(out_dir)
    return report


def _runbook_pages(
    files: list[Path],
    names: dict[Path, str],
    summaries: list[RunSummary],
    bases: list[Path],
    today: dt.date,
    shellcheck: bool,
    old: Manifest,
    new: Manifest,
    out_dir: Path,
    emit: Any,
    report: SiteReport,
    owners: dict[str, str],
    jobs: int | None,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Each runbook's page (unless its inputs are unchanged); fills `owners`: run id → page."""
    from .gitlog import last_changes

    built = build_pages(
        files, names, summaries, bases, today, shellcheck, old, out_dir, last_changes(files), jobs
    )
    rows: list[dict[str, Any]] = []
    search: list[dict[str, str]] = []
    for file, page in zip(files, built, strict=True):
        if page.error:
            report.unreadable[str(file)] = page.error
        if page.entry is not None:
            new.entries[page.name] = page.entry
            (report.written if page.written else report.unchanged).append(page.name)
        for media, origin in page.media.items():
            emit(media, "", origin.read_bytes())
        owners.update((run, page.name) for run in page.runs)
        rows.append(page.row)
        search += page.search
    return rows, search


def _run_pages(
    past: list[PastRun],
    owners: dict[str, str],
    read_output: Callable[[str, str], bytes | None],
    old: Manifest,
    new: Manifest,
    out_dir: Path,
    emit: Any,
    report: SiteReport,
) -> int:
    from ..report.timeline import timeline_lines

    env = environment()
    count = 0
    for run in past:
        summary, events = run.summary, run.events
        if summary.id not in owners:
            continue  # a run of a runbook that is not in this site
        count += 1
        name = f"runs/{summary.id}.html"
        runbook_href = f"../{owners[summary.id]}"
        key = digest(fingerprint(), events, summary.status, runbook_href)
        entry = old.fresh(out_dir, name, key)
        if entry is not None:
            new.entries[name] = entry
            report.unchanged.append(name)
            continue
        page = post_mortem_html(
            events, functools.partial(read_output, summary.id), summary.status == "running"
        )
        if page is None:
            page = env.get_template("run.html").render(
                root="../",
                version=__version__,
                run=run_card(summary, name),
                runbook_href=runbook_href,
                lines=timeline_lines(events),
            )
        emit(name, key, page)
    return count
