"""Steps from numbered lists, `Step N:` headings and checklist items, with their options and alternatives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..annotations import parse_comment, parse_fence_info
from ..document import Block, BlockQuote, Fence, Html, ListBlock, ListItem, Paragraph
from ..model import Branch, Choice, CodeBlock, Node, Step
from ..source import Finding, Span
from .blocks import SHELL_LANGS, code_block
from .shell import parse_expectation

__all__ = ["Context", "id_slug", "is_warning", "step_from_item", "steps_from_blocks"]

_BOLD_TITLE = re.compile(r"^\s*\*\*(.+?)\*\*:?\s*(.*)$", re.S)
_OPTIONAL = re.compile(r"\((if\b[^)]*|optional|[^)]*\bonly)\)|^optional\b[:\s]", re.I)
_OPTION_PARA = re.compile(r"^\*\*Option\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*?)\s*:?\*\*\s*:?\s*(.*)$", re.S)
_OPTION_COMMENT = re.compile(r"^\s*#\s*Option\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*)$")
_ALTERNATIVE = re.compile(r"^or\b", re.I)
_EXPECTED_PROSE = re.compile(
    r"^(?:\*\*|__)?expected(?:\s+(?:output|result|response))?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$",
    re.I | re.S,
)
_OUTPUT_LANGS = frozenset({"", "text", "txt", "json", "output", "console", "plaintext"})
_WARNING = re.compile(
    r"\bWARNING\b|\bDATA LOSS\b|\b[Dd]estructive\b|\bDANGER\b|\bCAUTION\b|\bIRREVERSIBLE\b"
    r"|\*\*Warning\*\*|\[!(?:CAUTION|WARNING)\]|(?i:cannot be undone)"
)


def id_slug(text: str) -> str:
    """A short id part from a title: `Render.com Deployment` → `render-com-deployment`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def is_warning(text: str) -> bool:
    """True when text warns of danger (`WARNING`, `DATA LOSS`, `Destructive`, `> [!CAUTION]`)."""
    return bool(_WARNING.search(text))


@dataclass(slots=True)
class Context:
    """What step inference shares across a runbook: where it reports, and ids already taken."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    fences: set[int] = field(default_factory=set)
    """Start lines of the fences that became part of a runnable unit."""

    def unique(self, wanted: str, line: int) -> str:
        if wanted not in self.ids:
            self.ids.add(wanted)
            return wanted
        n = 2
        while f"{wanted}-{n}" in self.ids:
            n += 1
        self.findings.append(
            Finding(
                "structure/duplicate-id",
                "warning",
                self.path,
                line,
                f"id {wanted} is already used; this node gets {wanted}-{n}",
                "number the steps without repeats, or give the node an id annotation",
            )
        )
        self.ids.add(f"{wanted}-{n}")
        return f"{wanted}-{n}"

    def annotation(self, block: Html) -> dict[str, Any] | None:
        parsed = parse_comment(block.content, self.path, block.span.start)
        if parsed is None:
            return None
        self.findings.extend(parsed[1])
        return parsed[0].values

    def code(self, fence: Fence, annotation: dict[str, Any]) -> CodeBlock:
        attrs, problems = parse_fence_info(fence.info, self.path, fence.span.start)
        self.findings.extend(problems)
        self.fences.add(fence.span.start)
        return code_block(fence, True, {**annotation, **attrs.values}, self.findings)


@dataclass(slots=True)
class _Draft:
    """A step being assembled from a list item or heading and the blocks after it."""

    number: int | None
    title: str
    span: Span
    head: str = ""
    blocks: list[Block] = field(default_factory=list)
    annotation: dict[str, Any] = field(default_factory=dict)


def _title(paragraph: Paragraph) -> tuple[str, str]:
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


def _extend(span: Span, end: int) -> Span:
    return Span(span.file, span.start, max(span.end, end))


def _split_fence_options(fence: Fence) -> list[tuple[str, str, Fence]] | None:
    """`# Option A: ...` comment lines splitting one block into alternatives, else None."""
    lines = fence.code.split("\n")
    marks = [(i, m) for i, line in enumerate(lines) if (m := _OPTION_COMMENT.match(line))]
    if len(marks) < 2 or fence.lang not in SHELL_LANGS:
        return None
    prelude = [line for line in lines[: marks[0][0]] if line.strip()]
    parts = []
    for n, (index, match) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        body = lines[index:stop]
        while body and not body[-1].strip():
            body.pop()
        first = fence.first_code_line + index
        code = "\n".join(prelude + body) + "\n"
        part = replace(
            fence,
            code=code,
            span=Span(fence.span.file, first, first + len(body) - 1),
            first_code_line=first - len(prelude),
        )
        parts.append((match.group(1), match.group(2).strip(), part))
    return parts


def _body(draft: _Draft, ctx: Context) -> tuple[list[str], list[CodeBlock], list[str], list[str]]:
    prose: list[str] = [draft.head] if draft.head else []
    codes: list[CodeBlock] = []
    checks: list[str] = []
    warnings: list[str] = [draft.title] if is_warning(draft.title) else []
    pending: dict[str, Any] = {}
    expect_block = False
    for block in draft.blocks:
        if isinstance(block, Paragraph):
            if block.markdown:
                prose.append(block.markdown)
            said = _EXPECTED_PROSE.match(block.markdown)
            expect_block = said is not None and not said.group(1).strip()
            if said is not None and not expect_block:
                codes = _expect(codes, said.group(1).strip(), block.span.start)
        elif isinstance(block, Fence) and expect_block and block.lang in _OUTPUT_LANGS and codes:
            # "Expected output:" followed by a block: that block is the output, not code to run.
            ctx.fences.add(block.span.start)
            codes = _expect(codes, block.code.strip(), block.first_code_line)
            expect_block = False
        elif isinstance(block, Fence):
            codes.append(ctx.code(block, pending))
            pending = {}
            expect_block = False
        elif isinstance(block, ListBlock):
            for item in block.items:
                text = "\n".join(b.markdown for b in item.blocks if isinstance(b, Paragraph))
                if item.task is not None:
                    checks.append(text)
                else:
                    prose.append(f"- {text}")
                nested: list[Block] = [b for b in item.blocks if isinstance(b, (Fence, ListBlock))]
                if nested:
                    sub = _body(_Draft(None, "", item.span, blocks=nested), ctx)
                    prose += sub[0]
                    codes += sub[1]
                    checks += sub[2]
        elif isinstance(block, BlockQuote):
            quote = "\n".join(f"> {line}" for line, _ in _quote_lines(block))
            prose.append(quote)
        elif isinstance(block, Html):
            note = ctx.annotation(block)
            if note is not None:
                pending = note
            elif block.content.strip():
                prose.append(block.content.strip())
    warnings += [p for p in prose if is_warning(p)]
    for code in codes:
        warnings += [c.comment for c in code.commands if is_warning(c.comment)]
        warnings += [
            line.strip()
            for line in code.code.split("\n")
            if line.strip().startswith("#") and is_warning(line) and line.strip() not in warnings
        ]
    return prose, codes, checks, list(dict.fromkeys(warnings))


def _expect(codes: list[CodeBlock], text: str, line: int) -> list[CodeBlock]:
    """Attach an expectation written in prose to the last command before it."""
    runnable = [i for i, c in enumerate(codes) if c.commands and c.kind in ("shell", "console", "sql")]
    if not runnable or not text:
        return codes
    index = runnable[-1]
    block = codes[index]
    last = block.commands[-1]
    updated = replace(last, expectations=(*last.expectations, parse_expectation(text, line)))
    return [*codes[:index], replace(block, commands=(*block.commands[:-1], updated)), *codes[index + 1 :]]


def _quote_lines(block: BlockQuote) -> list[tuple[str, int]]:
    from .outline import plain_lines

    return list(plain_lines(block.blocks))


def _options(draft: _Draft) -> list[tuple[str, str, list[Block]]] | None:
    """`**Option A: title**` paragraphs each followed by their blocks, else None."""
    parts: list[tuple[str, str, list[Block]]] = []
    lead: list[Block] = []
    for block in draft.blocks:
        match = _OPTION_PARA.match(block.markdown) if isinstance(block, Paragraph) else None
        if match:
            # The option's own paragraph opens its span; any text after the bold title is its prose.
            rest: list[Block] = [Paragraph(match.group(3), block.span)]
            parts.append((match.group(1), match.group(2), rest))
        elif parts:
            parts[-1][2].append(block)
        else:
            lead.append(block)
    if len(parts) < 2:
        return None
    draft.blocks = lead
    return parts


def _make_step(draft: _Draft, step_id: str, kind: str, ctx: Context) -> Step:
    prose, codes, checks, warnings = _body(draft, ctx)
    note = draft.annotation
    optional_match = _OPTIONAL.search(draft.head.split("\n", 1)[0] if draft.head else "") or _OPTIONAL.search(
        draft.title
    )
    title = draft.title
    return Step(
        id=step_id,
        title=note.get("title", title),
        span=draft.span,
        kind=kind,  # type: ignore[arg-type]
        number=draft.number,
        prose=tuple(prose),
        blocks=tuple(codes),
        checks=tuple(checks),
        optional=bool(note.get("optional", optional_match is not None)),
        when=str(note.get("when", optional_match.group(0).strip("() ") if optional_match else "")),
        warnings=tuple(warnings),
        annotation=note,
    )


def _node(draft: _Draft, prefix: str, ctx: Context, kind: str = "step") -> Node:
    block_ids = [
        parse_fence_info(b.info, ctx.path, b.span.start)[0].values.get("id")
        for b in draft.blocks
        if isinstance(b, Fence) and "{" in b.info
    ]
    # A step whose block carries `{id=...}` is known by that id (`--from-step backup`).
    wanted = (
        draft.annotation.get("id")
        or next((i for i in block_ids if i), None)
        or (f"{prefix}.{draft.number}" if draft.number is not None else f"{prefix}.{id_slug(draft.title)}")
    )
    step_id = ctx.unique(str(wanted), draft.span.start)
    options = _options(draft)
    if options is None:
        fences = [b for b in draft.blocks if isinstance(b, Fence)]
        split = _split_fence_options(fences[0]) if len(fences) == 1 else None
        if split is not None:
            draft.blocks = [b for b in draft.blocks if b is not fences[0]]
            ctx.fences.add(fences[0].span.start)
            options = [(key, title, [fence]) for key, title, fence in split]
    step = _make_step(draft, step_id, kind, ctx)
    if options is None:
        return step
    branches = []
    for key, title, blocks in options:
        span = Span(
            ctx.path,
            blocks[0].span.start if blocks else draft.span.start,
            max((b.span.end for b in blocks), default=draft.span.start),
        )
        option_draft = _Draft(
            None, f"Option {key}: {title}" if title else f"Option {key}", span, blocks=blocks
        )
        option_id = ctx.unique(f"{step_id}.{key.lower()}", span.start)
        branches.append(
            Branch(
                key.lower(),
                option_draft.title,
                (_make_step(option_draft, option_id, "option", ctx),),
                span,
            )
        )
    return Choice(step_id, "option", step.title, tuple(branches), draft.span, step)


def step_from_item(item: ListItem, number: int | None, note: dict[str, Any]) -> _Draft:
    """A draft step from a list item: bold title first, the rest is its body."""
    blocks = list(item.blocks)
    title, head = "", ""
    if blocks and isinstance(blocks[0], Paragraph):
        first = blocks.pop(0)
        assert isinstance(first, Paragraph)
        title, head = _title(first)
    return _Draft(number, title, item.span, head, blocks, note)


def _group_alternatives(nodes: list[Node], prefix: str, ctx: Context) -> list[Node]:
    out: list[Node] = []
    i = 0
    while i < len(nodes):
        run = [nodes[i]]
        j = i + 1
        while j < len(nodes) and isinstance(nodes[j], Step) and _ALTERNATIVE.match(nodes[j].title):
            run.append(nodes[j])
            j += 1
        if len(run) == 1:
            out.append(nodes[i])
        else:
            first, last = run[0], run[-1]
            numbers = [
                getattr(n, "number", None) or getattr(getattr(n, "step", None), "number", None)
                for n in (first, last)
            ]
            label = f"{numbers[0]}-{numbers[1]}" if None not in numbers else id_slug(first.title)
            choice_id = ctx.unique(f"{prefix}.{label}", first.span.start)
            branches = tuple(
                Branch(
                    str(n.number) if isinstance(n, Step) and n.number is not None else n.id,
                    n.title,
                    (n,),
                    n.span,
                )
                for n in run
            )
            out.append(
                Choice(
                    choice_id,
                    "alternative",
                    f"Choose one of {len(run)} ways",
                    branches,
                    Span(ctx.path, first.span.start, last.span.end),
                )
            )
        i = j
    return out


def steps_from_blocks(
    blocks: list[Block], prefix: str, ctx: Context, kind: str = "step"
) -> tuple[list[Node], list[Block]]:
    """Steps from the numbered (or, for checklists, task) items in `blocks`.

    Returns the nodes and the blocks that came before the first step (the unit's preamble).
    """
    drafts: list[_Draft] = []
    preamble: list[Block] = []
    pending: dict[str, Any] = {}
    counter = 0
    for block in blocks:
        if isinstance(block, Html):
            note = ctx.annotation(block)
            if note is not None:
                pending = note
                continue
        is_steps = isinstance(block, ListBlock) and (
            block.ordered if kind == "step" else any(i.task is not None for i in block.items)
        )
        if is_steps:
            assert isinstance(block, ListBlock)
            for item in block.items:
                counter += 1
                number = item.number if kind == "step" else counter
                drafts.append(step_from_item(item, number, pending))
                pending = {}
        elif drafts:
            # A block that broke the list (an unindented fence, a paragraph) belongs to the step above.
            drafts[-1].blocks.append(block)
            drafts[-1].span = _extend(drafts[-1].span, block.span.end)
        else:
            preamble.append(block)
    nodes = [_node(d, prefix, ctx, kind) for d in drafts]
    return _group_alternatives(nodes, prefix, ctx), preamble


def step_from_section(
    number: int | None, title: str, span: Span, blocks: list[Block], prefix: str, ctx: Context
) -> Node:
    """A step written as a `### Step N: Title` heading with its blocks."""
    return _node(_Draft(number, title, span, "", list(blocks)), prefix, ctx)
