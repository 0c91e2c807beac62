"""Steps from numbered lists, `Step N:` headings and checklist items, with their options and alternatives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..model.kinds import KINDS, runs
from ..model.runbook import Branch, Choice, CodeBlock, Node, Step
from ..parse.annotations import parse_comment, parse_fence_info
from ..parse.document import Block, BlockQuote, Fence, Heading, Html, ListBlock, ListItem, Paragraph, Rule
from ..parse.source import Finding, Span
from .blocks import code_block
from .shell import parse_expectation

__all__ = ["Context", "id_slug", "is_warning", "step_from_item", "steps_from_blocks"]

_BOLD_TITLE = re.compile(r"^\s*\*\*(.+?)\*\*:?\s*(.*)$", re.S)
_OPTIONAL = re.compile(r"\((if\b[^)]*|optional|[^)]*\bonly)\)|^optional\b[:\s]", re.I)
_OPTION_PARA = re.compile(r"^\*\*Option\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*?)\s*:?\*\*\s*:?\s*(.*)$", re.S)
_OPTION_COMMENT = re.compile(
    r"^\s*#\s*(?:Option|Method|Approach|Alternative|Way)\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*)$", re.I
)
_OPTION_HEADING = re.compile(r"^Option\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*)$")
_OR_COMMENT = re.compile(r"^\s*#\s*Or\b", re.I)
_ALTERNATIVE = re.compile(r"^or\b", re.I)
_EXPECTED_PROSE = re.compile(
    r"^(?:\*\*|__)?expected(?:\s+(?:output|result|response))?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$",
    re.I | re.S,
)
_OUTPUT_LANGS = frozenset({"", "text", "txt", "json", "output", "console", "plaintext"})
_WARNING = re.compile(
    r"\b(?:WARNING|DANGER|CAUTION)\b\s*[:!]|^\W*(?:WARNING|DANGER|CAUTION)\b|\bDATA LOSS\b|\bIRREVERSIBLE\b"
    r"|(?<![\w-])(?<!not )[Dd]estructive\b|\*\*(?:Warning|Danger|Caution)\*\*|\[!(?:CAUTION|WARNING)\]"
    r"|(?i:cannot be undone)"
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
            Finding.of(
                "structure/duplicate-id",
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


def _part(fence: Fence, lines: list[str], start: int) -> Fence:
    body = list(lines)
    while body and not body[-1].strip():
        body.pop()
    first = fence.first_code_line + start
    return replace(
        fence,
        code="\n".join(body) + "\n",
        span=Span(fence.span.file, first, first + len(body) - 1),
        first_code_line=first,
    )


def _split_fence_options(fence: Fence) -> tuple[Fence | None, list[tuple[str, str, Fence]]] | None:
    """One block holding alternatives: `# Option A:` comments, or a `# Or …` comment after a blank line.

    Returns the commands before the first alternative (run first, once) and the alternatives.
    """
    if fence.lang not in KINDS["shell"].languages:
        return None
    lines = fence.code.rstrip("\n").split("\n")
    marks = [
        (i, m.group(1), _option_title(m))
        for i, line in enumerate(lines)
        if (m := _OPTION_COMMENT.match(line))
    ]
    prelude_end = marks[0][0] if marks else 0
    if len(marks) < 2:
        # `# Or …` after a blank line, or anywhere after an `# Either …` first part, starts another way.
        either = bool(re.match(r"^\s*#\s*Either\b", lines[0], re.I)) if lines else False
        ors = [
            i
            for i, line in enumerate(lines)
            if _OR_COMMENT.match(line) and i > 0 and (either or not lines[i - 1].strip())
        ]
        if not ors:
            return None
        cuts = [0, *ors]
        titles = [
            lines[0].lstrip("# ").strip() if lines[0].strip().startswith("#") else "first way",
            *[lines[i].lstrip("# ").strip() for i in ors],
        ]
        marks = [
            (cut, str(n), title) for n, (cut, title) in enumerate(zip(cuts, titles, strict=True), start=1)
        ]
        prelude_end = 0
    parts = []
    for n, (index, key, title) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        part = _part(fence, lines[index:stop], index)
        if not any(line.strip() and not line.strip().startswith("#") for line in part.code.split("\n")):
            return None  # an alternative with nothing to run is a comment, not a choice
        parts.append((key, title, part))
    prelude = lines[:prelude_end]
    has_prelude = any(line.strip() and not line.strip().startswith("#") for line in prelude)
    return (_part(fence, prelude, 0) if has_prelude else None), parts


def _body(
    draft: _Draft, ctx: Context
) -> tuple[list[str], list[CodeBlock], list[str], list[str], dict[str, Any]]:
    """Prose, code blocks, sub-checks, warnings, and step keys found in comments inside the step."""
    prose: list[str] = [draft.head] if draft.head else []
    codes: list[CodeBlock] = []
    checks: list[str] = []
    warnings: list[str] = [draft.title] if is_warning(draft.title) else []
    pending: dict[str, Any] = {}
    hoisted: dict[str, Any] = {}
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
            # `optional`, `when`… in a comment above a block speak for the whole step.
            hoisted.update({k: v for k, v in pending.items() if k in ("optional", "when")})
            codes.append(ctx.code(block, {k: v for k, v in pending.items() if k not in ("optional", "when")}))
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
            inner = [b for b in block.blocks if isinstance(b, Fence)]
            if inner:
                codes += _body(_Draft(None, "", block.span, blocks=list(inner)), ctx)[1]
        elif isinstance(block, Html):
            note = ctx.annotation(block)
            if note is not None:
                pending = note
            elif block.content.strip():
                prose.append(block.content.strip())
    warnings += [p for p in prose if is_warning(p)]
    for code in codes:
        if not runs(code.kind):
            continue
        warnings += [
            line.strip().lstrip("#").strip()
            for line in code.code.split("\n")
            if line.strip().startswith("#") and is_warning(line)
        ]
    # The same warning read from the title and from the comment it came from counts once.
    return prose, codes, checks, list(dict.fromkeys(w.strip() for w in warnings)), hoisted


def _expect(codes: list[CodeBlock], text: str, line: int) -> list[CodeBlock]:
    """Attach an expectation written in prose to the last command before it."""
    runnable = [i for i, c in enumerate(codes) if c.commands and runs(c.kind)]
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


def _option_title(match: re.Match[str]) -> str:
    title = match.group(2).strip()
    return f"Option {match.group(1)}: {title}" if title else f"Option {match.group(1)}"


def _option_start(block: Block) -> tuple[str, str, list[Block]] | None:
    """`**Option A: title**` (a paragraph) or `#### Option A: title` (a heading)."""
    if isinstance(block, Paragraph):
        match = _OPTION_PARA.match(block.markdown)
        if match:
            # The option's paragraph opens its span; text after the bold title is its prose.
            return match.group(1), _option_title(match), [Paragraph(match.group(3), block.span)]
    if isinstance(block, Heading):
        match = _OPTION_HEADING.match(block.text)
        if match:
            return match.group(1), _option_title(match), [Paragraph("", block.span)]
    return None


def _options(draft: _Draft) -> list[tuple[str, str, list[Block]]] | None:
    """Option paragraphs or headings, or a bullet list of options, each with its blocks; else None."""
    parts: list[tuple[str, str, list[Block]]] = []
    lead: list[Block] = []
    for block in draft.blocks:
        start = _option_start(block)
        if start is not None:
            parts.append(start)
            continue
        if isinstance(block, ListBlock) and not block.ordered and len(block.items) >= 2:
            starts = [_option_start(i.blocks[0]) if i.blocks else None for i in block.items]
            if all(starts):
                for item, found in zip(block.items, starts, strict=True):
                    assert found is not None
                    parts.append((found[0], found[1], [*found[2], *item.blocks[1:]]))
                continue
        if parts:
            parts[-1][2].append(block)
        else:
            lead.append(block)
    if len(parts) < 2:
        return None
    draft.blocks = lead
    return parts


_STEP_KEYS = frozenset({"id", "title", "optional", "when", "destructive", "confirm", "confirm_word"})


def _make_step(draft: _Draft, step_id: str, kind: str, ctx: Context) -> Step:
    prose, codes, checks, warnings, hoisted = _body(draft, ctx)
    note = {**hoisted, **draft.annotation}
    # Block keys written on the step (timeout, capture, target…) apply to each of its blocks.
    shared = {k: v for k, v in note.items() if k not in _STEP_KEYS}
    if shared:
        codes = [replace(c, annotation={**shared, **c.annotation}) for c in codes]
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
            prelude, alternatives = split
            ctx.fences.add(fences[0].span.start)
            # The commands before the alternatives stay with the step and run before the choice.
            kept: list[Block] = []
            for block in draft.blocks:
                if block is not fences[0]:
                    kept.append(block)
                elif prelude is not None:
                    kept.append(prelude)
            draft.blocks = kept
            options = [(key, title, [fence]) for key, title, fence in alternatives]
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
        option_draft = _Draft(None, title, span, blocks=blocks)
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


def _check_numbering(block: ListBlock, ctx: Context) -> None:
    """Written step numbers that skip or repeat (all `1.` is the lazy style, and fine)."""
    written = [item.written for item in block.items]
    if len(written) < 2 or None in written or len(set(written)) == 1:
        return
    for previous, item in zip(block.items, block.items[1:], strict=False):
        assert previous.written is not None and item.written is not None
        if item.written != previous.written + 1:
            what = (
                "repeats"
                if item.written == previous.written
                else (
                    "skips " + ", ".join(map(str, range(previous.written + 1, item.written)))
                    if item.written > previous.written
                    else "goes back"
                )
            )
            ctx.findings.append(
                Finding.of(
                    "structure/step-numbering",
                    ctx.path,
                    item.span.start,
                    f"step {item.written} after step {previous.written}: the numbering {what}",
                    "number the steps 1, 2, 3… (or all 1. and let Markdown count)",
                )
            )
            return


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
    closed = False
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
            closed = False
            if kind == "step":
                _check_numbering(block, ctx)
            for item in block.items:
                counter += 1
                number = item.number if kind == "step" else counter
                drafts.append(step_from_item(item, number, pending))
                pending = {}
        elif isinstance(block, Rule):
            closed = True  # a `---` ends the last step: what follows is not part of it
        elif drafts and not closed:
            # A block that broke the list (an unindented fence, a paragraph) belongs to the step above.
            drafts[-1].blocks.append(block)
            drafts[-1].span = _extend(drafts[-1].span, block.span.end)
        else:
            preamble.append(block)
    nodes = [_node(d, prefix, ctx, kind) for d in drafts]
    return _group_alternatives(nodes, prefix, ctx), preamble


def step_from_section(
    number: int | None,
    title: str,
    span: Span,
    blocks: list[Block],
    prefix: str,
    ctx: Context,
    note: dict[str, Any] | None = None,
) -> Node:
    """A step written as a `### Step N: Title` heading with its blocks."""
    return _node(_Draft(number, title, span, "", list(blocks), dict(note or {})), prefix, ctx)
