"""One runbook's page: its Markdown with a card per procedure and findings beside their lines."""

from __future__ import annotations

import bisect
import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from ..errors import RunbookError
from ..parse.source import Finding
from ..plan.typed import group_typed, where_words
from .drawing import graph_svg
from .gitlog import LastChange
from .images import image_file, site_image
from .markdown import relative, render_markdown
from .templates import environment

__all__ = ["PageInput", "PageOutput", "media_name", "overdue", "render_page"]

_TAGS = re.compile(r"<[^<>]*>")  # not `[^>]*`: from every `<` of a long line to its end
_SEARCH_TEXT = 20_000  # characters of one entry's text in the search index


@dataclass(slots=True)
class PageInput:
    """Everything one runbook page depends on."""

    path: Path
    display: str
    """The path as the user named it, used in the `runbook run` command."""
    page: str
    """Where the page goes, relative to the site root (`runbooks/rollback-procedures.html`)."""
    text: str
    runbook: Any
    graph: dict[str, Any]
    findings: list[Finding]
    git: LastChange | None
    runs: list[dict[str, Any]]
    """Summaries of this runbook's runs (oldest first), each with the `href` of its page."""
    today: dt.date
    pages: dict[Path, str]
    """Every runbook in the site by resolved path, for links between them."""
    version: str
    parsed: tuple[tuple[Any, ...], dict[str, Any]] | None = None
    """The loader's block tokens and parse environment, finished here instead of parsing again."""
    root: Path | None = None
    """The folder the site is built from: images outside it are not published (images.py)."""


@dataclass(slots=True)
class PageOutput:
    html: str
    summary: dict[str, Any]
    search: list[dict[str, str]]
    media: dict[str, Path] = field(default_factory=dict)
    """Images the page shows: site path → source file (checked by images.py, and again when copied)."""
    refused: list[str] = field(default_factory=list)
    """Images the page names that are not published, and why (one line each)."""


def media_name(file: Path, root: Path) -> str | None:
    """Where an image is copied in the site, named by its content; None when it is not one to
    copy any more (gone, or refused: see images.py)."""
    try:
        image = image_file(root, file)
    except RunbookError:
        return None
    return image.name if image is not None else None


def overdue(next_review: str, today: dt.date) -> bool:
    try:
        return dt.date.fromisoformat(next_review[:10]) < today
    except ValueError:
        return False


class _Links:
    """Link targets as the site needs them: other runbooks' pages, copied images."""

    def __init__(self, data: PageInput) -> None:
        self.data = data
        self.media: dict[str, Path] = {}
        self.refused: list[str] = []

    def page(self, target: str) -> str:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:
            return target
        resolved = (self.data.path.parent / parts.path).resolve()
        if resolved in self.data.pages:
            href = quote(relative(self.data.pages[resolved], self.data.page))
            return href + (f"#{parts.fragment}" if parts.fragment else "")
        return target

    def image(self, src: str) -> str | None:
        try:
            image = site_image(self.data.root or self.data.path.parent, self.data.path.parent, src)
        except RunbookError as error:
            self.refused.append(error.message)
            return None
        if image is None:
            return None
        if image.name is None:
            return image.src  # an SVG, inline
        self.media[image.name] = image.file
        return quote(relative(image.name, self.data.page))


def _unit_text(unit: dict[str, Any]) -> str:
    parts = [unit["title"], unit.get("use_case") or ""]
    for node in unit["nodes"]:
        parts.append(node["title"])
        parts += node.get("prose", [])
        parts += [item["text"] for item in node.get("items", [])]
        parts += [block["code"] for block in node.get("blocks", [])]
    return " ".join(p for p in parts if p)[:_SEARCH_TEXT]


def _typed_notes(graph: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """By a block's first line: the sessions its commands open and where its typed commands go."""
    notes: dict[int, dict[str, Any]] = {}
    for unit in [*graph["procedures"], *graph["sections"]]:
        for node in unit["nodes"]:
            for block in node.get("blocks", []):
                opened = [c["session"] for c in block["commands"] if c["session"]]
                groups = [
                    (where_words(where), len(group), any(c["destructive"] for c in group))
                    for where, group in group_typed(block["typed"])
                ]
                if opened or groups:
                    notes[block["span"]["start"]] = {"sessions": opened, "groups": groups}
    return notes


def _unit_title(unit: dict[str, Any]) -> str:
    return f"Procedure {unit['number']}: {unit['title']}" if unit.get("number") is not None else unit["title"]


def render_page(data: PageInput) -> PageOutput:
    """The page's HTML, its row in the index and its entries in the search index."""
    env = environment()
    links = _Links(data)
    marked = frozenset(f.line for f in data.findings)
    numbered = sorted(enumerate(data.findings, start=1), key=lambda item: item[1].line)
    lines = [f.line for _, f in numbered]
    placed: set[int] = set()
    aside = env.get_template("findings.html")

    typed_notes = _typed_notes(data.graph)
    typed_aside = env.get_template("typed.html")

    def annotate(start: int, end: int) -> str:
        """The findings on these lines not shown yet, as an aside right after their block; and
        for a block with commands typed elsewhere or a session, where they go."""
        first, last = bisect.bisect_left(lines, start), bisect.bisect_right(lines, end)
        here = [(n, f) for n, f in numbered[first:last] if n not in placed]
        placed.update(n for n, _ in here)
        note = typed_notes.pop(start, None)
        typed = str(typed_aside.render(**note, start=start, end=end)) if note else ""
        return (str(aside.render(findings=here, start=start, end=end)) if here else "") + typed

    rendered = render_markdown(data.text, links.page, links.image, marked, annotate, data.parsed)
    units = [*data.graph["procedures"], *data.graph["sections"]]
    by_start = {u["span"]["start"]: u for u in units}
    root = "../" * len(PurePosixPath(data.page).parent.parts)
    card = env.get_template("card.html")
    body: list[str] = []
    for chunk in rendered.chunks:
        body.append(chunk.html + annotate(chunk.start, chunk.end))
        for line in range(chunk.start, chunk.end + 1):
            unit = by_start.pop(line, None)
            if unit is not None:
                body.append(_card(card, unit, data, root))
    for unit in by_start.values():  # a unit whose heading was not found still gets its card
        body.append(_card(card, unit, data, root))
    leftover = sorted(((n, f) for n, f in numbered if n not in placed), key=lambda item: item[0])
    if leftover:
        body.append(aside.render(findings=leftover, start=0, end=0))
    meta = data.graph["runbook"]["metadata"]
    title = data.graph["runbook"]["title"] or data.path.stem
    counts = {s: sum(1 for f in data.findings if f.severity == s) for s in ("error", "warning", "info")}
    is_overdue = overdue(meta["next_review"], data.today)
    page_html = env.get_template("runbook.html").render(
        root=root,
        version=data.version,
        title=title,
        path=data.display,
        meta=meta,
        overdue=is_overdue,
        git=data.git,
        findings=data.findings,
        counts=counts,
        units=[{"title": _unit_title(u), "anchor": u["anchor"], "risk": u["risk"]} for u in units],
        body=Markup("".join(body)),
    )
    # Page addresses are percent-encoded: a runbook named `javascript:x.md` must not make a link
    # whose first segment reads as a scheme.
    href = quote(data.page)
    summary = {
        "page": href,
        "path": data.display,
        "title": title,
        "owner": meta["owner"],
        "status": meta["status"],
        "next_review": meta["next_review"],
        "procedures": len(data.graph["procedures"]),
        "errors": counts["error"],
        "warnings": counts["warning"],
    }
    search = [{"title": title, "url": href, "runbook": title, "kind": "runbook", "text": data.display}]
    search += [
        {
            "title": _unit_title(u),
            "url": f"{href}#{u['anchor']}",
            "runbook": title,
            "kind": "procedure" if u["kind"] == "procedure" else "section",
            "text": _unit_text(u),
        }
        for u in units
    ]
    search += [
        {
            "title": heading,
            "url": f"{href}#{anchor}",
            "runbook": title,
            "kind": "heading",
            "text": _TAGS.sub(" ", text)[:_SEARCH_TEXT],
        }
        for heading, anchor, text in rendered.sections
        if anchor not in {u["anchor"] for u in units}  # a procedure's own entry says more
    ]
    return PageOutput(page_html, summary, search, links.media, links.refused)


def _card(template: Any, unit: dict[str, Any], data: PageInput, root: str) -> str:
    runs = [r for r in data.runs if r["procedure"] == unit["id"]]
    runs = [{**r, "href": root + r["href"]} for r in runs]
    command = f"runbook run {shlex.quote(data.display)} --procedure {shlex.quote(unit['id'])}"
    return str(template.render(unit=unit, runs=runs, command=command, svg=Markup(graph_svg(unit))))
