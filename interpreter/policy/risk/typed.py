"""The risk of a command the operator types into another program (psql, redis-cli, a shell on a host).

Inference shows such commands instead of running them, and the run asks for the typed word before
the operator goes in where they are typed. Each is read in the language of the program it is typed
into: SQL for a database client (`DROP DATABASE` in psql), a redis-cli argument list for redis, and
shell for a shell session (`ssh host`, `kubectl exec -it pod -- bash`).
"""

from __future__ import annotations

import re
import shlex

from .shell import assess_shell
from .sql import assess_sql
from .verdict import CommandRisk

__all__ = ["assess_typed", "typed_in_shell", "typed_program"]

_SQL_CLIENTS = frozenset(
    {"psql", "mysql", "mariadb", "sqlite3", "cqlsh", "clickhouse-client", "cockroach", "a database client"}
)
_REDIS = frozenset({"redis-cli", "valkey-cli"})
_OTHER_LANGUAGES = frozenset(
    {"irb", "pry", "rails", "python", "python3", "node", "mongo", "mongosh", "powershell", "pwsh", "ruby"}
)


def typed_program(where: str) -> str:
    """The program a command typed `where` goes to: the innermost session's program, e.g. `psql`
    for `psql (in kubectl exec -it db-0 -- bash)` or for `kubectl exec -it db-0 -- psql -U app`."""
    inner = where.split(" (in ", 1)[0].strip()
    if inner in _SQL_CLIENTS:
        return inner
    try:
        words = shlex.split(inner)
    except ValueError:
        words = inner.split()
    if "--" in words:
        words = words[words.index("--") + 1 :]
    words = [w for w in words if w not in ("sudo", "exec", "env") and not re.match(r"^\w+=", w)]
    return words[0].rsplit("/", 1)[-1] if words else ""


def assess_typed(text: str, where: str) -> CommandRisk:
    """The risk of `text` typed `where` (see `typed_program`), read in that program's language."""
    program = typed_program(where)
    if program in _SQL_CLIENTS:
        return assess_sql(text)
    if program in _REDIS:
        return assess_shell(f"{program} {text}")
    return assess_shell(text)


def typed_in_shell(where: str) -> bool:
    """True when what is typed `where` is shell (a host's or a pod's shell), not SQL, Ruby, redis…"""
    return typed_program(where) not in _SQL_CLIENTS | _REDIS | _OTHER_LANGUAGES
