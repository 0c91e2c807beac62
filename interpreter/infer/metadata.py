"""Document metadata from the title, `**Key:** value` lines at the top and bottom, and front matter."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from ..model.runbook import Metadata
from ..parse.document import Block, FrontMatter, Heading, Paragraph, Rule
from ..parse.mojibake import repair

__all__ = ["find_metadata", "iso_date"]

_PAIR = re.compile(r"^\*\*([^*:]+?):\*\*\s*(.+)$|^\*\*([^*:]+?)\*\*\s*:\s*(.+)$")
_FIELDS = {
    "version": "version",
    "document version": "version",
    "doc version": "version",
    "last updated": "last_updated",
    "updated": "last_updated",
    "last reviewed": "last_updated",
    "status": "status",
    "document status": "status",
    "owner": "owner",
    "owners": "owner",
    "document owner": "owner",
    "maintainer": "owner",
    "next review": "next_review",
    "review by": "next_review",
    "review date": "next_review",
    "next review date": "next_review",
    "contact": "contacts",
    "contacts": "contacts",
    "escalation": "contacts",
}
_PLAIN_PAIR = re.compile(r"^([A-Za-z][A-Za-z ]{1,30}?)\s*:\s*(.+)$")
# Later keys win: `owner:` over the synonyms other tools use (GOV.UK's `owner_slack:`, `team:`).
_FRONT = {
    "maintainers": "owner",
    "maintainer": "owner",
    "team": "owner",
    "owner_slack": "owner",
    "owners": "owner",
    "version": "version",
    "status": "status",
    "owner": "owner",
    "last_updated": "last_updated",
    "review_by": "next_review",
    "next_review": "next_review",
    "title": "title",
}


def iso_date(text: str) -> str:
    """`November 20, 2025`, `2025-11-20 (quarterly)`, `Dec 2024` as an ISO date; other text unchanged.

    A month without a day means its last day; `20/12/2024` is read day first (the order most of
    the world writes), `12/20/2024` month first when the first number cannot be a month.
    """
    text = text.strip()
    leading = re.match(r"^(\d{4}-\d{2}-\d{2})\b", text)
    if leading:
        text = leading.group(1)
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(text).isoformat()  # the usual case, without strptime
    if not any(c.isdigit() for c in text):
        return text  # every format below has a year: no digit, no date
    for pattern in (
        "%Y-%m-%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%Y/%m/%d",
        "%B %d %Y",
        "%d/%m/%Y",
        "%m/%d/%Y",
        "%d.%m.%Y",
    ):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    for pattern in ("%B %Y", "%b %Y", "%Y-%m"):
        try:
            first = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return (following - dt.timedelta(days=1)).isoformat()
    return text


def _pairs(block: Block) -> list[tuple[str, str, int]] | None:
    """`**Key:** value` lines of a paragraph; plain `Owner: x` lines count for the known keys."""
    if not isinstance(block, Paragraph):
        return None
    pairs = []
    for offset, line in enumerate(block.markdown.split("\n")):
        match = _PAIR.match(line.strip())
        if match is not None:
            key = (match.group(1) or match.group(3)).strip()
            pairs.append((key, (match.group(2) or match.group(4)).strip(), block.span.start + offset))
            continue
        plain = _PLAIN_PAIR.match(line.strip())
        if plain is not None and plain.group(1).lower() in _FIELDS:
            pairs.append((plain.group(1), plain.group(2).strip(), block.span.start + offset))
    return pairs or None


def _front_line(block: FrontMatter | None, key: str) -> int:
    """The line of `key:` in the front matter (the line after `---` is the block's first)."""
    if block is None:
        return 1
    for offset, line in enumerate(block.content.split("\n")):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return block.span.start + 1 + offset
    return block.span.start


def _status(value: str) -> str:
    # `✅ ACTIVE` → `ACTIVE`: the emoji is decoration (double-encoded in the seed: `âœ…`).
    return re.sub(r"^[^\w]+", "", repair(value)).strip() or value


def find_metadata(blocks: tuple[Block, ...], front: dict[str, Any], contacts: list[str]) -> Metadata:
    """Read metadata; front matter wins over lines in the text."""
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    extra: dict[str, str] = {}
    found_contacts: list[str] = []
    title = ""
    lead: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading):
            if block.level == 1 and not title:
                title, lines["title"] = block.text, block.span.start
                continue
            break
        lead.append(block)
    tail: list[Block] = []
    for block in reversed(blocks):
        if isinstance(block, (Heading, Rule)):
            break
        tail.insert(0, block)
    for block in [*lead, *tail]:
        for key, value, line in _pairs(block) or []:
            name = _FIELDS.get(key.lower())
            if name == "contacts":
                found_contacts.append(value)
            elif name is not None:
                if name not in values:
                    values[name] = value
                    lines[name] = line
            else:
                extra[key] = value
    for key, name in _FRONT.items():
        if key in front and front[key] not in (None, "", []):
            value = front[key]
            values[name] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            front_block = next((b for b in blocks if isinstance(b, FrontMatter)), None)
            lines[name] = _front_line(front_block, key)
    if isinstance(front.get("contacts"), list):
        found_contacts = [str(c) for c in front["contacts"]]
    elif isinstance(front.get("contacts"), str):
        found_contacts = [front["contacts"]]
    return Metadata(
        title=values.get("title", title),
        version=values.get("version", ""),
        last_updated=iso_date(values.get("last_updated", "")),
        status=_status(values.get("status", "")),
        owner=values.get("owner", ""),
        next_review=iso_date(values.get("next_review", "")),
        contacts=tuple(dict.fromkeys([*found_contacts, *contacts])),
        extra=extra,
        lines=lines,
    )
