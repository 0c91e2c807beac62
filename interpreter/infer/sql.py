"""SQL as text: a block split into statements, and which statements destroy data (sqlparse's tokens)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SqlStatement", "destructive_sql", "split_sql"]

_MAY_DESTROY = re.compile(r"\b(drop|truncate|delete|update)\b", re.I)
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
    """Why a statement destroys data: DROP, TRUNCATE, ALTER … DROP, DELETE or UPDATE without WHERE.

    Read from sqlparse's tokens, so a keyword inside a string or a comment never counts, and a
    DELETE or UPDATE with a WHERE (at its own level of nesting) is not destructive.
    """
    if not _MAY_DESTROY.search(statement):
        return ()  # no such keyword anywhere: no need to group the statement (the costly part)
    import sqlparse
    from sqlparse import sql
    from sqlparse import tokens as T

    reasons: list[str] = []
    for parsed in sqlparse.parse(statement):
        first = parsed.token_first(skip_cm=True)  # type: ignore[no-untyped-call]
        if first is None:
            continue
        head = first.value.upper() if first.ttype in T.Keyword else ""
        if head == "DROP":
            reasons.append("DROP: removes the object and its data")
        elif head == "TRUNCATE":
            reasons.append("TRUNCATE: removes every row")
        elif head == "ALTER" and any(
            t.ttype in T.Keyword and t.value.upper() == "DROP"
            for t in parsed.flatten()  # type: ignore[no-untyped-call]
        ):
            reasons.append("ALTER … DROP: removes part of a table and its data")

        def level(group: sql.TokenList) -> None:
            previous = ""
            has_where = any(isinstance(t, sql.Where) for t in group.tokens)
            for token in group.tokens:
                if token.is_group and not isinstance(token, sql.Where):
                    level(token)
                if token.ttype in T.Keyword.DML and token.value.upper() in ("DELETE", "UPDATE"):
                    word = token.value.upper()
                    # ON DELETE CASCADE, SELECT … FOR UPDATE: not a statement of their own
                    if previous not in ("ON", "FOR") and not has_where:
                        reasons.append(f"{word} without WHERE: changes every row")
                if token.is_keyword:
                    previous = token.value.upper()

        level(parsed)
    return tuple(dict.fromkeys(reasons))
