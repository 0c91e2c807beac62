"""Steps from numbered lists, `Step N:` headings and checklist items, with their options and alternatives."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..model.runbook import Branch, Choice, CodeBlock, Node, Step
from ..parse.annotations import parse_fence_info
from ..parse.document import Block, Fence, Html, ListBlock, ListItem, Paragraph, Rule
from ..parse.source import Finding, Span
from .body import is_warning, read_body
from .context import Context, id_slug
from .cues import condition_of
from .draft import Draft, draft_title, extend_span
from .options import group_alternatives, options_of, split_fence_conditions, split_fence_options
from .placeholders import describe

__all__ = [
    "Context",
    "id_slug",
    "is_warning",
    "make_node",
    "make_nodes",
    "step_from_item",
    "step_from_section",
    "steps_from_blocks",
]

_OPTIONAL = re.compile(
    r"\((if\b[^()]*|optional|[^()]*\bonly)\)|^optional(?:ly)?\b[:\s,]|\bif\s+(?:necessary|needed|required|applicable)\b",
    re.I,
)

# A step titled "If a pod is stuck, delete it" runs only when its condition holds.
_IF_TITLE = re.compile(r"^\W*(?:if|when|only\s+if|in\s+case|unless|otherwise)\b", re.I)
_STEP_KEYS = frozenset({"id", "title", "optional", "when", "destructive", "confirm", "confirm_word"})


def _make_step(draft: Draft, step_id: str, kind: str, ctx: Context) -> Step:
    if not draft.when and _IF_TITLE.match(draft.title):
        draft.when = condition_of(draft.title)
    prose, codes, checks, warnings, hoisted = read_body(draft, ctx)
    codes = [_described(code, prose) for code in codes]
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
        optional=bool(note.get("optional", optional_match is not None or bool(draft.when))),
        when=str(
            note.get("when", draft.when or (optional_match.group(0).strip("() ") if optional_match else ""))
        ),
        warnings=tuple(warnings),
        annotation=note,
    )


def _described(code: CodeBlock, prose: list[str]) -> CodeBlock:
    """The block's placeholders with what the step's prose and comments say of them."""
    if not code.commands:
        return code
    said = [*prose, *(c.comment for c in code.commands if c.comment)]
    found = describe(code.placeholders, [(c.text, c.span.start) for c in code.commands], said)
    return replace(code, placeholders=tuple(found)) if found != list(code.placeholders) else code


def make_node(draft: Draft, prefix: str, ctx: Context, kind: str = "step") -> Node:
    """The step (or the choice of options it holds) a draft becomes."""
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
    options = options_of(draft)
    if options is None:
        fences = [b for b in draft.blocks if isinstance(b, Fence)]
        split = split_fence_options(fences[0]) if len(fences) == 1 else None
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
        option_draft = Draft(None, title, span, blocks=blocks)
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


def make_nodes(draft: Draft, prefix: str, ctx: Context, kind: str = "step") -> list[Node]:
    """The draft's node, then one optional step for each conditional part of its block
    (`# If that doesn't work, restart the cluster`): those never run unasked."""
    fences = [b for b in draft.blocks if isinstance(b, Fence)]
    split = split_fence_conditions(fences[-1]) if fences and not _has_options(draft) else None
    if split is None:
        return [make_node(draft, prefix, ctx, kind)]
    kept, conditions = split
    last = fences[-1]
    ctx.fences.add(last.span.start)
    draft.blocks = [b for b in draft.blocks if b is not last] + ([kept] if kept is not None else [])
    if kept is None and len(fences) == 1 and not draft.when:
        # The whole block is conditional: the step itself is optional.
        condition, part = conditions.pop(0)
        draft.blocks.append(part)
        draft.when = condition
    nodes = [make_node(draft, prefix, ctx, kind)]
    base = nodes[0].id
    for n, (condition, part) in enumerate(conditions, start=1):
        wanted = f"{base}.if" if len(conditions) == 1 else f"{base}.if{n}"
        extra = Draft(None, condition, part.span, "", [part], {"id": wanted}, when=condition)
        nodes.append(make_node(extra, prefix, ctx, kind))
    return nodes


def _has_options(draft: Draft) -> object:
    """Whether the draft holds options (a copy is asked: asking takes them out of the draft)."""
    probe = Draft(
        draft.number, draft.title, draft.span, draft.head, list(draft.blocks), dict(draft.annotation)
    )
    fences = [b for b in probe.blocks if isinstance(b, Fence)]
    if options_of(probe) is not None:
        return True
    return split_fence_options(fences[0]) if len(fences) == 1 else None


def step_from_item(item: ListItem, number: int | None, note: dict[str, Any]) -> Draft:
    """A draft step from a list item: bold title first, the rest is its body."""
    blocks = list(item.blocks)
    title, head = "", ""
    if blocks and isinstance(blocks[0], Paragraph):
        first = blocks.pop(0)
        assert isinstance(first, Paragraph)
        title, head = draft_title(first)
    return Draft(number, title, item.span, head, blocks, note)


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
    drafts: list[Draft] = []
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
            drafts[-1].span = extend_span(drafts[-1].span, block.span.end)
        else:
            preamble.append(block)
    nodes = [n for d in drafts for n in make_nodes(d, prefix, ctx, kind)]
    return group_alternatives(nodes, prefix, ctx), preamble


def step_from_section(
    number: int | None,
    title: str,
    span: Span,
    blocks: list[Block],
    prefix: str,
    ctx: Context,
    note: dict[str, Any] | None = None,
) -> list[Node]:
    """A step written as a `### Step N: Title` heading with its blocks."""
    return make_nodes(Draft(number, title, span, "", list(blocks), dict(note or {})), prefix, ctx)
