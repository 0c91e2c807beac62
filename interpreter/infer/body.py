"""A step's body: its prose, code blocks, sub-checks, warnings and expectations written in prose."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..model.kinds import SHELL_LANGUAGES, runs
from ..model.runbook import CodeBlock
from ..parse.document import Block, BlockQuote, Fence, Html, ListBlock, Paragraph
from .context import Context
from .cues import is_output_lead, is_run_lead
from .draft import Draft
from .inline import inline_command
from .shell import parse_expectation

__all__ = ["is_warning", "read_body"]

_EXPECTED_PROSE = re.compile(
    r"^(?:\*\*|__)?expected(?:\s+(?:output|result|response))?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$",
    re.I | re.S,
)
_OUTPUT_LANGS = frozenset({"", "text", "txt", "json", "output", "console", "plaintext"})
_WARNING = re.compile(
    r"\b(?:WARNING|DANGER|CAUTION)\b\s*[:!]|^\W*(?:WARNING|DANGER|CAUTION)\b|\bDATA LOSS\b|\bIRREVERSIBLE\b"
    r"|(?<![\w-])(?<!not )[Dd]estructive\b|\*\*(?:Warning|Danger|Caution)\*\*|\[!(?:CAUTION|WARNING)\]"
    r"|(?i:cannot be undone)"
    # Cautions in plain words: "as a last resort", "double-check the pod", "be careful".
    r"|(?i:\blast resort\b|\bdouble[- ]check\b|\bbe careful\b)"
)


# Every way `_WARNING` matches holds one of these words, case-folded (tests/test_prefilters.py
# checks each character `(?i:)` lets through): a text holding none is no warning, without a scan.
# A new word in `_WARNING` goes here too.
_WARNING_WORDS = (
    "warning", "danger", "caution", "data loss", "irreversible", "estructive", "cannot be undone",
    "last resort", "double", "be careful",
)  # fmt: skip


def is_warning(text: str) -> bool:
    """True when text warns of danger (`WARNING`, `DATA LOSS`, `Destructive`, `> [!CAUTION]`)."""
    folded = text.casefold()
    return any(word in folded for word in _WARNING_WORDS) and bool(_WARNING.search(text))


def read_body(
    draft: Draft, ctx: Context
) -> tuple[list[str], list[CodeBlock], list[str], list[str], dict[str, Any]]:
    """Prose, code blocks, sub-checks, warnings, and step keys found in comments inside the step."""
    prose: list[str] = [draft.head] if draft.head else []
    codes: list[CodeBlock] = []
    checks: list[str] = []
    warnings: list[str] = [draft.title] if is_warning(draft.title) else []
    pending: dict[str, Any] = {}
    hoisted: dict[str, Any] = {}
    expect_block = False
    lead = draft.head
    for block in draft.blocks:
        inline = inline_command(block) if isinstance(block, Paragraph) else None
        if inline is not None:
            block = inline  # a command alone in a code span is run like a block of it
        if isinstance(block, Paragraph):
            if block.markdown:
                prose.append(block.markdown)
            said = _EXPECTED_PROSE.match(block.markdown)
            expect_block = (said is not None and not said.group(1).strip()) or is_output_lead(block.markdown)
            if said is not None and said.group(1).strip():
                codes = _expect(codes, said.group(1).strip(), block.span.start)
            lead = block.markdown
        elif (
            isinstance(block, Fence)
            and expect_block
            and block.lang in _OUTPUT_LANGS | SHELL_LANGUAGES
            and _has_runnable(codes)
        ):
            # "Expected output:" followed by a block: that block is the output, not code to run.
            ctx.fences.add(block.span.start)
            codes = _expect(codes, block.code.strip(), block.first_code_line)
            expect_block = False
        elif isinstance(block, Fence):
            # `optional`, `when`… in a comment above a block speak for the whole step.
            hoisted.update({k: v for k, v in pending.items() if k in ("optional", "when")})
            keys = {k: v for k, v in pending.items() if k not in ("optional", "when")}
            # "You should see something like:" with nothing run before it: an example, shown only.
            codes.append(ctx.code(block, keys, trusted=is_run_lead(lead), shown=expect_block))
            pending = {}
            expect_block = False
            lead = ""
        elif isinstance(block, ListBlock):
            for item in block.items:
                text = "\n".join(b.markdown for b in item.blocks if isinstance(b, Paragraph))
                if item.task is not None:
                    checks.append(text)
                else:
                    prose.append(f"- {text}")
                nested: list[Block] = [b for b in item.blocks if isinstance(b, (Fence, ListBlock))]
                if nested:
                    sub = read_body(Draft(None, "", item.span, blocks=nested), ctx)
                    prose += sub[0]
                    codes += sub[1]
                    checks += sub[2]
        elif isinstance(block, BlockQuote):
            quote = "\n".join(f"> {line}" for line, _ in _quote_lines(block))
            prose.append(quote)
            inner = [b for b in block.blocks if isinstance(b, Fence)]
            if inner:
                codes += read_body(Draft(None, "", block.span, blocks=list(inner)), ctx)[1]
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


def _has_runnable(codes: list[CodeBlock]) -> bool:
    return any(c.commands and runs(c.kind) for c in codes)


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
