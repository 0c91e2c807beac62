"""Steps from a section's own blocks, in the shapes people write them.

- List items holding commands, numbered or bulleted, with the code in the item or at column 0
  right after it (each item is a step; a later list of the same kind goes on the sequence).
- `Step N -` / `**Step N:**` paragraphs, each with the blocks after it.
- A table of steps with a command column.
- A run of prose and code block pairs: each block holding commands ends a step whose text is
  the prose before it. "Alternatively, …" before a block makes it another way to do the step
  before (a choice); "If …" makes the step optional, showing its condition; short labels
  (`Bash`, `Fish`) before consecutive blocks make a choice between them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model.kinds import KINDS
from ..model.runbook import Branch, Choice, Node, Step
from ..parse.document import Block, BlockQuote, Fence, ListBlock, Paragraph, Rule, Table
from ..parse.source import Span
from .context import Context, id_slug
from .cues import alternative_title, condition_of, is_alternative_lead, is_output_lead, is_run_lead, label_of
from .draft import Draft, extend_span
from .inline import inline_command
from .options import group_alternatives
from .steps import make_nodes, step_from_item
from .table_steps import is_command_column, table_drafts
from .transcript import read_code

__all__ = ["deep_commands", "holds_commands", "section_steps"]

_STEP_PARA = re.compile(
    r"^\s*(?:\*\*|__)?step\s+(\d+)\s*(?:[:.)\-–—]\s*(?:\*\*|__)?|(?:\*\*|__)\s*[:.)\-–—]?)\s*(.*)$",
    re.I | re.S,
)
# Notes and warnings next to a block are not what the step does.
_ASIDE = re.compile(r"^\W*(?:warning|note|important|caution|danger|tip|hint|nb)\b", re.I)
_SHELLISH = frozenset({"", "bash", "sh", "shell", "zsh", "ksh", "console", "terminal", "shell-session"})


def holds_commands(fence: Fence, lead: str = "") -> bool:
    """True when a block holds something to run or to type (a query counts), as inference reads it."""
    if fence.lang in KINDS["sql"].languages:
        return bool(fence.code.strip())
    if fence.lang not in _SHELLISH:
        return False
    return _holds(fence.code, fence.first_code_line, fence.lang, bool(fence.lang) or is_run_lead(lead))


@lru_cache(maxsize=4096)
def _holds(code: str, first_line: int, lang: str, trusted: bool) -> bool:
    # Asked again for every unit shape tried on the section a block is in: read each block once.
    return any(p.role in ("run", "typed") for p in read_code(code, first_line, lang, trusted))


def deep_commands(blocks: tuple[Block, ...] | list[Block]) -> bool:
    """True when any block, or any block inside a list item or quote, holds commands."""
    lead = ""
    for block in blocks:
        if isinstance(block, Paragraph) and inline_command(block) is None:
            lead = block.markdown
            continue
        if isinstance(block, Paragraph):
            found = True
        elif isinstance(block, Fence):
            found = holds_commands(block, lead)
        elif isinstance(block, ListBlock):
            found = any(deep_commands(i.blocks) for i in block.items)
        elif isinstance(block, Table):
            found = any(is_command_column(h) for h in block.header) and bool(block.rows)
        else:
            found = isinstance(block, BlockQuote) and deep_commands(block.blocks)
        if found:
            return True
    return False


def _pair_title(blocks: list[Block]) -> str:
    # The paragraph nearest the block says what it does ("Get the nodes and their zones:").
    paragraphs = [
        b
        for b in blocks
        if isinstance(b, ListBlock) or (isinstance(b, Paragraph) and not _ASIDE.match(b.markdown))
    ]
    ordered = [paragraphs[-1], *blocks] if paragraphs else blocks
    for block in ordered:
        text = ""
        if isinstance(block, Paragraph):
            text = block.text
        elif isinstance(block, ListBlock):
            text = _item_text(block, 0)
        elif isinstance(block, Fence):
            first = next((x for x in block.code.split("\n") if x.strip()), "")
            text = re.sub(r"^\s*(?:#|--|//|\$)\s*", "", first).strip()
        if text.strip():
            sentence = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]
            sentence = sentence.strip().rstrip(":").strip()
            return sentence if len(sentence) <= 80 else sentence[:77].rstrip() + "…"
    return "Run the commands"


class _Segmenter:
    """Cuts a section's blocks into step drafts, remembering which are alternatives to the one before."""

    def __init__(self, ctx: Context, numbered_steps: bool, fallback: str) -> None:
        self.ctx = ctx
        self.numbered_steps = numbered_steps
        self.fallback = fallback
        """The step title where a block has no prose before it (the section's title)."""
        self.conditions: list[str] = []
        self.drafts: list[Draft] = []
        self.alternative: list[bool] = []
        self.labels: list[str] = []
        self.open: Draft | None = None
        self.list_kind: bool | None = None
        self.pending: list[Block] = []

    def add(self, draft: Draft, alternative: bool = False, label: str = "") -> None:
        self.conditions.append("")
        self.drafts.append(draft)
        self.alternative.append(alternative and len(self.drafts) > 1)
        self.labels.append(label)

    def close(self) -> None:
        self.open = None
        self.list_kind = None
        if self.pending and self.drafts:
            last = self.drafts[-1]
            last.blocks += self.pending
            last.span = extend_span(last.span, self.pending[-1].span.end)
        self.pending = []

    def feed(self, blocks: list[Block]) -> None:
        for index, block in enumerate(blocks):
            after = blocks[index + 1] if index + 1 < len(blocks) else None
            if isinstance(block, Rule):
                self.close()
            elif isinstance(block, ListBlock) and self._is_step_list(block, after):
                self.close()
                self.list_kind = block.ordered
                for item in block.items:
                    draft = step_from_item(item, len(self.drafts) + 1, {})
                    self.add(draft)
                    self.open = draft
            elif isinstance(block, Paragraph) and (match := _STEP_PARA.match(block.markdown)):
                self.close()
                title, _, rest = match.group(2).strip().partition("\n")
                draft = Draft(
                    len(self.drafts) + 1,
                    title.strip().rstrip(":*_ ") or f"Step {match.group(1)}",
                    block.span,
                    rest,
                )
                self.add(draft)
                self.open = draft
            elif isinstance(block, Table) and (rows := table_drafts(block, len(self.drafts) + 1, self.ctx)):
                self.close()
                for draft in rows:
                    self.add(draft)
            elif self.open is not None and not self._introduces(block, after):
                self.open.blocks.append(block)
                self.open.span = extend_span(self.open.span, block.span.end)
            else:
                if self.open is not None:
                    self.close()
                self._pair(block)
        self.close()

    def _introduces(self, block: Block, after: Block | None) -> bool:
        """A paragraph at column 0 after a bulleted step, right above a block of commands, starts a
        step of its own ("Check the queue depth:" + its command) rather than adding to the bullet."""
        return (
            self.list_kind is False
            and isinstance(block, Paragraph)
            and isinstance(after, Fence)
            and not is_output_lead(block.markdown)
            and holds_commands(after, block.markdown)
        )

    def _is_step_list(self, block: ListBlock, after: Block | None) -> bool:
        if block.ordered and self.numbered_steps:
            return True
        if any(deep_commands(item.blocks) for item in block.items):
            return True
        if self.list_kind is not None and block.ordered == self.list_kind:
            return True  # a later list goes on the sequence the first one started
        return isinstance(after, Fence) and holds_commands(after, _item_text(block, -1))

    def _pair(self, block: Block) -> None:
        if isinstance(block, Paragraph) and (inline := inline_command(block)) is not None:
            block = inline  # `kubectl get pods -A` alone in a paragraph: a command, like a block
        paragraphs = [b for b in self.pending if isinstance(b, Paragraph)]
        lead = paragraphs[-1].markdown if paragraphs else ""
        self.pending.append(block)
        if isinstance(block, Fence) and is_output_lead(lead) and self.drafts:
            # "You should see something like:" and its block: the output of the step before.
            self.close()
            return
        if not isinstance(block, Fence) or not holds_commands(block, lead) or is_output_lead(lead):
            return
        blocks, self.pending = self.pending, []
        span = Span(self.ctx.path, blocks[0].span.start, block.span.end)
        title = _pair_title(blocks) if paragraphs else self.fallback or _pair_title(blocks)
        condition = condition_of(lead)
        draft = Draft(len(self.drafts) + 1, title, span, "", blocks, when=condition)
        label = label_of(lead) if len(paragraphs) == 1 and len(blocks) == 2 else ""
        label = label if alternative_title(label) else ""
        # "For small clusters: …" then "For large clusters: …": one choice between them.
        parallel = (
            bool(condition)
            and bool(self.conditions)
            and _first_word(self.conditions[-1]) == _first_word(condition)
        )
        if parallel:
            self.drafts[-1].when = ""
            draft.when = ""
            label = condition
            self.labels[-1] = self.labels[-1] or self.conditions[-1]
        self.add(draft, alternative=is_alternative_lead(lead) or parallel, label=label)
        self.conditions[-1] = condition


def _first_word(text: str) -> str:
    return text.split(maxsplit=1)[0].lower() if text.strip() else ""


def _item_text(block: ListBlock, index: int) -> str:
    """The first paragraph of one item of a list."""
    item = block.items[index] if block.items else None
    first = item.blocks[0] if item is not None and item.blocks else None
    return first.markdown if isinstance(first, Paragraph) else ""


def section_steps(
    blocks: list[Block],
    prefix: str,
    ctx: Context,
    kind: str = "step",
    numbered_steps: bool = False,
    fallback: str = "",
) -> list[Node]:
    """The steps of a section's own blocks (not its sub-sections), whatever their shape.
    `numbered_steps`: a numbered list is steps even with no commands (a Mitigation section)."""
    segmenter = _Segmenter(ctx, numbered_steps, fallback)
    segmenter.feed(blocks)
    nodes: list[Node] = []
    marks: list[bool] = []
    labels: list[str] = []
    previous = ""
    for draft, alternative, label in zip(
        segmenter.drafts, segmenter.alternative, segmenter.labels, strict=True
    ):
        made = make_nodes(draft, prefix, ctx, kind)
        # Consecutive blocks each under a short label (`Bash`, `Fish`) are variants of one step.
        first = alternative or bool(label and previous and len(made) == 1)
        nodes += made
        marks += [first] + [False] * (len(made) - 1)
        labels += [label] + [""] * (len(made) - 1)
        previous = label if len(made) == 1 else ""
    return group_alternatives(_choices(nodes, marks, labels, prefix, ctx), prefix, ctx)


def _choices(
    nodes: list[Node], marks: list[bool], labels: list[str], prefix: str, ctx: Context
) -> list[Node]:
    """Nodes marked as another way to do the node before become one choice with it."""
    out: list[Node] = []
    i = 0
    while i < len(nodes):
        j = i + 1
        while j < len(nodes) and marks[j]:
            j += 1
        run = nodes[i:j]
        if len(run) == 1:
            out.append(nodes[i])
        else:
            numbers = [n.number if isinstance(n, Step) else None for n in (run[0], run[-1])]
            label = f"{numbers[0]}-{numbers[1]}" if None not in numbers else id_slug(run[0].title)
            branches = tuple(
                Branch(
                    id_slug(labels[i + k]) if labels[i + k] else str(k + 1),
                    labels[i + k] or node.title,
                    (node,),
                    node.span,
                )
                for k, node in enumerate(run)
            )
            out.append(
                Choice(
                    ctx.unique(f"{prefix}.{label}", run[0].span.start),
                    "alternative",
                    f"Choose one of {len(run)} ways",
                    branches,
                    Span(ctx.path, run[0].span.start, run[-1].span.end),
                )
            )
        i = j
    return out
