"""Finding a procedure or runnable section by number, slug or title (a unique prefix is enough),
or the one `runbook run FILE` runs when none is named."""

from __future__ import annotations

import re

from ..errors import SelectionError
from ..model.runbook import Procedure, Runbook, walk_steps
from ..policy.confirmation import confirmation

__all__ = [
    "describe_unit",
    "select_unit",
    "several_units",
    "unit_key",
    "unit_menu",
    "unit_rows",
    "unnamed_unit",
]


def unit_key(unit: Procedure) -> str:
    """What `--procedure` takes to name this unit: its number, else its id."""
    return str(unit.number) if unit.kind == "procedure" and unit.number is not None else unit.id


def describe_unit(unit: Procedure) -> str:
    """How a unit is listed among candidates: `2  database-migration-rollback  Database Migration …`."""
    return f"{unit_key(unit)}  {unit.slug}  {unit.title}"


def _facts(unit: Procedure) -> str:
    """`4 steps, 2 destructive` (and the stated risk when it is high)."""
    steps = walk_steps(unit.nodes)
    facts = [f"{len(steps)} step{'s' if len(steps) != 1 else ''}"]
    destructive = sum(1 for step in steps if confirmation(step).destructive)
    if destructive:
        facts.append(f"{destructive} destructive")
    if unit.risk is not None and unit.risk.level in ("high", "critical"):
        facts.append(f"risk {unit.risk.level}")
    return ", ".join(facts)


def unit_menu(runbook: Runbook) -> list[tuple[str, str]]:
    """Every unit as (what --procedure takes, `title  (4 steps, 1 destructive)`), titles aligned:
    procedures by number, then sections in document order, so that a menu's positions are the
    procedures' numbers where they run 1, 2, 3."""
    units = _ordered(runbook)
    titles = max((len(u.title) for u in units), default=0)
    return [(unit_key(u), f"{u.title.ljust(titles)}  ({_facts(u)})") for u in units]


def _ordered(runbook: Runbook) -> list[Procedure]:
    numbered = sorted(runbook.procedures, key=lambda u: (u.number is None, u.number or 0, u.span.start))
    return [*numbered, *sorted(runbook.sections, key=lambda u: u.span.start)]


def unit_rows(runbook: Runbook) -> list[str]:
    """Every unit as a line of a candidate list: key, title, steps and destructive marks, aligned."""
    menu = unit_menu(runbook)
    width = max((len(key) for key, _ in menu), default=0)
    return [f"{key.ljust(width)}  {label}" for key, label in menu]


def unnamed_unit(runbook: Runbook) -> Procedure | None:
    """The unit `runbook run FILE` runs when no --procedure names one: the only one, or None when
    there are several (the caller shows a menu of `unit_rows`, or `several_units`).

    Raises:
        SelectionError: the runbook has no unit.
    """
    units = [*runbook.procedures, *runbook.sections]
    if not units:
        raise SelectionError(
            f"{runbook.path} has no procedures or runnable sections: nothing here has steps with commands",
            [],
            f"`runbook list {runbook.path}` shows what was found",
        )
    return units[0] if len(units) == 1 else None


def several_units(runbook: Runbook, choosing: str) -> SelectionError:
    """The error for several units and no way to ask which one: each listed, and how to name one."""
    units = _ordered(runbook)
    return SelectionError(
        f"{runbook.path} has {len(units)} procedures or runnable sections; name the one to run with "
        f"{choosing}",
        unit_rows(runbook),
        f"for example {choosing} {unit_key(units[0])}; the first column is what {choosing} takes",
    )


def select_unit(runbook: Runbook, query: str) -> Procedure:
    """The procedure or runnable section `query` names.

    Matching is case-insensitive: a procedure number; an exact id; an exact slug, anchor or
    title; else a prefix shared by exactly one unit.

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
    # Ids are unique: one named exactly wins over another unit's title or slug that reads the same.
    by_id = [u for u in units if u.id.lower() == wanted]
    if len(by_id) == 1:
        return by_id[0]
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
