"""The runbook pages of a site: each read, loaded, validated and rendered once, in order or spread
over the processors, and what the index, the search, the manifest and the report need of each."""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import RunbookError
from ..journal.summary import RunSummary
from ..perf import paused_gc
from ..workers import fanned_out, processes_for
from .history import match_runs, published_summary, run_card
from .manifest import Manifest, digest, write_if_changed
from .page import PageInput, media_name, overdue, render_page
from .templates import fingerprint

__all__ = ["Built", "build_pages"]

_AHEAD = 32
"""Pages read and validated ahead of the one being rendered, while shellcheck checks their blocks."""


@dataclass(slots=True)
class Built:
    """One runbook's page as built (or found up to date): what the rest of the site needs of it."""

    name: str
    """The page's path in the site."""
    row: dict[str, Any]
    """Its row in the index."""
    search: list[dict[str, str]] = field(default_factory=list)
    entry: dict[str, Any] | None = None
    """Its manifest entry; None when the runbook could not be read."""
    written: bool = False
    """True when the page was written, False when it was left as it was."""
    media: dict[str, Path] = field(default_factory=dict)
    """Images it shows, to copy: site path → source file (checked again when copied)."""
    runs: list[str] = field(default_factory=list)
    """The runs of this runbook (their pages link back to it)."""
    error: str = ""
    """Why the runbook could not be read."""
    refused: list[str] = field(default_factory=list)
    """Images it names that are not published, and why."""


@dataclass(slots=True)
class _Page:
    """A page on its way: up to date (`entry`), unreadable (`error`), or loaded and validated
    and waiting for shellcheck's findings before it is rendered."""

    file: Path
    path: Path
    """The file, resolved."""
    name: str
    git: Any
    key: str = ""
    entry: dict[str, Any] | None = None
    error: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)
    source: Any = None
    runbook: Any = None
    document: Any = None
    draft: Any = None


@dataclass(slots=True)
class _Build:
    """What every page of one build shares (a worker process inherits it when it is forked)."""

    files: list[Path]
    names: dict[Path, str]
    """Each runbook's page, by resolved path."""
    summaries: list[RunSummary]
    bases: list[Path]
    today: dt.date
    shellcheck: bool
    old: Manifest
    out_dir: Path
    changes: dict[Path, Any]
    pages_key: str
    root: Path
    """The folder the site is built from (images outside it are not published)."""
    displays: dict[Path, str]
    """Each runbook's path as the site shows it (relative, never the operator's home)."""

    def build(self, indices: list[int]) -> list[Built]:
        """The pages of `self.files[i]` for each index, in that order."""
        from ..validate import Validator

        built: list[Built] = []
        # Pages are finished in order; with shellcheck on, up to _AHEAD are validated before the
        # first of them waits for its findings, so that shellcheck works while the next are read.
        queue: deque[_Page] = deque()
        with Validator(self.today, self.shellcheck) as validator:
            for index in indices:
                # The garbage collector stays out of a page's work: a page makes hundreds of
                # thousands of objects and (its parser built once) no cycles worth a collection.
                with paused_gc():
                    queue.append(self._prepare(self.files[index], validator))
                    while queue and (
                        len(queue) > _AHEAD or queue[0].draft is None or validator.ready(queue[0].draft)
                    ):
                        built.append(self._finish(queue.popleft(), validator))
            while queue:
                with paused_gc():
                    built.append(self._finish(queue.popleft(), validator))
        return built

    def _prepare(self, file: Path, validator: Any) -> _Page:
        """Read the runbook; unless its page is up to date, load it and validate it."""
        from ..infer.load import load_document
        from ..parse.source import read_source

        path = file.resolve()
        page = _Page(file, path, self.names[path], self.changes.get(file))
        try:
            source = read_source(file)
        except RunbookError as error:
            page.error = error.message
            return page
        summaries = self.summaries
        display = self.displays.get(file, str(file))
        page.runs = [
            run_card(published_summary(s, display), f"runs/{s.id}.html")
            for s in (match_runs(summaries, file, source.sha256, self.bases) if summaries else [])
        ]
        inputs = [
            fingerprint(),
            source.sha256,
            display,
            page.name,
            self.pages_key,
            page.git and page.git.to_json(),
            page.runs,
            self.shellcheck,
        ]
        page.key = digest(*inputs)
        entry = self.old.fresh(self.out_dir, page.name, page.key)
        if entry is not None and self._still(entry):
            page.entry = entry  # and its images are what they were: their names hold their hashes
            return page
        page.source = source
        page.runbook, page.document = load_document(source)
        page.draft = validator.draft(file, (source, page.runbook))
        return page

    def _still(self, entry: dict[str, Any]) -> bool:
        """Whether a fresh entry's review flag and images are as they were. The manifest is a file
        in -o: an entry of another shape is not trusted, and its images are checked again."""
        try:
            return overdue(entry["summary"]["next_review"], self.today) == entry["overdue"] and all(
                media_name(Path(origin), self.root) == name for name, origin in entry["media"].items()
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            return False

    def _finish(self, page: _Page, validator: Any) -> Built:
        """Render the page and write it (or take it as it is)."""
        from ..plan.graph import graph_json

        runs = [run["run"] for run in page.runs]
        if page.error:
            blank = dict.fromkeys(("title", "owner", "status", "next_review"), "")
            counts = dict.fromkeys(("procedures", "errors", "warnings"), 0)
            display = self.displays.get(page.file, str(page.file))
            row = {**blank, **counts, "path": display, "page": None, "overdue": False, "git": page.git}
            return Built(page.name, {**row, "error": page.error}, error=page.error)
        if page.entry is not None:
            summary = page.entry["summary"]
            media = {name: Path(origin) for name, origin in page.entry["media"].items()}
            built = Built(page.name, {}, page.entry["search"], page.entry, False, media, runs)
        else:
            output = render_page(
                PageInput(
                    path=page.path,
                    display=self.displays.get(page.file, str(page.file)),
                    page=page.name,
                    text=page.source.text,
                    runbook=page.runbook,
                    graph=graph_json(page.runbook),
                    findings=validator.finish(page.draft).findings,
                    git=page.git,
                    runs=page.runs,
                    today=self.today,
                    pages=self.names,
                    parsed=(page.document.tokens, page.document.env),
                    version=__version__,
                    root=self.root,
                )
            )
            summary = output.summary
            flag = overdue(summary["next_review"], self.today)
            written = write_if_changed(self.out_dir / page.name, output.html)
            record = Manifest()
            copies = {name: str(origin) for name, origin in output.media.items()}
            extra = {"summary": summary, "search": output.search, "overdue": flag, "media": copies}
            record.record(page.name, page.key, output.html, **extra)
            entry = record.entries[page.name]
            built = Built(page.name, {}, output.search, entry, written, output.media, runs)
            built.refused = output.refused
        flag = overdue(summary["next_review"], self.today)
        built.row = {**summary, "git": page.git, "error": "", "overdue": flag}
        return built


def build_pages(
    files: list[Path],
    names: dict[Path, str],
    summaries: list[RunSummary],
    bases: list[Path],
    today: dt.date,
    shellcheck: bool,
    old: Manifest,
    out_dir: Path,
    changes: dict[Path, Any],
    jobs: int | None = None,
    root: Path | None = None,
    displays: dict[Path, str] | None = None,
) -> list[Built]:
    """Every runbook's page, in the order of `files`: built by `jobs` processes (None: one per
    processor, when there are runbooks enough), each page written as soon as it is rendered."""
    pages_key = digest(sorted(names.items()))
    build = _Build(
        files,
        names,
        summaries,
        bases,
        today,
        shellcheck,
        old,
        out_dir,
        changes,
        pages_key,
        root or Path(os.path.commonpath([f.resolve().parent for f in files])),
        displays or {},
    )
    return fanned_out(len(files), build.build, processes_for(len(files), jobs))
