"""SQL as text: a block split into statements; which of them destroy data is `policy.risk`'s to say."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SqlStatement", "destructive_sql", "split_sql"]

_EXPECTED = re.compile(r"^\s*--\s*expected(?:\s+output)?\s*:\s*(.+)$", re.I)


@dataclass(frozen=True, slots=True)
class SqlStatement:
    """One statement of a `sql` block, where it was written and what its comments expect."""

    text: str
    """As written, without the trailing `-- Expected:` comments."""
    first_line: int
    last_line: int
    expectations: tuple[tuple[str, int], ...]
    """`-- Expected: …` lines after it: (text, line)."""


def split_sql(code: str, first_line: int) -> list[SqlStatement]:
    """The block's statements in order. A `;` inside a string, a comment or `$$ … $$` does not split."""
    import sqlparse

    statements: list[SqlStatement] = []
    offset = 0
    for piece in sqlparse.split(code, strip_semicolon=False):
        start = code.find(piece, offset)
        if start < 0:  # sqlparse normalised something; fall back to counting from where we were
            start = offset
        offset = start + len(piece)
        line = first_line + code.count("\n", 0, start)
        body: list[tuple[str, int]] = []
        before: list[tuple[str, int]] = []  # `-- Expected:` right after the previous statement
        expected: list[tuple[str, int]] = []
        for number, text in enumerate(piece.split("\n"), start=line):
            match = _EXPECTED.match(text)
            if match is None:
                body.append((text, number))
            elif any(_meaningful(t) for t, _ in body):
                expected.append((match.group(1).strip(), number))
            else:
                before.append((match.group(1).strip(), number))
        if before and statements:
            last = statements[-1]
            statements[-1] = SqlStatement(
                last.text, last.first_line, last.last_line, (*last.expectations, *before)
            )
        while body and not body[0][0].strip():
            body.pop(0)
        text = "\n".join(t for t, _ in body).strip()
        if not _meaningful(text):
            continue
        begin = body[0][1]
        statements.append(SqlStatement(text, begin, begin + text.count("\n"), tuple(expected)))
    return statements


def _meaningful(text: str) -> bool:
    """Whether the text holds anything but blanks, comments and semicolons (read by the lexer alone:
    grouping a statement costs a hundred times more and is not needed to answer this)."""
    if "--" not in text and "/*" not in text and "#" not in text:
        return bool(text.replace(";", "").strip())
    from sqlparse import lexer
    from sqlparse import tokens as T

    for kind, value in lexer.tokenize(text):  # type: ignore[no-untyped-call]
        if kind in T.Whitespace or kind in T.Comment or kind in T.Newline:
            continue
        if kind in T.Punctuation and value == ";":
            continue
        return True
    return False


def destructive_sql(statement: str) -> tuple[str, ...]:
    """Why a statement destroys data; empty when it does not (the policy of `policy.risk`)."""
    from ..policy.risk import assess_sql

    return assess_sql(statement).reasons
