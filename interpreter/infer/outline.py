"""The heading outline of a document: sections holding their blocks and sub-sections."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..parse.document import Block, BlockQuote, Heading, Html, ListBlock, Paragraph
from ..parse.source import Span

__all__ = ["Section", "build_outline", "plain_lines"]

_ANNOTATION = re.compile(r"^\s*<!--\s*runbook:")


@dataclass(slots=True)
class Section:
    """A heading with the blocks under it (before its first sub-heading) and its sub-sections."""

    heading: Heading | None
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    lead: Html | None = None
    """A `<!-- runbook: -->` comment written directly above the heading: it annotates this section."""
    holds: bool | None = None
    """Whether the section or one below it holds commands, once inference has asked."""

    @property
    def title(self) -> str:
        return self.heading.text if self.heading else ""

    @property
    def anchor(self) -> str:
        return self.heading.anchor if self.heading else ""

    @property
    def level(self) -> int:
        return self.heading.level if self.heading else 0

    def walk(self) -> Iterator[Section]:
        """This section and every section below it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def all_blocks(self) -> Iterator[Block]:
        """Every block of the section and its sub-sections, headings included, in order."""
        if self.heading is not None:
            yield self.heading
        yield from self.blocks
        for child in self.children:
            yield from child.all_blocks()

    def span(self, path: str) -> Span:
        first = self.heading.span.start if self.heading else 1
        last = first
        for block in self.all_blocks():
            last = max(last, block.span.end)
        return Span(path, first, last)


def build_outline(blocks: tuple[Block, ...]) -> Section:
    """Nest blocks under headings by level; blocks before any heading go to the root."""
    root = Section(None)
    stack = [root]
    for block in blocks:
        if isinstance(block, Heading):
            lead: Html | None = None
            last = stack[-1].blocks
            if last and isinstance(last[-1], Html) and _ANNOTATION.match(last[-1].content):
                lead = last[-1]
                last.pop()
            while stack[-1].heading is not None and stack[-1].level >= block.level:
                stack.pop()
            section = Section(block, lead=lead)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].blocks.append(block)
    return root


def plain_lines(blocks: list[Block] | tuple[Block, ...]) -> Iterator[tuple[str, int]]:
    """The Markdown text of paragraphs, line by line, with their line numbers (lists and quotes too)."""
    for block in blocks:
        if isinstance(block, Paragraph):
            for offset, line in enumerate(block.markdown.split("\n")):
                yield line, block.span.start + offset
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from plain_lines(item.blocks)
        elif isinstance(block, BlockQuote):
            yield from plain_lines(block.blocks)
