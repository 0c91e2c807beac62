"""Links of a runbook: in-page anchors (by the slug rules of the site that renders it) and files.

An in-page link is fine when it lands on a heading's slug, a written anchor (`{#id}`, an HTML
`id=`, a MyST `(label)=` target), or the top of the page (`#`, `#top`). In a MyST (Sphinx)
project `[text](#label)` may name a target in another file, which Sphinx resolves project-wide:
such a link, in a file written for MyST or with a label no slug could be (`#howto:upgrade`), is a
`links/reference` warning, dropped when a file validated together defines the target.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from ..model.runbook import Runbook
from ..parse.anchors import SLUG_STYLES, SlugStyle, unique_slugs
from ..parse.source import Finding

__all__ = ["Reference", "check_links", "is_myst", "resolve_references", "slug_style"]

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_TOP = frozenset({"", "top"})
_MYST = re.compile(
    r"^\([^()\s]+\)=\s*$|^\s*(?:```|~~~|:::)\{[\w:.-]+\}|\{(?:ref|doc|term|numref)\}`|\[\]\(#", re.M
)
_SLUG_LIKE = re.compile(r"^[\w-]*$")
_LABEL = re.compile(r"^[\w:-]+$")  # no dot, no slash: not a file


@dataclass(frozen=True, slots=True)
class Reference:
    """A `#label` link that matches nothing in its own file, which a MyST target elsewhere may define."""

    label: str
    """The label, lower-cased."""
    finding: Finding
    """The finding reported for it, withdrawn when a file validated together defines the target."""


def slug_style(runbook: Runbook, default: SlugStyle | None) -> tuple[SlugStyle, bool]:
    """The file's own `slugs:` front matter key, else the default (`--slugs`), else GitHub's; and
    whether it was chosen (front matter or flag) rather than assumed."""
    written = str(runbook.front_matter.get("slugs", "")).lower()
    chosen = next((style for style in SLUG_STYLES if style == written), default)
    return (chosen, True) if chosen is not None else ("github", False)


_MYST_MARKS = (")=", "```{", "~~~{", ":::{", "}`", "[](#")
"""Text each way of `_MYST` to match holds: a file with none of them is not scanned."""


def is_myst(text: str) -> bool:
    """Whether the text is written for MyST (Sphinx): targets, directive fences, roles, `[](#label)`."""
    return (
        ("(" in text or "{" in text)
        and any(mark in text for mark in _MYST_MARKS)
        and _MYST.search(text) is not None
    )


def anchors_of(runbook: Runbook, style: SlugStyle) -> set[str]:
    """Every anchor of the runbook, lower-cased, as `style`'s site renders its headings."""
    return {a.lower() for a in (*runbook.anchors, *unique_slugs(runbook.headings, style))}


def check_links(
    runbook: Runbook, style: SlugStyle, myst: bool, chosen: bool = True
) -> tuple[list[Finding], list[Reference]]:
    """Findings for broken links, and those of them that a MyST target in another file may mend.

    `chosen`: the slug style was said (flag or front matter). When it was only assumed, a link
    that lands on a heading as another site computes anchors (`#gov-uk-teams`, Redcarpet's) is a
    `links/anchor-style` warning, not an error: the page may well be rendered by that site."""
    findings: list[Finding] = []
    references: list[Reference] = []
    anchors: set[str] | None = None
    base = Path(runbook.path).parent
    for link in runbook.links:
        target = link.target
        if _SCHEME.match(target) or target.startswith("//"):
            continue  # http:, mailto: and the like are not checked offline
        path, _, fragment = target.partition("#")
        if path and not (myst and _LABEL.match(path) and not _exists(base / unquote(path))):
            findings += _file(runbook, base, path, link.line, link.column)
            continue
        # MyST reads `[text](label)`, a bare word naming no page, as a reference to `(label)=`.
        fragment = unquote(fragment or path).lower()
        if fragment in _TOP:
            continue
        anchors = anchors_of(runbook, style) if anchors is None else anchors
        if fragment in anchors:
            continue
        elsewhere = _other_style(runbook, style, fragment)
        if elsewhere and not chosen:
            findings.append(
                Finding.of(
                    "links/anchor-style",
                    runbook.path,
                    link.line,
                    f"link to #{fragment} lands on a heading only as {elsewhere} computes anchors, "
                    f"not {style}",
                    f"if the site renders with {elsewhere}, say so: `slugs: {elsewhere}` in front "
                    f"matter or --slugs {elsewhere}; else use the heading's {style} anchor",
                    link.column,
                )
            )
            continue
        if myst or not _SLUG_LIKE.match(fragment):
            finding = Finding.of(
                "links/reference",
                runbook.path,
                link.line,
                f"link to #{fragment} matches no heading or target here nor in the files validated",
                "define the target with a (label)= line above a heading, or fix the label",
                link.column,
            )
        else:
            finding = Finding.of(
                "links/anchor",
                runbook.path,
                link.line,
                f"link to #{fragment} matches no heading or anchor in this file",
                f"use the heading's anchor as {style} computes it, or write {{#{fragment}}} after "
                "the heading (`runbook list` shows headings)",
                link.column,
            )
        findings.append(finding)
        references.append(Reference(fragment, finding))
    return findings, references


def _other_style(runbook: Runbook, style: SlugStyle, fragment: str) -> str:
    """The other slug style under which the fragment is a heading's anchor, else ""."""
    for other in SLUG_STYLES:
        if other != style and fragment in anchors_of(runbook, other):
            return other
    return ""


# Issue and merge request templates are shown in an issue, where GitLab resolves links from the
# repository's root, not from the template's folder.
_TEMPLATES = (".gitlab/issue_templates", ".gitlab/merge_request_templates")


def _file(runbook: Runbook, base: Path, path: str, line: int, column: int) -> Iterator[Finding]:
    path = path.split("?", 1)[0]
    posix = base.as_posix()
    template = next((t for t in _TEMPLATES if posix.endswith(t) or f"{t}/" in posix), None)
    if template is not None and not path.startswith(("/", "../", "./")):
        base = Path(posix[: posix.index(template)] or ".")
    if path.startswith("/"):
        root = _repository_root(base.resolve())
        if root is None:
            return  # a site-absolute link: only a repository says where / is
        candidate = root / unquote(path.lstrip("/"))
    else:
        candidate = base / unquote(path)
    if not _exists(candidate):
        yield Finding.of(
            "links/file",
            runbook.path,
            line,
            f"link to {path}: no such file",
            "fix the path (relative to this runbook) or remove the link",
            column,
        )


# What a site generator serves for a link to `X`: its page source under another name.
_SOURCES = (".md", ".markdown", ".rst", ".ipynb", ".html.md", ".html.md.erb", ".mdx")


def _exists(candidate: Path) -> bool:
    """The file, or the page source a docs site builds it from (`a.html` from `a.html.md` or `a.md`,
    `a/` or `a` from `a.md`), exists."""
    if candidate.exists():
        return True
    name = candidate.name
    stem = name[: -len(".html")] if name.endswith(".html") else name
    if not stem:
        return False
    return any(candidate.with_name(stem + suffix).exists() for suffix in _SOURCES) or any(
        candidate.with_name(name + suffix).exists() for suffix in _SOURCES if stem != name
    )


@lru_cache(maxsize=256)
def _repository_root(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def resolve_references(references: list[Reference], targets: set[str]) -> list[Finding]:
    """The findings withdrawn because a MyST target in a file validated together defines the label."""
    return [r.finding for r in references if r.label in targets]
