"""A code block read as an operator reads it: commands to run, lines typed into other programs, output, data.

With prompts (`$ `, `user@host:~$ `, `db=# `, `mysql> `), the prompt says what each line is, and
the lines after a shell command are its output. Without prompts, a statement is a command only
when it reads as one (a known program, a path, an assignment, or a team's own tool in a block
that declares itself shell) and parses as shell; config, queries, logs and prose are data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from ..model.kinds import SHELL_LANGUAGES
from .content import parses_as_shell, statement_kind
from .prompts import named_prompts, program_prompt, shell_prompt
from .scan import Scan, split_commands

__all__ = ["Piece", "read_code"]

Role = Literal["run", "typed", "data"]


@dataclass(slots=True)
class Piece:
    """One statement of a block and what it is for."""

    role: Role
    """run: a command for the local shell; typed: for the operator to type into another program
    (`where` says which); data: config, output, prose or a query, shown only."""
    text: str
    """The statement without its prompt."""
    start: int
    end: int
    comment: str = ""
    """The comment lines just above it."""
    where: str = ""
    """For a typed statement: the program it is typed into (`psql`, `rails console`)."""
    expected: list[tuple[str, int, bool]] = field(default_factory=list)
    """For a command: what its output should be, with the line, and whether it was written as
    output in a transcript (True) or as an `# Expected:` comment (False)."""


_ROOT = re.compile(r"^\s*#\s?(?=\S)")


def read_code(code: str, first_line: int, lang: str, trusted: bool) -> list[Piece]:
    """The statements of a block. `trusted`: the block or its prose says it holds commands, so a
    statement starting with an unknown program (a team's own tool) may be one.

    The pieces are shared with every caller asking about the same block: read them, never change them.
    """
    # Inference asks about a block when deciding a section's shape, then reads it for its step:
    # each block is read once (`trusted` only counts where the language does not already say so).
    return list(_read_code(code, first_line, lang, trusted or lang in SHELL_LANGUAGES))


@lru_cache(maxsize=4096)
def _read_code(code: str, first_line: int, lang: str, trusted: bool) -> tuple[Piece, ...]:
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rooted = lang in ("console", "terminal", "shell-session", "") and _rooted(lines)
    named = "$" in code and named_prompts(lines)
    if rooted or named or any(shell_prompt(x) or program_prompt(x) for x in lines):
        return tuple(_transcript(lines, first_line, rooted, named))
    return tuple(_script(code, first_line, trusted))


def _rooted(lines: list[str]) -> bool:
    """Every line is `# something` and some are commands: root's `# ` prompt, not comments."""
    written = [x for x in lines if x.strip()]
    if not written or not all(_ROOT.match(x) for x in written):
        return False
    return any(statement_kind(_ROOT.sub("", x)) in ("command", "sql") for x in written)


def _transcript(lines: list[str], first_line: int, rooted: bool, named: bool = False) -> list[Piece]:
    # Commands written before the first prompt ("kubectl exec -it pod -- sh" then "$ psql") are
    # commands too: only what follows a prompted command is its output.
    lead = next((i for i, x in enumerate(lines) if shell_prompt(x, named) or program_prompt(x)), 0)
    pieces: list[Piece] = _script("\n".join(lines[:lead]) + "\n", first_line, False) if lead else []
    pending: Piece | None = None
    scan = Scan()
    for offset, line in enumerate(lines):
        if offset < lead:
            continue
        number = first_line + offset
        if pending is not None:
            text = re.sub(r"^\s*>\s?", "", line)
            pending.text += "\n" + text
            pending.end = number
            scan.feed(text)
            if scan.complete(text):
                pending = None
            continue
        prompted = shell_prompt(line, named)
        if prompted is None and rooted and _ROOT.match(line):
            text = _ROOT.sub("", line).strip()
            if statement_kind(text) == "sql":
                pieces.append(Piece("typed", text, number, number, where="psql"))
                continue
            prompted = shell_prompt("$ " + text)
        if prompted is not None:
            if not prompted.text or prompted.text.startswith("#"):
                continue
            piece = Piece("run", prompted.text, number, number)
            pieces.append(piece)
            scan = Scan()
            scan.feed(prompted.text)
            if not scan.complete(prompted.text):
                pending = piece
            continue
        other = program_prompt(line)
        if other is not None:
            last = pieces[-1] if pieces else None
            if other.continuation and last is not None and last.role == "typed":
                last.text += "\n" + other.text
                last.end = number
            elif other.text:
                pieces.append(Piece("typed", other.text, number, number, where=other.program))
            continue
        if line.strip() and pieces and pieces[-1].role == "run":
            _output(pieces[-1], line.strip(), number)
    for piece in pieces:
        if piece.role == "run" and not parses_as_shell(piece.text):
            piece.role = "data"
    return pieces


def _output(piece: Piece, text: str, line: int) -> None:
    """A transcript's output line: consecutive lines make one expectation of the command above."""
    if piece.expected and piece.expected[-1][2]:
        previous, start, _ = piece.expected[-1]
        if start + previous.count("\n") == line - 1:
            piece.expected[-1] = (previous + "\n" + text, start, True)
            return
    piece.expected.append((text, line, True))


def _script(code: str, first_line: int, trusted: bool) -> list[Piece]:
    statements = split_commands(code, first_line, console=False)
    kinds = [statement_kind(text) for text, *_ in statements]
    mixed = "data" in kinds
    pieces: list[Piece] = []
    for (text, start, end, comment, expected), said in zip(statements, kinds, strict=True):
        runs = said == "command" or (said == "unknown" and trusted and not mixed)
        query = said == "sql"  # a statement for a database client, written in a shell block
        role: Role = "run" if runs and parses_as_shell(text) else "typed" if query else "data"
        piece = Piece(role, text, start, end, comment, "a database client" if query else "")
        piece.expected = [(e, at, False) for e, at in expected]
        pieces.append(piece)
    return pieces
