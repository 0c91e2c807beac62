"""Alternatives inside a step: `Option A`/`Option B` paragraphs, headings or bullets, `# Option`/`# Or`
comments splitting one block, and steps titled `Or …` after a first step. Never run in sequence."""

from __future__ import annotations

import re
from dataclasses import replace

from ..model.kinds import KINDS, SHELL_LANGUAGES
from ..model.runbook import Branch, Choice, Node, Step
from ..parse.document import Block, Fence, Heading, ListBlock, Paragraph
from ..parse.source import Span
from .context import Context, id_slug
from .cues import alternative_title, is_alternative_lead, label_of
from .draft import Draft

__all__ = [
    "group_alternatives",
    "option_start",
    "option_title",
    "options_of",
    "split_fence_conditions",
    "split_fence_options",
]

_OPTION_PARA = re.compile(r"^\*\*Option\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*?)\s*:?\*\*\s*:?\s*(.*)$", re.S)
_OPTION_COMMENT = re.compile(
    r"^\s*(?:#|--)\s*(?:Option|Method|Approach|Alternative|Way)\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*)$", re.I
)
_OPTION_HEADING = re.compile(r"^Option\s+([A-Za-z0-9]+)\b\s*[:.)\-–—]?\s*(.*)$")
_OR_COMMENT = re.compile(r"^\s*(?:#|--)\s*(?:Or|Alternatively)\b", re.I)
# `# If that doesn't work, restart the cluster`, `-- Terminate blocking sessions if necessary`.
_IF_COMMENT = re.compile(
    r"^\s*(?:#|--)\s*(?:(?:only\s+)?if\b|in\s+case\b|when\b|otherwise\b|unless\b"
    r"|.*\b(?:if|when)\s+(?:necessary|needed|required|that\s+(?:doesn't|does\s+not|didn't|fails)"
    r"|it\s+(?:doesn't|does\s+not|fails)|still|the\s+above|you\s+(?:need|want|must|have\s+to)))",
    re.I,
)
_COMMENT = re.compile(r"^\s*(?:#|--)")
_SPLIT_LANGS = SHELL_LANGUAGES | KINDS["sql"].languages | {""}
_ALTERNATIVE = re.compile(r"^or\b", re.I)


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


def split_fence_options(fence: Fence) -> tuple[Fence | None, list[tuple[str, str, Fence]]] | None:
    """One block holding alternatives: `# Option A:` comments, or a `# Or …` comment after a blank line.

    Returns the commands before the first alternative (run first, once) and the alternatives.
    """
    if fence.lang not in _SPLIT_LANGS:
        return None
    lines = fence.code.rstrip("\n").split("\n")
    marks = [
        (i, m.group(1), option_title(m)) for i, line in enumerate(lines) if (m := _OPTION_COMMENT.match(line))
    ]
    prelude_end = marks[0][0] if marks else 0
    if len(marks) < 2:
        # `# Or …` after a blank line, or anywhere after an `# Either …` first part, starts another way.
        either = bool(re.match(r"^\s*(?:#|--)\s*Either\b", lines[0], re.I)) if lines else False
        ors = [
            i
            for i, line in enumerate(lines)
            if _OR_COMMENT.match(line) and i > 0 and (either or not lines[i - 1].strip())
        ]
        if not ors:
            return None
        cuts = [0, *ors]
        titles = [
            _uncomment(lines[0]) if _COMMENT.match(lines[0]) else "first way",
            *[_uncomment(lines[i]) for i in ors],
        ]
        marks = [
            (cut, str(n), title) for n, (cut, title) in enumerate(zip(cuts, titles, strict=True), start=1)
        ]
        prelude_end = 0
    parts = []
    for n, (index, key, title) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        part = _part(fence, lines[index:stop], index)
        if not any(line.strip() and not _COMMENT.match(line) for line in part.code.split("\n")):
            return None  # an alternative with nothing to run is a comment, not a choice
        parts.append((key, title, part))
    prelude = lines[:prelude_end]
    has_prelude = any(line.strip() and not _COMMENT.match(line) for line in prelude)
    return (_part(fence, prelude, 0) if has_prelude else None), parts


def _uncomment(line: str) -> str:
    return re.sub(r"^\s*(?:#|--)\s*", "", line).strip()


def split_fence_conditions(fence: Fence) -> tuple[Fence | None, list[tuple[str, Fence]]] | None:
    """A block whose later commands carry a condition (`# If that doesn't work, …` after a blank line):
    the commands before it, and each conditional part with its condition. None when there is none."""
    if fence.lang not in _SPLIT_LANGS:
        return None
    lines = fence.code.rstrip("\n").split("\n")
    cuts = [
        i for i, line in enumerate(lines) if _IF_COMMENT.match(line) and (i == 0 or not lines[i - 1].strip())
    ]
    if not cuts:
        return None
    parts = []
    for n, cut in enumerate(cuts):
        stop = cuts[n + 1] if n + 1 < len(cuts) else len(lines)
        part = _part(fence, lines[cut:stop], cut)
        if any(line.strip() and not _COMMENT.match(line) for line in part.code.split("\n")):
            parts.append((_uncomment(lines[cut]).rstrip(":"), part))
    head = lines[: cuts[0]]
    kept = _part(fence, head, 0) if any(x.strip() and not _COMMENT.match(x) for x in head) else None
    return (kept, parts) if parts else None


def option_title(match: re.Match[str]) -> str:
    title = match.group(2).strip()
    return f"Option {match.group(1)}: {title}" if title else f"Option {match.group(1)}"


def option_start(block: Block) -> tuple[str, str, list[Block]] | None:
    """`**Option A: title**` (a paragraph) or `#### Option A: title` (a heading)."""
    if isinstance(block, Paragraph):
        match = _OPTION_PARA.match(block.markdown)
        if match:
            # The option's paragraph opens its span; text after the bold title is its prose.
            return match.group(1), option_title(match), [Paragraph(match.group(3), block.span)]
    if isinstance(block, Heading):
        match = _OPTION_HEADING.match(block.text)
        if match:
            return match.group(1), option_title(match), [Paragraph("", block.span)]
    return None


def options_of(draft: Draft) -> list[tuple[str, str, list[Block]]] | None:
    """Option paragraphs or headings, or a bullet list of options, each with its blocks; else None."""
    parts: list[tuple[str, str, list[Block]]] = []
    lead: list[Block] = []
    for block in draft.blocks:
        start = option_start(block)
        if start is not None:
            parts.append(start)
            continue
        if isinstance(block, ListBlock) and not block.ordered and len(block.items) >= 2:
            starts = [option_start(i.blocks[0]) if i.blocks else None for i in block.items]
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
        return _prose_options(draft)
    draft.blocks = lead
    return parts


def _prose_options(draft: Draft) -> list[tuple[str, str, list[Block]]] | None:
    """Blocks under short labels naming alternatives (`Bash:` / `Fish:`, `On macOS` / `On Linux`),
    or a block after "Alternatively, …" / "Or using kubectl:": another way to do the same thing."""
    blocks = draft.blocks
    fences = [i for i, b in enumerate(blocks) if isinstance(b, Fence)]
    labelled = [
        (i - 1, label)
        for i in fences
        if i > 0
        and isinstance(blocks[i - 1], Paragraph)
        and (label := label_of(blocks[i - 1].markdown))  # type: ignore[union-attr]
        and alternative_title(label)
    ]
    if len(labelled) >= 2 and len(labelled) == len([i for i in fences if i > labelled[0][0]]):
        cuts = [start for start, _ in labelled] + [len(blocks)]
        parts = [
            (id_slug(label), label, blocks[cuts[n] : cuts[n + 1]]) for n, (_, label) in enumerate(labelled)
        ]
        draft.blocks = blocks[: labelled[0][0]]
        return parts
    leads = [
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Paragraph)
        and is_alternative_lead(b.markdown)
        and fences
        and fences[0] < i < fences[-1]
    ]
    if not leads:
        return None
    cuts = [fences[0], *leads, len(blocks)]
    parts = []
    for n in range(len(cuts) - 1):
        part = blocks[cuts[n] : cuts[n + 1]]
        head = part[0]
        title = head.text.rstrip(":") if isinstance(head, Paragraph) else _first_command(head)
        parts.append((str(n + 1), title[:80], part))
    draft.blocks = blocks[: fences[0]]
    return parts


def _first_command(block: Block) -> str:
    lines = [x.strip() for x in block.code.split("\n") if x.strip()] if isinstance(block, Fence) else []
    return next((x for x in lines if not x.startswith("#")), lines[0] if lines else "the first way")


def group_alternatives(nodes: list[Node], prefix: str, ctx: Context) -> list[Node]:
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
