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
from urllib.parse import quote

from .. import __version__
from ..errors import RunbookError, UnsafeDataError, UsageError
from ..journal.summary import RunSummary
from ..policy.paths import check_run_id, confined
from .history import PastRun, post_mortem_html, published, published_summary, run_card, runs_for_site
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
    refused: list[str] = field(default_factory=list)
    """What data asked for that the site does not do, one line each (an image outside the
    runbooks' folder, a runbook that is a symlink out of it): left out, the rest built."""

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


def _source_root(paths: list[str]) -> Path:
    """The folder the site is built from: the folders named, and the folders of files named. A
    runbook or image found there that leads outside it (a symlink, `../`) is not published."""
    folders = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    return Path(os.path.commonpath(folders))


def _display(file: Path, root: Path) -> str:
    """A runbook's path as the site shows it: as named when that is relative and inside the
    current folder, else relative to the site's source folder (no local absolute path is published)."""
    if not file.is_absolute() and ".." not in file.parts:
        return file.as_posix()
    return file.resolve().relative_to(root).as_posix()


def _confined_files(files: list[Path], root: Path, report: SiteReport) -> list[Path]:
    """The runbooks that are inside `root` once symlinks are resolved; the others are refused."""
    kept = []
    for file in files:
        try:
            confined(root, file.resolve(), "runbook")
        except UnsafeDataError as error:
            report.refused.append(f"{file}: {error.message}")
            continue
        kept.append(file)
    return kept


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
    report = SiteReport(str(out_dir))
    root = _source_root(paths)
    files = _confined_files(files, root, report)
    report.runbooks = len(files)
    past, read_output = runs_for_site(runs_dir, store, report.unreadable)
    out_dir.mkdir(parents=True, exist_ok=True)
    old = Manifest.load(out_dir)
    new = Manifest()
    names = _page_names(files) if files else {}

    def emit(name: str, key: str, content: str | bytes, **extra: Any) -> None:
        target = confined(out_dir, name, "site file")  # every name the site writes stays in -o
        (report.written if write_if_changed(target, content) else report.unchanged).append(name)
        new.record(name, key, content, **extra)

    summaries = [run.summary for run in past]
    bases = [Path.cwd()] + ([runs_dir.resolve().parent.parent] if runs_dir else [])
    owners: dict[str, tuple[str, str]] = {}
    displays = {file: _display(file, root) for file in files}
    rows, search = _runbook_pages(
        files,
        names,
        summaries,
        bases,
        today,
        shellcheck,
        old,
        new,
        emit,
        report,
        owners,
        jobs,
        (root, displays),
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
        # Only ever files an earlier build wrote, and only inside -o: the manifest is a file in
        # the folder, and Manifest.load keeps only the names that stay in it.
        (out_dir / name).unlink(missing_ok=True)
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
    emit: Any,
    report: SiteReport,
    owners: dict[str, tuple[str, str]],
    jobs: int | None,
    where: tuple[Path, dict[Path, str]],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Each runbook's page (unless its inputs are unchanged); fills `owners`: run id → (page, the
    runbook's path as shown). `where`: the source folder, and each runbook's path as shown."""
    from .gitlog import last_changes
    from .images import image_file

    root, displays = where
    out_dir = Path(report.out_dir)
    built = (
        build_pages(
            files, names, summaries, bases, today, shellcheck, old, out_dir, last_changes(files), jobs, *where
        )
        if files
        else []
    )
    rows: list[dict[str, Any]] = []
    search: list[dict[str, str]] = []
    for file, page in zip(files, built, strict=True):
        if page.error:
            report.unreadable[str(file)] = page.error
        report.refused += [f"{displays[file]}: {message}" for message in page.refused]
        if page.entry is not None:
            new.entries[page.name] = page.entry
            (report.written if page.written else report.unchanged).append(page.name)
        for media, origin in page.media.items():
            try:  # checked again as it is copied: what is published is what was checked
                image = image_file(root, origin)
            except RunbookError as error:
                report.refused.append(f"{displays[file]}: image {origin.name!r}{error.message}")
                continue
            if image is not None and image.name == media:
                emit(media, "", image.data)
        owners.update((run, (page.name, displays[file])) for run in page.runs)
        rows.append(page.row)
        search += page.search
    return rows, search


def _run_pages(
    past: list[PastRun],
    owners: dict[str, tuple[str, str]],
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
        if run.summary.id not in owners:
            continue  # a run of a runbook that is not in this site
        runbook_page, display = owners[run.summary.id]
        # As published: the runbook's path as the site shows it, operators without their hosts.
        events = published(run.events, display)
        summary = published_summary(run.summary, display)
        count += 1
        name = f"runs/{check_run_id(summary.id, 'the runs')}.html"
        runbook_href = f"../{quote(runbook_page)}"
        key = digest(fingerprint(), events, summary.status, runbook_href)
        entry = old.fresh(out_dir, name, key)
        if entry is not None:
            new.entries[name] = entry
            report.unchanged.append(name)
            continue
        try:
            page = post_mortem_html(
                events, functools.partial(read_output, summary.id), summary.status == "running"
            )
        except UnsafeDataError as error:
            report.unreadable[f"run {summary.id}"] = error.message
            page = None  # the timeline alone, without the outputs
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
