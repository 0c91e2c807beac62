"""Markdown to a document tree of blocks that keep their source lines (the only user of markdown-it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Union

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from .anchors import block_attribute_id, heading_attributes, html_ids, myst_target, slugify
from .fences import CODE_DIRECTIVES, TARGET_OPTIONS, fence_language, read_directive
from .source import Finding, Source, Span

__all__ = [
    "Block",
    "BlockQuote",
    "Document",
    "Fence",
    "FrontMatter",
    "Heading",
    "Html",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "Rule",
    "Table",
    "links",
    "parse_document",
    "slugify",
]


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading line."""

    level: int
    """1 for `#` to 6 for `######`."""
    text: str
    """The heading as plain text, markup and a trailing `{#id .class}` attribute list removed."""
    slug: str
    """The anchor GitHub gives its text, made unique in the document (`-1`, `-2` for repeats)."""
    span: Span
    id: str = ""
    """The id written in its attribute list (`## Roll back {#rollback}`), which sites use instead."""

    @property
    def anchor(self) -> str:
        """The anchor a site renders: the written id, else the slug."""
        return self.id or self.slug


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph."""

    markdown: str
    """The paragraph's inline Markdown as written (bold, code spans and all)."""
    span: Span

    @property
    def text(self) -> str:
        """The paragraph as plain text, markup removed."""
        return inline_text(self.markdown)


@dataclass(frozen=True, slots=True)
class Fence:
    """A fenced (or indented) code block."""

    lang: str
    """The first word of the info string, lower-cased; empty when there is none."""
    info: str
    """The whole info string, for the annotation parser (`bash {id=backup}`)."""
    code: str
    """The block's content, ending with a newline."""
    span: Span
    """From the opening fence line to the closing one."""
    first_code_line: int
    """The line of the first content line."""
    closed: bool = True
    """False when the document ended before the closing fence."""
    directive: str = ""
    """A MyST directive's name (```` ```{note} ````, ```` ```{code-block} bash ````), else ""."""


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list; its content is a sequence of blocks."""

    number: int | None
    """The item's number in an ordered list, None in a bullet list."""
    task: bool | None
    """None for a plain item; False for `- [ ]`, True for `- [x]`."""
    blocks: tuple[Block, ...]
    span: Span
    written: int | None = None
    """The number as written (`1.` `1.` `1.` are numbered 1, 2, 3 but written 1, 1, 1)."""


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bullet or ordered list."""

    ordered: bool
    items: tuple[ListItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Table:
    """A GitHub-style table."""

    header: tuple[str, ...]
    """Header cells as plain text."""
    rows: tuple[tuple[str, ...], ...]
    """Body cells as plain text, one tuple per row."""
    row_lines: tuple[int, ...]
    """The source line of each body row."""
    span: Span


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """A quotation, such as a GitHub alert `> [!CAUTION]`."""

    blocks: tuple[Block, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Html:
    """A raw HTML block (comments carry `runbook:` annotations)."""

    content: str
    span: Span


@dataclass(frozen=True, slots=True)
class Rule:
    """A thematic break (`---`)."""

    span: Span


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The YAML between `---` lines at the top of the file, unparsed."""

    content: str
    span: Span


Block = Union[Heading, Paragraph, Fence, ListBlock, Table, BlockQuote, Html, Rule, FrontMatter]


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed Markdown file: its blocks in order, and what went wrong while reading it."""

    source: Source
    blocks: tuple[Block, ...]
    findings: tuple[Finding, ...] = field(default=())
    tokens: tuple[Token, ...] = field(default=(), compare=False, repr=False)
    """markdown-it's block tokens (inline content not parsed yet), for a renderer to finish."""
    env: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The parse's environment: link reference definitions, which inline parsing needs."""
    anchors: tuple[str, ...] = ()
    """Anchors written explicitly: heading `{#id}`s, HTML `id=`/`<a name=>`, MyST `(label)=` targets."""
    targets: tuple[str, ...] = ()
    """The MyST `(label)=` targets among them, which Sphinx resolves from every file of a project."""


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Inline parsing is deferred: most paragraphs are only ever needed as written, and parsing
    # every one up front costs a third of the time on a large runbook. Task-list items are
    # recognised here from their `[ ]` prefix, as GitHub does, instead of by a core rule.
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(front_matter_plugin).disable("inline")


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True})


@lru_cache(maxsize=1)
def _link_parser() -> MarkdownIt:
    # Only what decides where a link is and what it points at (code spans hide brackets, escapes
    # and HTML too); targets are kept as written, which link checks decode themselves.
    md = MarkdownIt("zero", {"html": True}).enable(
        ["link", "image", "backticks", "escape", "newline", "html_inline", "autolink", "entity"]
    )
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=4096)
def inline_text(markdown: str) -> str:
    """Inline Markdown as plain text (emphasis, links and code spans reduced to their text)."""
    if not any(c in markdown for c in "*_`[<&\\!"):
        return markdown.strip()
    tokens = _inline_parser().parseInline(markdown)
    return plain_inline(tokens[0]) if tokens else markdown.strip()


_DEFINITION = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*(\S+)")  # `[^1]:` is a footnote
_OPEN_ANNOTATION = re.compile(r"^\s*<!--\s*runbook:")
_QUOTE_MARKS = re.compile(r"^(\s*>)+")
_TASK = re.compile(r"^\[([ xX])\][ \t]+")


def plain_inline(inline: Token) -> str:
    """An already parsed inline token as plain text (what `inline_text` gives for its source)."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


# MyST (Sphinx) directives written as fences: ```{code-block} bash is a code block in bash;
# ```{note} … ``` and the like are admonitions holding Markdown; ```{tab-item} GCP is one tab.
_DIRECTIVE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
_ALERT_DIRECTIVES = frozenset({"warning", "danger", "caution", "attention", "error", "important"})
_CONTAINER_DIRECTIVES = frozenset(
    {
        "note",
        "tip",
        "hint",
        "seealso",
        "admonition",
        "dropdown",
        "tab-set",
        "tab-item",
        "tab",
        "card",
        "grid",
        "grid-item",
        "grid-item-card",
        "div",
        "margin",
        "sidebar",
        "topic",
        "versionadded",
        "versionchanged",
        "deprecated",
        "todo",
        "tabbed",
        *_ALERT_DIRECTIVES,
    }
)


class _Builder:
    def __init__(self, source: Source, offset: int = 0, parent: _Builder | None = None) -> None:
        self.source = source
        # A directive's body is parsed by a builder of its own that adds to its parent's lists.
        self.findings: list[Finding] = parent.findings if parent else []
        self.slugs: dict[str, int] = parent.slugs if parent else {}
        self.anchors: list[str] = parent.anchors if parent else []
        self.targets: list[str] = parent.targets if parent else []
        """MyST targets written as a directive's `:name:` option."""
        self.code_lines: list[tuple[int, int]] = parent.code_lines if parent else []
        """The (first, last) lines of every fence, which hold no anchors."""
        self.offset = offset
        """Lines before the text these tokens were parsed from (a directive's body)."""

    def span(self, token: Token) -> Span:
        first, last = token.map or (0, 1)
        first, last = first + self.offset, last + self.offset
        # Lists and items may claim trailing blank lines; a span ends at the last written line.
        while last - 1 > first and not self.source.lines[last - 1].strip():
            last -= 1
        return Span(self.source.path, first + 1, max(first + 1, last))

    def unique_slug(self, text: str) -> str:
        base = slugify(text)
        seen = self.slugs.get(base)
        self.slugs[base] = 0 if seen is None else seen + 1
        return base if seen is None else f"{base}-{seen + 1}"

    def blocks(self, tokens: list[Token], start: int, stop: int) -> Iterator[Block]:
        i = start
        while i < stop:
            token = tokens[i]
            if token.nesting == 1:
                close = _matching_close(tokens, i)
                yield from self.container(tokens, i, close)
                i = close + 1
                continue
            directive = _DIRECTIVE.match(token.info.strip()) if token.type == "fence" else None
            if directive is not None:
                yield from self.directive(token, directive.group(1).lower(), directive.group(2).strip())
                i += 1
                continue
            leaf = self.leaf(token)
            if leaf is not None:
                yield leaf
            i += 1

    def leaf(self, token: Token) -> Block | None:
        if token.type in ("fence", "code_block"):
            return self.fence(token)
        if token.type == "html_block":
            if _OPEN_ANNOTATION.match(token.content) and "-->" not in token.content:
                self.findings.append(
                    Finding.of(
                        "structure/unclosed-comment",
                        self.source.path,
                        self.span(token).start,
                        "runbook comment opened here is never closed: the rest of the file is hidden in it",
                        "end the comment with -->",
                    )
                )
            return Html(token.content, self.span(token))
        if token.type == "hr":
            return Rule(self.span(token))
        if token.type == "front_matter":
            return FrontMatter(token.content, self.span(token))
        return None

    def directive(self, token: Token, name: str, argument: str) -> Iterator[Block]:
        """A MyST directive: a code block in the language it names, or the Markdown it holds (a tab
        set as its tabs one after the other, each under its label, as alternatives are written)."""
        if name in CODE_DIRECTIVES:
            yield self.fence(token)  # the language its argument names, its option lines set aside
            return
        read = read_directive(name, token.content)
        self.targets += read.names
        lines = token.content.split("\n")
        body = "\n".join([""] * read.options + lines[read.options :])
        if name not in _CONTAINER_DIRECTIVES:
            fence = self.fence(token)
            yield Fence(name, name, fence.code, fence.span, fence.first_code_line, fence.closed)
            return
        span = self.span(token)
        first = (token.map or (0, 1))[0] + self.offset + 1
        inner = _Builder(self.source, first, self)
        tokens = _markdown().parse(body, {})
        blocks = list(inner.blocks(tokens, 0, len(tokens)))
        # Shown as a quote, as GitHub shows an alert: `[!WARNING] title` first, or a tab's label.
        head = (
            f"[!{name.upper()}] {argument}".strip()
            if name in _ALERT_DIRECTIVES
            else argument
            if name in ("tab-item", "tab", "tabbed") or argument
            else f"[!{name.upper()}]"
        )
        label = Paragraph(head, Span(span.file, span.start, span.start))
        if name == "tab-set":
            yield from blocks
        elif name in ("tab-item", "tab", "tabbed"):
            yield label
            yield from blocks
        else:
            yield BlockQuote((label, *blocks), span)

    def fence(self, token: Token) -> Fence:
        span = self.span(token)
        first, last = token.map or (0, 1)
        first, last = first + self.offset, last + self.offset
        self.code_lines.append((span.start, span.end))
        info = token.info.strip()
        lang, directive = fence_language(info)
        closed = True
        if token.type == "fence":
            # Inside a quote the closing line carries the quote's `>` markers too.
            closing = _QUOTE_MARKS.sub("", self.source.lines[last - 1]).strip() if last - 1 > first else ""
            marker = token.markup[:1]
            closed = bool(closing) and set(closing) == {marker} and len(closing) >= len(token.markup)
            # A fence inside a list item or a quote ends with it (CommonMark): only one that runs to
            # the end of the file has swallowed what follows.
            if not closed and not any(line.strip() for line in self.source.lines[last:]):
                self.findings.append(
                    Finding.of(
                        "structure/unclosed-fence",
                        self.source.path,
                        first + 1,
                        f"code fence {token.markup}{info} opened here is never closed",
                        f"add a closing {token.markup} line after the block's last line",
                    )
                )
        first_code = first + 2 if token.type == "fence" else first + 1
        code = token.content
        if directive:
            body = read_directive(directive, code)
            self.targets += body.names
            code, first_code = body.code, first_code + body.skipped
        return Fence(lang, info, code, span, first_code, closed, directive)

    def container(self, tokens: list[Token], open_i: int, close_i: int) -> Iterator[Block]:
        token = tokens[open_i]
        kind = token.type
        if kind == "heading_open":
            inline = tokens[open_i + 1]
            markdown, ident = heading_attributes(inline.content)
            text = inline_text(markdown)
            if ident:
                self.anchors.append(ident)
            yield Heading(int(token.tag[1]), text, self.unique_slug(text), self.span(token), ident)
        elif kind == "paragraph_open":
            inline = tokens[open_i + 1]
            yield Paragraph(inline.content.strip(), self.span(token))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            yield self.list_block(tokens, open_i, close_i)
        elif kind == "blockquote_open":
            inner = tuple(self.blocks(tokens, open_i + 1, close_i))
            yield BlockQuote(inner, self.span(token))
        elif kind == "table_open":
            yield self.table(tokens, open_i, close_i)
        else:  # an unknown container from a plugin: keep what is inside it
            yield from self.blocks(tokens, open_i + 1, close_i)

    def list_block(self, tokens: list[Token], open_i: int, close_i: int) -> ListBlock:
        items: list[ListItem] = []
        i = open_i + 1
        written = tokens[i].info if i < close_i else ""
        # Items are numbered from the list's start, as rendered: `1.` `1.` `1.` reads 1, 2, 3.
        start = int(written) if written.isascii() and written.isdigit() else None
        while i < close_i:
            item = tokens[i]
            end = _matching_close(tokens, i)
            task: bool | None = None
            number = None if start is None else start + len(items)
            blocks = tuple(self.blocks(tokens, i + 1, end))
            first = blocks[0] if blocks else None
            marker = _TASK.match(first.markdown) if isinstance(first, Paragraph) else None
            if marker is not None and isinstance(first, Paragraph):
                task = marker.group(1) != " "
                blocks = (Paragraph(first.markdown[marker.end() :], first.span), *blocks[1:])
            written_number = int(item.info) if item.info.isascii() and item.info.isdigit() else None
            items.append(ListItem(number, task, blocks, self.span(item), written_number))
            i = end + 1
        return ListBlock(tokens[open_i].type == "ordered_list_open", tuple(items), self.span(tokens[open_i]))

    def table(self, tokens: list[Token], open_i: int, close_i: int) -> Table:
        header: list[str] = []
        rows: list[tuple[str, ...]] = []
        lines: list[int] = []
        current: list[str] | None = None
        in_head = False
        for token in tokens[open_i:close_i]:
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                current = []
                if not in_head and token.map:
                    lines.append(token.map[0] + 1)
            elif token.type == "inline" and current is not None:
                current.append(inline_text(token.content))
            elif token.type == "tr_close" and current is not None:
                if in_head:
                    header = current
                else:
                    rows.append(tuple(current))
                current = None
        return Table(tuple(header), tuple(rows), tuple(lines), self.span(tokens[open_i]))


def _matching_close(tokens: list[Token], open_i: int) -> int:
    depth = 0
    for i in range(open_i, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def parse_document(source: Source) -> Document:
    """Parse Markdown text into a document tree. Never raises on any text."""
    env: dict[str, Any] = {}
    tokens = _markdown().parse(source.text, env)
    builder = _Builder(source)
    blocks = tuple(builder.blocks(tokens, 0, len(tokens)))
    ids, targets = _written_anchors(source, builder.code_lines)
    targets += builder.targets
    anchors = tuple(dict.fromkeys([*builder.anchors, *ids, *targets]))
    return Document(source, blocks, tuple(builder.findings), tuple(tokens), env, anchors, tuple(targets))


_COLON_DIRECTIVE = re.compile(r"^\s*:{3,}\{[\w:.-]+\}")
_OPTION_LINE = re.compile(r"^\s*:([\w-]+):\s*(.*?)\s*$")


def _written_anchors(source: Source, code: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """HTML ids, and MyST targets (`(label)=` lines, and the `:name:`/`:label:` options of a
    `:::{directive}` colon fence), outside code blocks (where they would be text, not anchors)."""
    ids: list[str] = []
    targets: list[str] = []
    colons = ":::" in source.text
    if "=" not in source.text and "{:" not in source.text and not colons:
        return ids, targets
    fenced = {n for first, last in code for n in range(first, last + 1)}
    options = False  # in the option lines of a `:::{directive}` (colon fence: Markdown sees text)
    for number, line in enumerate(source.lines, start=1):
        if colons and number not in fenced:
            if _COLON_DIRECTIVE.match(line):
                options = True
                continue
            option = _OPTION_LINE.match(line) if options else None
            options = option is not None
            if option is not None and option.group(1) in TARGET_OPTIONS and option.group(2):
                targets.append(option.group(2).split()[0])
                continue
        if ("=" not in line and "{:" not in line) or number in fenced:
            continue
        if "<" in line:
            ids += html_ids(line)
        if "{:" in line and (ident := block_attribute_id(line)):
            ids.append(ident)
        label = myst_target(line) if line.startswith("(") else ""
        if label:
            targets.append(label)
    return ids, targets


def links(document: Document) -> list[tuple[str, int, int]]:
    """Every inline link as (target, line, column), from paragraphs, lists, quotes and tables."""
    found: list[tuple[str, int, int]] = []
    lines = document.source.lines
    for block in _walk(document.blocks):
        if isinstance(block, Paragraph):
            texts = [(block.markdown, block.span.start)]
        elif isinstance(block, Table):
            texts = [(lines[line - 1], line) for line in (block.span.start, *block.row_lines)]
        else:
            continue
        for text, first in texts:
            if "](" not in text:
                continue
            tokens = _link_parser().parseInline(text)
            line = first
            for child in tokens[0].children or [] if tokens else []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type in ("link_open", "image"):
                    target = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                    written = lines[line - 1] if line - 1 < len(lines) else ""
                    column = max(written.find(f"]({target}"), 0) + 2
                    found.append((target, line, column))
    # Reference definitions (`[label]: ./file.md`) make no token; they are read from the lines,
    # outside code blocks.
    fences = [b for b in _walk(document.blocks) if isinstance(b, Fence)]
    code = {n for fence in fences for n in range(fence.span.start, fence.span.end + 1)}
    for number, text in enumerate(lines, start=1):
        definition = _DEFINITION.match(text)
        if definition and number not in code:
            found.append((definition.group(1).strip("<>"), number, definition.start(1) + 1))
    return found


def _walk(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _walk(item.blocks)
        elif isinstance(block, BlockQuote):
            yield from _walk(block.blocks)
