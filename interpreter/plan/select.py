"""Finding a procedure or runnable section by number, slug or title (a unique prefix is enough)."""

from __future__ import annotations

import re

from ..errors import SelectionError
from ..model.runbook import Procedure, Runbook

__all__ = ["describe_unit", "select_unit"]


def describe_unit(unit: Procedure) -> str:
    """How a unit is listed among candidates: `2  database-migration-rollback  Database Migration …`."""
    key = str(unit.number) if unit.kind == "procedure" and unit.number is not None else unit.id
    return f"{key}  {unit.slug}  {unit.title}"


def select_unit(runbook: Runbook, query: str) -> Procedure:
    """The procedure or runnable section `query` names.

    Matching is case-insensitive: a procedure number; an exact id, slug, anchor or title; else a
    prefix shared by exactly one unit.

    Raises:
        SelectionError: nothing matches, or a prefix matches several (the error lists candidates).
    """
    units = [*runbook.procedures, *runbook.sections]
    wanted = " ".join(query.strip().lower().split())
    if not wanted:
        raise SelectionError(
            "an empty procedure name matches nothing",
            [describe_unit(u) for u in units],
            "use a number, a slug or a title",
        )
    # `Procedure 2` and `procedure-2` name procedure 2, as the heading does.
    numbered = re.fullmatch(r"(?:procedure[\s-]*)?#?(\d+)", wanted)
    if numbered:
        wanted = numbered.group(1)
    if not units:
        raise SelectionError(
            f"{runbook.path} has no procedures or runnable sections",
            [],
            "see `runbook list` for what was found",
        )
    if wanted.isascii() and wanted.isdigit():
        by_number = [u for u in runbook.procedures if u.number == int(wanted)]
        if by_number:
            return by_number[0]
    exact = [u for u in units if wanted in _names(u)]
    if len(exact) == 1:
        return exact[0]
    prefixed = exact or [u for u in units if any(name.startswith(wanted) for name in _names(u))]
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise SelectionError(
            f"{query!r} matches {len(prefixed)} procedures or sections in {runbook.path}",
            [describe_unit(u) for u in prefixed],
            "give more of the name, or the number",
        )
    raise SelectionError(
        f"no procedure or section {query!r} in {runbook.path}",
        [describe_unit(u) for u in units],
        "use a number, a slug or a title from this list",
    )


def _names(unit: Procedure) -> set[str]:
    names = {unit.id.lower(), unit.slug.lower(), unit.anchor.lower(), unit.title.lower()}
    names.discard("")
    return names
