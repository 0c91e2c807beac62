"""A step being assembled from a list item, a heading or a paragraph, and the blocks after it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..parse.document import Block, Paragraph
from ..parse.source import Span

__all__ = ["Draft", "draft_title", "extend_span"]

_BOLD_TITLE = re.compile(r"^\s*\*\*(.+?)\*\*:?\s*(.*)$", re.S)


@dataclass(slots=True)
class Draft:
    """A step being assembled from a list item or heading and the blocks after it."""

    number: int | None
    title: str
    span: Span
    head: str = ""
    blocks: list[Block] = field(default_factory=list)
    annotation: dict[str, Any] = field(default_factory=dict)
    when: str = ""
    """A condition the prose puts on the step (`If the pod is stuck, …`): it makes the step optional."""


def draft_title(paragraph: Paragraph) -> tuple[str, str]:
    """A step's title (its bold lead, else its first line) and the rest of its first paragraph."""
    markdown = paragraph.markdown
    first_line = markdown.split("\n", 1)[0]
    match = _BOLD_TITLE.match(first_line)
    if match:
        rest = markdown.split("\n", 1)[1] if "\n" in markdown else ""
        return match.group(1).rstrip(":").strip(), (match.group(2) + "\n" + rest).strip()
    text = paragraph.text
    title = text.split("\n", 1)[0]
    return title.strip(), text[len(title) :].strip()


def extend_span(span: Span, end: int) -> Span:
    return Span(span.file, span.start, max(span.end, end))
