"""Runnable units from sections that hold commands, whatever their shape: every code block that
holds commands belongs to some unit, and a unit's id and title come from its heading.

- A section whose own blocks hold commands is a unit of the steps in them (see `pairs`).
- A section named for what an operator does (Steps, Procedure, Diagnosis, Mitigation, Resolution,
  Recovery, Verification, …) takes its sub-sections as its steps: an alert runbook's Diagnosis
  (read-only checks) and Mitigation are units of their own.
- Sub-sections that name alternatives or conditions (`Option 2`, `If you see X`, `For AWS`), or
  that follow "choose the remedy that matches", are one choice: never run one after the other.
- `### Step 1 -`, `### 1.` and `### 1)` sub-headings are the steps of their section.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..model.runbook import Branch, Choice, Node, Procedure, Step
from ..parse.document import Fence, Heading, ListBlock, Paragraph
from ..parse.source import Span
from .context import Context, id_slug
from .cues import alternative_title, condition_of, is_choice_lead
from .draft import Draft
from .outline import Section
from .pairs import deep_commands, section_steps
from .steps import make_nodes

__all__ = ["alternative_sections", "choice_parent", "command_units", "step_heading"]

_CONTAINER = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?\s*)?(?:steps?\b|procedures?\b|instructions?\b|how\s+to\s+(?:fix|resolve|recover|mitigate)"
    r"|diagnos|investigat|triage|troubleshoot|debug|mitigat|remedia|resolution|resolv|recover|fix(?:ing|es)?\b"
    r"|roll\s*back|rollback|verif|validat|checks?\b|remed|response\b|actions?\b|what\s+to\s+do|runbook)",
    re.I,
)
# Sections kept for looking things up: their code is shown, never a unit (running a cheat sheet top
# to bottom would restart everything it lists).
_REFERENCE = re.compile(
    r"\b(?:appendix|reference|cheat\s*sheet|quick\s+commands|useful\s+commands|examples?|glossary|faq|see\s+also)\b",
    re.I,
)
_NUMBERED = re.compile(r"^(\d+)[.)]\s+(.+)$")
_STEP_HEADING = re.compile(r"^step\s+(\d+)\s*[:.\-–—)]?\s*(.*)$", re.I)


def step_heading(section: Section) -> tuple[int, str] | None:
    """`Step 3: Title`, or `3. Title` / `3) Title` when the section holds code of its own."""
    match = _STEP_HEADING.match(section.title)
    if match:
        return int(match.group(1)), match.group(2) or section.title
    numbered = _NUMBERED.match(section.title)
    if numbered and any(isinstance(b, Fence) for b in section.blocks):
        return int(numbered.group(1)), numbered.group(2)
    return None


def _with_commands(section: Section) -> bool:
    """The section or a sub-section holds commands (computed once per section: the outline is
    asked this for every ancestor)."""
    if section.holds is None:
        section.holds = deep_commands(section.blocks) or any(_with_commands(c) for c in section.children)
    return section.holds


def _leads_a_choice(section: Section) -> bool:
    return any(isinstance(b, Paragraph) and is_choice_lead(b.markdown) for b in section.blocks)


def choice_parent(section: Section) -> bool:
    """A section whose sub-sections holding commands are alternatives to choose between."""
    kids = [c for c in section.children if _with_commands(c)]
    if len(kids) < 2:
        return False
    # A page's main sections are alternatives only when they say so ("Option 1 - …", "If …").
    strict = section.level <= 1
    return _leads_a_choice(section) or sum(alternative_title(c.title, strict) for c in kids) >= 2


def alternative_sections(root: Section) -> set[int]:
    """The sub-sections that are one of several alternatives: they belong to their parent's choice,
    never to a unit of their own."""
    return {id(c) for s in root.walk() if choice_parent(s) for c in s.children}


def _sequence(section: Section, prefix: str, ctx: Context) -> list[Node]:
    """A section as a run of steps: its own blocks, then its sub-sections."""
    container = bool(_CONTAINER.match(section.title))
    nodes = section_steps(list(section.blocks), prefix, ctx, numbered_steps=container, fallback=section.title)
    nodes += child_nodes(section.children, prefix, ctx, _leads_a_choice(section) or choice_parent(section))
    if not nodes and section.heading is not None:
        blocks = list(section.blocks)
        nodes += make_nodes(Draft(None, section.title, section.span(ctx.path), "", blocks), prefix, ctx)
    return nodes


def child_nodes(children: list[Section], prefix: str, ctx: Context, choose: bool) -> list[Node]:
    """Sub-sections as steps; consecutive ones naming alternatives (all of them after a choice lead)
    make one choice."""
    nodes: list[Node] = []
    i = 0
    while i < len(children):
        child = children[i]
        alternative = choose or alternative_title(child.title)
        j = i + 1
        while alternative and j < len(children) and (choose or alternative_title(children[j].title)):
            j += 1
        group = children[i:j] if alternative else [child]
        if len(group) >= 2:
            nodes.append(_choice(group, prefix, ctx))
        elif _has_parts(child):
            # A sub-section with steps of its own (`### Steps` over `#### Set variables`, …) is
            # read as its steps, not folded into one.
            nodes += _sequence(child, f"{prefix}.{id_slug(child.title)}", ctx)
        elif any(not isinstance(b, Heading) for b in child.all_blocks()):
            nodes += _child_step(child, prefix, ctx)
        i = i + len(group)
    return nodes


def _has_parts(section: Section) -> bool:
    """Sub-sections holding commands, or several blocks of commands in step shapes of its own."""
    return any(_with_commands(c) for c in section.children)


def _child_step(child: Section, prefix: str, ctx: Context) -> list[Node]:
    heading = step_heading(child)
    number, title = heading if heading else (None, child.title)
    blocks = [b for b in child.all_blocks() if b is not child.heading]
    draft = Draft(number, title, child.span(ctx.path), "", blocks, when=condition_of(child.title))
    return make_nodes(draft, prefix, ctx)


def _choice(group: list[Section], prefix: str, ctx: Context) -> Choice:
    first, last = group[0].span(ctx.path), group[-1].span(ctx.path)
    keys = [_key(child.title) for child in group]
    if len(set(keys)) < len(keys):
        keys = [str(n) for n in range(1, len(group) + 1)]
    choice_id = ctx.unique(f"{prefix}.{keys[0]}", first.start)
    branches = []
    for child, key in zip(group, keys, strict=True):
        nodes = _sequence(child, f"{prefix}.{key}", ctx)
        if (
            len(nodes) == 1
            and isinstance(nodes[0], Step)
            and not any(isinstance(b, Paragraph) for b in child.blocks)
        ):
            nodes = [replace(nodes[0], title=child.title)]  # a block alone under "Option 1: …"
        branches.append(Branch(key, child.title, tuple(nodes), child.span(ctx.path)))
    title = "Choose the one that matches"
    return Choice(choice_id, "variant", title, tuple(branches), Span(ctx.path, first.start, last.end))


_NUMBERED_ALTERNATIVE = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:option|alternative|method|approach|variant|way|scenario|case|solution)\s*#?(\w+)",
    re.I,
)


def _key(title: str) -> str:
    """What the operator answers for a branch: `2` for "Option 2: …", else the title's first words."""
    numbered = _NUMBERED_ALTERNATIVE.match(title)
    if numbered:
        return numbered.group(1).lower()
    return id_slug(" ".join(title.split()[:4]))


def command_units(root: Section, taken: set[int], ctx: Context, title: str = "") -> list[Procedure]:
    """Units from every section not yet taken that holds commands, in document order."""
    units: list[Procedure] = []
    for section in root.walk():
        if id(section) in taken:
            continue
        unit = _unit(section, ctx, taken, title)
        if unit is not None and unit.nodes:
            units.append(unit)
    return units


def _unit(section: Section, ctx: Context, taken: set[int], document_title: str) -> Procedure | None:
    # A top-level heading names the page, not a step list ("# Troubleshooting" holds many problems).
    if _REFERENCE.search(section.title):
        return None
    container = section.level >= 2 and bool(_CONTAINER.match(section.title))
    own = deep_commands(section.blocks)
    steps = [c for c in section.children if step_heading(c)]
    choosing = choice_parent(section)
    # A Mitigation section of numbered steps done by hand is a unit too (each step acknowledged).
    manual = container and any(isinstance(b, ListBlock) and b.ordered for b in section.blocks)
    if not (
        own or steps or choosing or manual or (container and any(_with_commands(c) for c in section.children))
    ):
        return None
    if section.heading is None:
        # Commands before any heading: the unit is named after the document.
        name = document_title or Path(ctx.path).stem
        unit_id, line, anchor = ctx.unique(id_slug(name), 1), 1, ""
    else:
        name, line, anchor = section.title, section.heading.span.start, section.anchor
        unit_id = ctx.unique(section.anchor or f"section-{line}", line)
    nodes = section_steps(
        list(section.blocks), unit_id, ctx, numbered_steps=container, fallback=name if section.heading else ""
    )
    if container or steps or choosing:
        kids = [c for c in section.children if id(c) not in taken]
        nodes += child_nodes(kids, unit_id, ctx, _leads_a_choice(section) or choice_parent(section))
        for kid in kids:
            taken.update(id(s) for s in kid.walk())
    taken.add(id(section))
    span = section.span(ctx.path) if section.heading is not None else Span(ctx.path, line, line)
    return Procedure(
        id=unit_id,
        kind="section",
        title=name,
        slug=id_slug(name),
        anchor=anchor,
        span=span,
        nodes=tuple(nodes),
    )
