"""Running a `sql` block through psycopg: one transaction, a statement timeout, results as tables."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import UsageError
from ...policy.weak_secrets import weakness
from ..context import ExecutorContext, Output, Planned
from ..database import database_url, redact, url_passwords
from ..expect import matches
from ..session import CommandResult

__all__ = ["ROWS_SHOWN", "SQL", "SqlExecutor"]

ROWS_SHOWN = 50
"""Rows printed per result; the count says how many there were."""
_CELL = 80


class SqlExecutor:
    """A `sql` block as one command of its step: the block is the unit of its transaction."""

    kinds = frozenset({"sql"})
    edit_refusal = "sql blocks are not edited here: open a shell (h) and use psql"

    def secret_variables(self, block: Mapping[str, Any]) -> frozenset[str]:
        return frozenset()  # a password in the database URL is masked when the URL is read

    def plan(
        self, block: Mapping[str, Any], settings: Mapping[str, Any], values: Mapping[str, str]
    ) -> list[Planned]:
        detail = {
            "annotation": block["annotation"],
            "span": block["span"],
            "capture": block["annotation"].get("capture"),
            "statements": [
                {"text": c["text"], "line": c["span"]["start"], "expectations": c["expectations"]}
                for c in block["commands"]
            ],
        }
        # Expectations are checked per statement against its result, not against the whole output.
        reasons = tuple(r for c in block["commands"] for r in c.get("destructive", ()))
        return [Planned("sql", block["code"].strip(), detail=detail, destructive=reasons)]

    def starts_process(self, command: Planned) -> bool:
        return False

    def run(
        self,
        ctx: ExecutorContext,
        node: Mapping[str, Any],
        command: Planned,
        out: Output,
        limit: float | None,
    ) -> CommandResult:
        return run_sql(ctx, node, command.detail, out.write, limit)


SQL = SqlExecutor()


def run_sql(
    ctx: ExecutorContext,
    node: Mapping[str, Any],
    block: Mapping[str, Any],
    sink: Callable[[bytes], None],
    limit: float | None,
) -> CommandResult:
    """Run one block's statements in one transaction, committed only when all of them (and their
    expectations) succeed. Ctrl-C cancels the running query on the server."""
    started = time.monotonic()
    try:
        url = database_url(block, ctx.settings, ctx.session.env)
    except UsageError as error:
        return CommandResult("errored", None, 0.0, error.message + f" ({error.hint})")
    for password in url_passwords(url):
        if weakness(password) is None:  # a weak one is masked where the URL writes it (redact)
            ctx.masker.add(password)
    for statement in block["statements"]:
        word = _transaction_control(statement["text"])
        if word:
            return CommandResult(
                "errored",
                None,
                0.0,
                f"line {statement['line']}: {word} would end the block's transaction early; a sql block "
                "is one transaction, committed only when all of it succeeds (remove it, or put what "
                "must commit on its own in a block of its own)",
            )

    def say(text: str) -> None:
        sink(text.encode("utf-8"))

    import psycopg

    where = redact(url)
    try:
        connection = psycopg.connect(url, connect_timeout=10, application_name="runbook")
    except psycopg.Error as exc:
        return _ended("errored", started, f"cannot connect to {where}: {_message(exc)}", where, [])
    except KeyboardInterrupt:
        return _ended("interrupted", started, f"Ctrl-C while connecting to {where}", where, [])
    done: list[dict[str, Any]] = []
    at = ""
    status, why = "ok", ""
    value: str | None = None
    try:
        with connection.cursor() as cursor:
            if limit:
                # Applies to this transaction only; the server cancels a statement that runs longer.
                cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(limit * 1000))}")
            for statement in block["statements"]:
                at = f"line {statement['line']}: "
                cursor.execute(statement["text"])
                result = _result(cursor)
                say(result["shown"])
                first = result.pop("first")
                if value is None and first is not None:
                    value = first  # capture= takes the first result's first row and column
                done.append({"line": statement["line"], **{k: v for k, v in result.items() if k != "shown"}})
                if not _expectations(ctx, node, statement, result, first):
                    status, why = "failed", "an expectation was not met: the block is rolled back"
                    break
        if status == "ok" and block.get("capture") and value is None:
            status = "failed"
            why = f"capture={block['capture']}: the block's results hold no value (no rows, or NULL)"
        if status == "ok":
            connection.commit()
        else:
            connection.rollback()
    except psycopg.errors.QueryCanceled as exc:
        connection.rollback()
        status, why = "timeout", at + (f"statement timeout ({limit:g}s): " if limit else "") + _message(exc)
    except psycopg.Error as exc:
        _rollback(connection)
        status, why = "failed", at + _message(exc)
    except KeyboardInterrupt:
        # psycopg asks the server to cancel on Ctrl-C; ask again in case it could not, then roll back.
        _cancel(connection)
        status, why = "interrupted", "cancelled on the server by Ctrl-C"
    except BaseException:
        _cancel(connection)  # SIGTERM, a closed terminal: never leave the query running
        raise
    finally:
        connection.close()
    if status != "ok":
        line = done[-1]["line"] if status == "failed" and why.startswith("an expectation") else None
        say(f"{status}: {why}" + (f" (line {line})" if line else "") + "; nothing was committed\n")
    elif done:
        say(f"committed ({len(done)} statement{'s' if len(done) != 1 else ''})\n")
    if status == "ok" and block.get("capture"):
        ctx.session.env[block["capture"]] = str(value)
    return _ended(status, started, why, where, done)


_TRANSACTION = re.compile(
    r"^\s*(begin|start\s+transaction|commit|end|abort|rollback(?!\s+(?:work\s+|transaction\s+)?to\b))\b", re.I
)


def _transaction_control(text: str) -> str:
    """COMMIT, ROLLBACK, BEGIN…: a statement that would end or nest the block's own transaction."""
    body = "\n".join(line for line in text.split("\n") if not line.strip().startswith("--"))
    match = _TRANSACTION.match(body)
    return " ".join(match.group(1).upper().split()) if match else ""


def _ended(status: Any, started: float, error: str, where: str, done: list[dict[str, Any]]) -> CommandResult:
    code = 0 if status == "ok" else None
    details = {"sql": {"database": where, "statements": done}}
    return CommandResult(status, code, time.monotonic() - started, error, details)


def _message(exc: Exception) -> str:
    """A server error in one line, with its position when the server gives one; passwords redacted."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(exc).strip().split("\n")[0]
    detail = getattr(diag, "message_detail", None)
    return redact(primary + (f" ({detail})" if detail else ""))


def _rollback(connection: Any) -> None:
    # A broken connection cannot roll back: closing it rolls back on the server.
    with contextlib.suppress(Exception):
        connection.rollback()


def _cancel(connection: Any) -> None:
    from psycopg import pq

    try:
        if connection.info.transaction_status == pq.TransactionStatus.ACTIVE:
            getattr(connection, "cancel_safe", connection.cancel)()
    except Exception:
        pass
    _rollback(connection)


def _result(cursor: Any) -> dict[str, Any]:
    """What a statement returned, as text for the screen and facts for the journal."""
    if cursor.description is None:
        status = cursor.statusmessage
        return {"status": status, "rows": cursor.rowcount, "shown": f"{status}\n", "first": None}
    columns = [c.name for c in cursor.description]
    rows = cursor.fetchmany(ROWS_SHOWN)
    total = len(rows) + len(cursor.fetchall())
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    more = f", {ROWS_SHOWN} shown" if total > ROWS_SHOWN else ""
    lines.append(f"({total} row{'s' if total != 1 else ''}{more})")
    first = None if not rows or not rows[0] else ("" if rows[0][0] is None else str(rows[0][0]))
    return {
        "status": cursor.statusmessage,
        "rows": total,
        "columns": columns,
        "shown": "\n".join(lines) + "\n",
        "first": first,
    }


def _cell(value: Any) -> str:
    text = "NULL" if value is None else str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _expectations(
    ctx: ExecutorContext,
    node: Mapping[str, Any],
    statement: dict[str, Any],
    result: dict[str, Any],
    first: str | None,
) -> bool:
    """`-- Expected: 3` is the first row's first column (or the status, `DELETE 3`); JSON or quoted
    text is looked for in the printed result."""
    ok = True
    for expectation in statement["expectations"]:
        wanted = expectation["text"].strip()
        if wanted[:1] in "{[\"'`":
            passed = matches(wanted, result["shown"])
        else:
            passed = wanted in (first, result["status"], f"{result['rows']} rows", f"{result['rows']} row")
        ctx.emit(
            "expectation.checked",
            node["id"],
            {
                "text": wanted,
                "literal": True,
                "result": "passed" if passed else "failed",
                "command": ctx.masker.text(statement["text"]),
                "actual": ctx.masker.text(first if first is not None else str(result["status"])),
            },
        )
        ctx.view.text(f"  expected {wanted}: {'passed' if passed else 'failed'}")
        ok = ok and passed
    return ok
