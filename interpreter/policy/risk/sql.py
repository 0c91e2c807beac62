"""SQL read through sqlparse's parse tree: which statements destroy data.

Destructive: DROP, TRUNCATE, `ALTER TABLE … DROP [COLUMN]`, DELETE or UPDATE with no WHERE or a
WHERE that is always true (`WHERE true`, `1=1`, `'a'='a'`, `id = id`, `x OR 1=1`), at the top
of a statement or in a CTE (`WITH d AS (DELETE …)`). Code that runs later is read too: the body
of a `DO` block or of a `CREATE FUNCTION`/`PROCEDURE` is read statement by statement, and
`EXECUTE 'literal'` (or `EXECUTE format('literal', …)`) as the SQL it runs; a body in another
language or an `EXECUTE` of text built at run time cannot be analysed, and so is destructive.
Not destructive: `ON DELETE CASCADE`, `SELECT … FOR UPDATE`, `ON CONFLICT DO UPDATE`, `GRANT
DELETE`, a trigger's `BEFORE UPDATE`: a DELETE or UPDATE counts only where a statement starts.
"""

from __future__ import annotations

import re
from typing import Any

from .verdict import SAFE, CommandRisk, combine

__all__ = ["assess_sql", "may_destroy"]

_MAY_DESTROY = re.compile(r"drop|truncate|delete|update|\bdo\b|execute|function|procedure", re.I)
_STARTERS = frozenset(
    {
        "DELETE",
        "UPDATE",
        "DROP",
        "TRUNCATE",
        "ALTER",
        "EXECUTE",
        "DO",
        "CREATE",
        "WITH",
        "INSERT",
        "SELECT",
        "MERGE",
    }
)
_LANGUAGES = frozenset({"plpgsql", "sql"})
_NOT_DATA = frozenset({"NOT NULL", "NOT", "DEFAULT", "CONSTRAINT", "IDENTITY", "EXPRESSION"})
_MAX_DEPTH = 4
_DOLLAR_TAG = re.compile(r"\$\w*\$")


def may_destroy(text: str) -> bool:
    """Whether SQL text holds a keyword a destructive statement needs (without parsing it)."""
    return _MAY_DESTROY.search(text) is not None


def assess_sql(text: str, depth: int = 0) -> CommandRisk:
    """The risk of SQL text (one statement or several): destructive and why, or unanalysable."""
    if not may_destroy(text):
        return SAFE  # no such keyword anywhere: grouping the statement (the costly part) is not needed
    if depth > _MAX_DEPTH:
        return _unanalysable("SQL nested this deep in strings")
    plain = _plain_removal(text)
    return plain if plain is not None else _parsed(text, depth)


def _parsed(text: str, depth: int) -> CommandRisk:
    """The risk of SQL text as sqlparse's parse tree shows it."""
    import sqlparse
    from sqlparse.exceptions import SQLParseError

    try:
        statements = sqlparse.parse(text)
        return combine(_statement(statement, depth) for statement in statements)
    except (SQLParseError, RecursionError):
        return _unanalysable("SQL too large or too deeply nested to read")


# One plain `DROP <object> [IF EXISTS] name, … [CASCADE]` or `TRUNCATE [TABLE] [ONLY] name, …`:
# no quote, comment, dollar sign or second statement in it, so its first words decide, as they do
# in the parse tree (`_statement`). Loading sqlparse (15 ms, a tenth of `runbook validate` of one
# file) is not needed to say so. Anything else is parsed.
_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?"
_PLAIN_REMOVAL = re.compile(
    rf"\s*(?:DROP\s+([A-Za-z]+)(?:\s+IF\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?)"
    rf"\s+{_NAME}(?:\s*,\s*{_NAME})*(?:\s+(?:CASCADE|RESTRICT))?\s*;?\s*",
    re.I,
)
_DROPPED = frozenset(
    {"TABLE", "DATABASE", "SCHEMA", "INDEX", "VIEW", "SEQUENCE", "TRIGGER", "USER", "ROLE", "TYPE"}
)
"""Words after DROP that sqlparse reads as keywords (tests/test_risk.py checks each against it)."""


def _plain_removal(text: str) -> CommandRisk | None:
    match = _PLAIN_REMOVAL.fullmatch(text)
    if match is None:
        return None
    if match.group(1) is None:
        return _destructive("TRUNCATE removes every row", "TRUNCATE")
    kind = match.group(1).upper()
    if kind not in _DROPPED:
        return None
    return _destructive(f"DROP {kind} removes it and the data it holds", f"DROP {kind}")


def _meaningful(group: Any) -> list[Any]:
    from sqlparse import tokens as T

    return [
        t for t in group.tokens if not t.is_whitespace and t.ttype not in T.Comment and not _is_comment(t)
    ]


def _is_comment(token: Any) -> bool:
    from sqlparse import sql

    return isinstance(token, sql.Comment)


def _upper(token: Any) -> str:
    return str(token.normalized).upper() if token.is_keyword else ""


def _statement(statement: Any, depth: int) -> CommandRisk:
    tokens = _meaningful(statement)
    if not tokens:
        return SAFE
    head = _upper(tokens[0])
    if head == "DROP":
        kind = _upper(tokens[1]) if len(tokens) > 1 else ""
        word = f"DROP {kind}".strip()
        return _destructive(f"{word} removes it and the data it holds", word)
    if head == "TRUNCATE":
        return _destructive("TRUNCATE removes every row", "TRUNCATE")
    if head == "ALTER":
        return _alter(tokens)
    if head == "DO":
        return _routine(tokens, depth, "a DO block")
    if head == "CREATE" and any(_upper(t) in ("FUNCTION", "PROCEDURE") for t in tokens[1:4]):
        return _routine(tokens, depth, "the function it creates")
    return _level(statement)


def _level(group: Any) -> CommandRisk:
    """DELETE and UPDATE that start this level (a statement, a CTE's parentheses), and the levels inside."""
    from sqlparse import sql
    from sqlparse import tokens as T

    parts: list[CommandRisk] = []
    tokens = [t for t in _meaningful(group) if not (t.ttype in T.Punctuation and t.value == "(")]
    starts_with_cte = bool(tokens) and tokens[0].ttype in T.Keyword.CTE
    counted = False
    for index, token in enumerate(tokens):
        word = token.normalized.upper() if token.ttype in T.Keyword.DML else ""
        if word in ("DELETE", "UPDATE") and not counted and (index == 0 or starts_with_cte):
            counted = True
            where = next((t for t in tokens[index + 1 :] if isinstance(t, sql.Where)), None)
            verb = "removes" if word == "DELETE" else "changes"
            if where is None:
                parts.append(_destructive(f"{word} without WHERE {verb} every row", word))
            elif _always_true(where):
                parts.append(_destructive(f"{word} with a WHERE that is always true {verb} every row", word))
        elif word in ("SELECT", "INSERT") and index == 0:
            counted = True
        if token.is_group and not isinstance(token, sql.Where):
            parts.append(_level(token))
    return combine(parts)


def _always_true(where: Any) -> bool:
    """`WHERE true`, `1=1`, `'a'='a'`, `id = id`, `x = 3 OR 1=1`: every row matches."""
    from sqlparse import tokens as T

    condition = _meaningful(where)[1:]  # after WHERE
    # RETURNING and the like end the condition
    condition = [t for t in condition if _upper(t) not in ("RETURNING",)]
    disjunct: list[Any] = []
    disjuncts = [disjunct]
    for token in condition:
        if token.ttype in T.Keyword and token.normalized.upper() == "OR":
            disjunct = []
            disjuncts.append(disjunct)
        else:
            disjunct.append(token)
    return any(disjunct and _conjunction_true(disjunct) for disjunct in disjuncts)


def _conjunction_true(tokens: list[Any]) -> bool:
    from sqlparse import tokens as T

    conjunct: list[Any] = []
    conjuncts = [conjunct]
    for token in tokens:
        if token.ttype in T.Keyword and token.normalized.upper() == "AND":
            conjunct = []
            conjuncts.append(conjunct)
        else:
            conjunct.append(token)
    return all(c and _constant_true(c) for c in conjuncts)


def _constant_true(tokens: list[Any]) -> bool:
    """A term that names no column and is not plainly false, or compares a thing with itself."""
    from sqlparse import sql
    from sqlparse import tokens as T

    if len(tokens) == 1 and isinstance(tokens[0], sql.Parenthesis):
        inner = [t for t in _meaningful(tokens[0]) if t.ttype not in T.Punctuation]
        return bool(inner) and _conjunction_true_or(inner)
    if len(tokens) == 1 and isinstance(tokens[0], sql.Comparison):
        parts = _meaningful(tokens[0])
        if len(parts) == 3 and parts[1].value in ("=", "<=", ">=", "IS", "is") and _same(parts[0], parts[2]):
            return True  # `id = id`: true on every row where it is set
        tokens = parts
    flat = [t for group in tokens for t in (group.flatten() if group.is_group else [group])]
    flat = [t for t in flat if not t.is_whitespace]
    if any(t.ttype in T.Name or t.ttype in T.Name.Placeholder for t in flat):
        return False  # it names a column (or a parameter): it depends on the row
    values = [t.normalized.upper() for t in flat]
    plainly_false = (
        values in (["FALSE"], ["NOT", "TRUE"], ["0"], ["NULL"])
        or (len(values) == 3 and values[1] == "=" and values[0] != values[2])
        or (len(values) == 3 and values[1] in ("<>", "!=") and values[0] == values[2])
    )
    return not plainly_false


def _conjunction_true_or(tokens: list[Any]) -> bool:
    from sqlparse import tokens as T

    disjunct: list[Any] = []
    disjuncts = [disjunct]
    for token in tokens:
        if token.ttype in T.Keyword and token.normalized.upper() == "OR":
            disjunct = []
            disjuncts.append(disjunct)
        else:
            disjunct.append(token)
    return any(d and _conjunction_true(d) for d in disjuncts)


def _same(left: Any, right: Any) -> bool:
    return bool(" ".join(str(left).split()).lower() == " ".join(str(right).split()).lower())


def _alter(tokens: list[Any]) -> CommandRisk:
    """`ALTER TABLE t DROP COLUMN c` loses data; `DROP NOT NULL`, `DROP DEFAULT`, `DROP CONSTRAINT` do not."""
    flat = [t for group in tokens for t in (group.flatten() if group.is_group else [group])]
    flat = [t for t in flat if not t.is_whitespace]
    for index, token in enumerate(flat[:-1]):
        if _upper(token) == "DROP" and _upper(flat[index + 1]) not in _NOT_DATA:
            return _destructive("ALTER … DROP removes a column (or partition) and its data", "ALTER … DROP")
    return SAFE


def _routine(tokens: list[Any], depth: int, what: str) -> CommandRisk:
    """A `DO` block or a function body: read it when it is SQL or PL/pgSQL, else it cannot be known."""
    from sqlparse import tokens as T

    flat = [t for group in tokens for t in (group.flatten() if group.is_group else [group])]
    flat = [t for t in flat if not t.is_whitespace and t.ttype not in T.Comment]
    language = "plpgsql"
    body: str | None = None
    after_as = what.startswith("a DO")  # a function's body is the string after AS; a DO block's, any
    for index, token in enumerate(flat):
        word = _upper(token)
        if word == "LANGUAGE" and index + 1 < len(flat):
            language = flat[index + 1].value.strip("'\"").lower()
        elif word == "AS":
            after_as = True
        elif after_as and body is None and token.ttype in T.Literal:
            text = token.value
            match = _DOLLAR_TAG.match(text)
            if match:
                body = text[match.end() : len(text) - match.end()]
            elif text.startswith("'"):
                body = text[1:-1].replace("''", "'")
    if body is None:
        return SAFE if what.startswith("the function") else _unanalysable(f"{what} whose body cannot be read")
    if language not in _LANGUAGES:
        return _unanalysable(f"{what} in LANGUAGE {language or '?'}")
    inner = _body(body, depth + 1)
    if not inner.reasons:
        return SAFE
    return CommandRisk(
        tuple(r if r.startswith("cannot be analysed") else f"{what}: {r}" for r in inner.reasons),
        (),
        inner.unanalysable,
        inner.words,
    )


def _body(body: str, depth: int) -> CommandRisk:
    """PL/pgSQL read statement by statement: each statement from its first SQL keyword on."""
    from sqlparse import lexer
    from sqlparse import tokens as T

    parts: list[CommandRisk] = []
    segment: list[tuple[Any, str]] = []
    for kind, value in [*lexer.tokenize(body), (T.Punctuation, ";")]:  # type: ignore[no-untyped-call]
        if not (kind in T.Punctuation and value == ";"):
            segment.append((kind, value))
            continue
        words = [
            (k, v) for k, v in segment if k not in T.Whitespace and k not in T.Comment and k not in T.Newline
        ]
        start = next((i for i, (k, v) in enumerate(words) if k in T.Keyword and v.upper() in _STARTERS), None)
        segment = []
        if start is None:
            continue
        if words[start][1].upper() == "EXECUTE":
            parts.append(_execute(words[start + 1 :], depth))
            continue
        parts.append(assess_sql(" ".join(v for _, v in words[start:]), depth))
    return combine(parts)


def _execute(words: list[tuple[Any, str]], depth: int) -> CommandRisk:
    """`EXECUTE 'DROP …'`, `EXECUTE format('DROP TABLE %I', t)`: the SQL it runs, when it is written out."""
    from sqlparse import tokens as T

    if words and words[0][0] in T.Literal.String and words[0][1].startswith("'"):
        literal = words[0][1][1:-1].replace("''", "'")
        return assess_sql(literal, depth) if literal.strip() else SAFE
    if (
        len(words) > 2
        and words[0][1].lower() == "format"
        and words[1][1] == "("
        and words[2][0] in T.Literal.String
        and words[2][1].startswith("'")
    ):
        return assess_sql(words[2][1][1:-1].replace("''", "'"), depth)
    return _unanalysable("EXECUTE runs SQL text built at run time")


def _destructive(reason: str, word: str) -> CommandRisk:
    return CommandRisk((reason,), (), False, (word,))


def _unanalysable(reason: str) -> CommandRisk:
    return CommandRisk((f"cannot be analysed: {reason}",), (), True, ("SQL",))
