"""Commands typed elsewhere, as every view of a step shows them: grouped by where they are typed.

A command in a block's `typed` list is for the operator to type inside a session a command before
it opened (`ssh db-1`, `oc debug node/x`) or into another program (`psql`, a Rails console): it is
shown, never run here. The run's screen, the dry run, `runbook list` and the site all read the
graph through these functions, so they say the same thing.
"""

from __future__ import annotations

from typing import Any

from ..model.kinds import KINDS

__all__ = [
    "TypedGroup",
    "group_typed",
    "later_inside",
    "outermost",
    "sessions",
    "typed_groups",
    "where_words",
]

TypedGroup = tuple[str, list[dict[str, Any]]]
"""(where, the commands typed there in order)."""


def group_typed(commands: list[dict[str, Any]]) -> list[TypedGroup]:
    """Typed commands in order, consecutive ones typed in the same place grouped."""
    groups: list[TypedGroup] = []
    for command in commands:
        where = command["where"] or "another program"
        if groups and groups[-1][0] == where:
            groups[-1][1].append(command)
        else:
            groups.append((where, [command]))
    return groups


def typed_groups(node: dict[str, Any]) -> list[TypedGroup]:
    """The node's typed commands (every block's) in order, grouped by where they are typed."""
    return group_typed([c for block in node.get("blocks", []) for c in block.get("typed", [])])


def outermost(where: str) -> str:
    """The session the operator opened first: `oc debug node/x` for `chroot /host (in oc debug node/x)`."""
    return where.split(" (in ")[-1].rstrip(")") if " (in " in where else where


def sessions(node: dict[str, Any]) -> list[str]:
    """The sessions the node's commands open (`ssh db-1`), in order."""
    return [
        command["session"]
        for block in node.get("blocks", [])
        for command in block.get("commands", [])
        if command.get("session")
    ]


def later_inside(node: dict[str, Any]) -> list[dict[str, Any]]:
    """What later steps say to type inside the sessions this node opens (`{"step", "text", "where"}`)."""
    return [
        item
        for block in node.get("blocks", [])
        for command in block.get("commands", [])
        for item in command.get("inside", [])
    ]


def where_words(where: str) -> str:
    """`inside ssh db-1` for a session, `in psql` for a program, as a phrase."""
    if where in ("psql", "mysql", "redis-cli", "irb", "rails console", "python", "sqlite3", "mongo", "cqlsh"):
        return f"in {where}"
    if where.startswith(("a ", "an ", "the ", "each ", "every ", "your ")):
        return f"on {where}" if where.startswith(("each ", "every ")) else f"in {where}"
    return f"inside {where}"


def shown_blocks(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The node's blocks that are only shown: neither run, announced, nor typed elsewhere (a
    config file to write, sample output, a query in another language)."""
    return [
        block
        for block in node.get("blocks", [])
        if KINDS[block["kind"]].role in ("show", "reference") and not block.get("typed")
    ]
