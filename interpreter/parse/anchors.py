"""Where an in-page link can land: heading slugs (GitHub's and GitLab's rules), `{#id}` heading
attributes, HTML `id=`/`name=` attributes and MyST `(label)=` targets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Literal

__all__ = [
    "SLUG_STYLES",
    "SlugStyle",
    "block_attribute_id",
    "heading_attributes",
    "html_ids",
    "myst_target",
    "slugify",
    "unique_slugs",
]

SlugStyle = Literal["github", "gitlab", "redcarpet"]
SLUG_STYLES: tuple[SlugStyle, ...] = ("github", "gitlab", "redcarpet")

_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_HYPHENS = re.compile(r"-{2,}")


def slugify(text: str, style: SlugStyle = "github") -> str:
    """The anchor a heading's plain text gets (before de-duplication).

    Both sites lower-case the text, drop everything but letters, digits, `_`, `-` and spaces,
    and turn each space into a hyphen (github.com's html-pipeline and GitLab's Banzai
    TableOfContentsFilter); GitLab then squeezes runs of hyphens into one, so `Step 1 - Stop`
    is `step-1---stop` on GitHub and `step-1-stop` on GitLab. Redcarpet (Middleman) turns each
    run of punctuation and spaces into one hyphen: `GOV.UK teams` is `gov-uk-teams`.
    """
    if style == "redcarpet":
        return _redcarpet(text)
    slug = _DROP.sub("", text.strip().lower()).replace(" ", "-")
    return _HYPHENS.sub("-", slug) if style == "gitlab" else slug


# Redcarpet's `with_toc_data` (Middleman sites, GOV.UK's tech docs): each run of these characters,
# or of non-ASCII ones, becomes one hyphen, none at either end: `GOV.UK teams` is `gov-uk-teams`.
# Compiled at first use (3 ms: the range of every non-ASCII character), not by every command that
# imports this module; most runbooks are never read by Redcarpet's rules.
@cache
def _redcarpet_breaks() -> re.Pattern[str]:
    return re.compile(r"""[ \-&+$,/:;=?@"#{}|^~\[\]`\\*()%.!'\x80-\U0010ffff]+""")


def _redcarpet(text: str) -> str:
    return _redcarpet_breaks().sub("-", text.lower()).strip("-")


def unique_slugs(texts: Iterable[str], style: SlugStyle = "github") -> list[str]:
    """Each heading's anchor in document order: a repeated one gets `-1`, `-2`, … as both sites do."""
    seen: dict[str, int] = {}
    slugs = []
    for text in texts:
        base = slugify(text, style)
        count = seen.get(base)
        seen[base] = 0 if count is None else count + 1
        slugs.append(base if count is None else f"{base}-{count + 1}")
    return slugs


# One attribute of a `{#id .class key=value}` list (kramdown, Pandoc, Hugo, MkDocs' attr_list).
_ATTRIBUTE = re.compile(r"""\s*(?:#([^\s#.{}=]+)|\.[\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s"'{}]+)|-)""")


def heading_attributes(markdown: str) -> tuple[str, str]:
    """A heading's inline Markdown without a trailing attribute list, and the `#id` it names ("" if none).

    `## Roll back {#rollback}`, `## Roll back {: #rollback .danger}` and `## Roll back {#rollback
    data-x=1}` all give ("Roll back", "rollback"). Anything else in braces (`## Set {x}`) is the
    heading's own text. Reads the text once from its end: linear in the heading's length.
    """
    stripped = markdown.rstrip()
    if not stripped.endswith("}"):
        return markdown, ""
    start = stripped.rfind("{")
    if start <= 0 or not stripped[start - 1].isspace():
        return markdown, ""
    body = stripped[start + 1 : -1]
    body = body[1:] if body.startswith(":") else body
    if not body.strip():
        return markdown, ""
    ident = ""
    pos = 0
    while pos < len(body) and body[pos:].strip():
        match = _ATTRIBUTE.match(body, pos)
        if match is None:
            return markdown, ""
        ident = match.group(1) or ident
        pos = match.end()
    return stripped[:start].rstrip(), ident


_BLOCK_ATTRIBUTES = re.compile(r"^\s*\{:\s*([^{}]*)\}\s*$")


def block_attribute_id(line: str) -> str:
    """The `#id` of a kramdown attribute line (`{: #rollback}` under a heading), else ""."""
    match = _BLOCK_ATTRIBUTES.match(line)
    if match is None:
        return ""
    ident = ""
    pos = 0
    body = match.group(1)
    while pos < len(body) and body[pos:].strip():
        attribute = _ATTRIBUTE.match(body, pos)
        if attribute is None:
            return ""
        ident = attribute.group(1) or ident
        pos = attribute.end()
    return ident


_TAG = re.compile(r"<[A-Za-z][\w-]*(?:\s[^<>]*)?>")
_ID = re.compile(r"""\s(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


def html_ids(text: str) -> list[str]:
    """The anchors raw HTML in `text` sets: every `id=` attribute, and `name=` on `<a>` tags."""
    if "id" not in text and "name" not in text and "ID" not in text and "NAME" not in text:
        return []
    found = []
    for tag in _TAG.finditer(text):
        html = tag.group(0)
        for attribute in _ID.finditer(html):
            if attribute.group(1).lower() == "name" and html[:3].lower() not in ("<a ", "<a\t", "<a\n"):
                continue
            value = next(v for v in attribute.groups()[1:] if v is not None)
            if value:
                found.append(value)
    return found


_MYST_TARGET = re.compile(r"^\(([^()\s]+)\)=\s*$")


def myst_target(line: str) -> str:
    """The label of a MyST target line, `(rollback-db)=`, which names the heading after it; else ""."""
    match = _MYST_TARGET.match(line.strip())
    return match.group(1) if match else ""
