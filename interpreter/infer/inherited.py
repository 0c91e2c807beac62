"""Warnings written above a unit (a WARNING heading, a caution note, a HIGH risk) apply to every step in it.

A runbook often warns once, at the top (`**Risk**: HIGH`, `> [!CAUTION] every step deletes
data`) or in a heading (`## DANGER: production only`), and then lists its procedures. Each step
below such a warning is destructive: the run asks for a typed word, `--yes` alone does not do.
"""

from __future__ import annotations

from dataclasses import replace

from ..model.runbook import Choice, Node, Procedure, Step
from ..parse.document import Block, BlockQuote, ListBlock, Paragraph
from .outline import Section, plain_lines
from .procedures import _ATTRIBUTE, parse_risk
from .steps import is_warning

__all__ = ["inherit_warnings"]


def inherit_warnings(root: Section, units: list[Procedure]) -> list[Procedure]:
    """`units` with the warnings of the sections around them (and before their first step) added
    to each of their steps."""
    chains: dict[int, list[Section]] = {}
    _chains(root, [], chains)
    found = []
    for unit in units:
        chain = chains.get(unit.span.start)
        warned = _warnings(chain, _first_line(unit)) if chain else []
        found.append(replace(unit, nodes=_warn(unit.nodes, tuple(warned))) if warned else unit)
    return found


def _chains(section: Section, above: list[Section], chains: dict[int, list[Section]]) -> None:
    """Each heading's line → the sections from the top down to it. (A function of the module, not
    a nested one calling itself: that is a reference cycle, which kept every runbook's outline
    alive until the next collection.)"""
    chain = [*above, section]
    if section.heading is not None:
        chains[section.heading.span.start] = chain
    for child in section.children:
        _chains(child, chain, chains)


def _first_line(unit: Procedure) -> int:
    return min((node.span.start for node in unit.nodes), default=unit.span.end + 1)


def _warnings(chain: list[Section], first_step: int) -> list[str]:
    """Warnings of the enclosing sections, and of the unit's own text before its first step."""
    *above, own = chain
    found: list[str] = []
    for section in above:
        if section.heading is not None and is_warning(section.title):
            found.append(section.title)
        found += _said(section.blocks, risk=True)
    found += _said([b for b in own.blocks if b.span.end < first_step], risk=False)
    return list(dict.fromkeys(found))


def _said(blocks: list[Block], risk: bool) -> list[str]:
    """Warning lines in paragraphs and notes; with `risk`, a stated HIGH or CRITICAL risk too."""
    prose: list[Block] = [b for b in blocks if isinstance(b, (Paragraph, BlockQuote, ListBlock))]
    found = []
    for line, _ in plain_lines(prose):
        attribute = _ATTRIBUTE.match(line.strip())
        if attribute and risk and (attribute.group(1) or attribute.group(3) or "").lower().startswith("risk"):
            stated = parse_risk(attribute.group(2) or attribute.group(4) or "")
            if stated is not None and stated.level in ("high", "critical"):
                found.append(line.strip())
        elif is_warning(line):
            found.append(line.strip().lstrip(">").strip())
    return found


def _warn(nodes: tuple[Node, ...], warned: tuple[str, ...]) -> tuple[Node, ...]:
    def step(s: Step) -> Step:
        return replace(s, warnings=tuple(dict.fromkeys((*s.warnings, *warned))))

    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Step):
            out.append(step(node))
        elif isinstance(node, Choice):
            branches = tuple(replace(b, nodes=_warn(b.nodes, warned)) for b in node.branches)
            out.append(replace(node, step=step(node.step) if node.step else None, branches=branches))
        else:
            out.append(node)
    return tuple(out)
