"""Procedures: which sections are procedures, their attributes, gate, variants and steps."""

from __future__ import annotations

import re

from ..model.runbook import Branch, Choice, Duration, Gate, GateItem, Node, Procedure, Risk
from ..parse.document import Block, Fence, Heading, ListBlock, Paragraph
from ..parse.source import Finding, Span
from .cues import alternative_title
from .outline import Section
from .pairs import deep_commands, section_steps
from .steps import Context, id_slug, step_from_section, steps_from_blocks
from .units import alternative_sections, choice_parent, step_heading

__all__ = ["find_procedures", "has_explicit_procedures", "parse_duration", "parse_risk"]

_EXPLICIT = re.compile(r"^(?:procedure|runbook|playbook)\s*(?:#?\s*(\d+))?\s*[:.\-–—]\s*(.+)$", re.I)
_NUMBERED = re.compile(r"^(\d+)[.)]\s+(.+)$")
_ATTRIBUTE = re.compile(r"^\*\*([A-Za-z][\w /-]*?)\*\*\s*:\s*(.*)$|^\*\*([A-Za-z][\w /-]*?):\*\*\s*(.*)$")
_STEPS_TITLE = re.compile(r"^(steps|procedure|instructions)\s*:?$", re.I)
_PREREQ_TITLE = re.compile(
    r"^(prerequisites?|pre-?requisites?|before you (begin|start)|requirements)\b", re.I
)
# A number starts where no digit or dot comes before it, and space is read after a word only:
# otherwise every digit and every space of a long line is a start (quadratic, cubic on digits).
_DURATION = re.compile(
    r"(?:(?P<lt><|≤|under|up to|less than)\s*)?(?<![\d.])(?P<a>\d+(?:\.\d+)?)\s*"
    r"(?:(?:-|–|to)\s*(?P<b>\d+(?:\.\d+)?))?\s*"
    r"(?P<unit>seconds?|secs?|s\b|minutes?|mins?|m\b|hours?|hrs?|h\b)",
    re.I,
)
_RISK = re.compile(r"^\W*(very\s+low|very\s+high|low|medium|moderate|high|critical)\b", re.I)


def parse_duration(text: str) -> Duration | None:
    """`15-30 minutes` → 15..30; `<1 minute` → 0..1; `1-2 hours` → 60..120."""
    match = _DURATION.search(text)
    if match is None:
        return None
    unit = match.group("unit").lower()
    scale = 1 / 60 if unit.startswith("s") else 60.0 if unit.startswith("h") else 1.0
    low = float(match.group("a")) * scale
    high = float(match.group("b")) * scale if match.group("b") else low
    if match.group("lt"):
        low = 0.0
    return Duration(low, high, text.strip())


def parse_risk(text: str) -> Risk | None:
    """`HIGH - Data loss possible` → high."""
    match = _RISK.match(text)
    if match is None:
        return None
    level = " ".join(match.group(1).lower().split())
    level = {"moderate": "medium", "very high": "critical"}.get(level, level)
    return Risk(level, text.strip())  # type: ignore[arg-type]


def _attributes(
    blocks: list[Block],
) -> tuple[dict[str, tuple[str, int]], list[Block], list[ListBlock]]:
    """`**Key**: value` paragraphs of a procedure; the other blocks; a list under Prerequisites."""
    found: dict[str, tuple[str, int]] = {}
    rest: list[Block] = []
    listed: list[ListBlock] = []
    last_key = ""
    for block in blocks:
        if isinstance(block, Paragraph):
            lines = block.markdown.split("\n")
            matches = [_ATTRIBUTE.match(line) for line in lines]
            if all(matches):
                for offset, match in enumerate(matches):
                    assert match is not None
                    key = (match.group(1) or match.group(3)).strip().lower()
                    found[key] = (
                        (match.group(2) or match.group(4) or "").strip(),
                        block.span.start + offset,
                    )
                    last_key = key
                continue
        if isinstance(block, ListBlock) and last_key.startswith("prerequisite") and not rest:
            items = [" ".join(b.text for b in i.blocks if isinstance(b, Paragraph)) for i in block.items]
            value, line = found[last_key]
            found[last_key] = ("; ".join(x for x in [value, *items] if x), line)
            listed.append(block)
            continue
        rest.append(block)
        last_key = ""
    return found, rest, listed


def _gate(unit_id: str, lists: list[ListBlock], span: Span | None, ctx: Context) -> Gate | None:
    """A gate from a Prerequisites section's list, or from a list after `**Prerequisites**:`.

    A one-line `**Prerequisites**: text` stays a procedure attribute (shown in the header).
    """
    items = [
        GateItem(
            f"{unit_id}.prerequisites.{n}",
            " ".join(b.text for b in item.blocks if isinstance(b, Paragraph)),
            item.span,
        )
        for n, item in enumerate((i for block in lists for i in block.items), start=1)
    ]
    if not items:
        return None
    for item in items:
        ctx.ids.add(item.id)
    where = span or Span(ctx.path, lists[0].span.start, lists[-1].span.end)
    return Gate(ctx.unique(f"{unit_id}.prerequisites", where.start), "Prerequisites", tuple(items), where)


def _section_steps(section: Section, prefix: str, ctx: Context) -> list[Node]:
    """Steps of a section: its numbered list, its step sub-headings, or variant sub-sections.

    Sub-sections that are none of these (Verification, Notes) become a closing checklist when
    they hold `- [ ]` items, else a step done by hand, so nothing written is lost.
    """
    nodes, preamble = steps_from_blocks(list(section.blocks), prefix, ctx)
    if deep_commands(preamble):
        # Commands before the numbered steps (`export CLUSTER=…`) run first, as steps of their own.
        nodes = section_steps(preamble, f"{prefix}.0", ctx, fallback="Before the steps") + nodes
    variants: list[Section] = []
    # Sub-sections naming alternatives (`Option 2`, `If you see X`) are variants even when they are
    # prose and commands rather than numbered steps: they must never run one after the other.
    choosing = choice_parent(section)
    for child in section.children:
        note = (ctx.annotation(child.lead) or {}) if child.lead else {}
        heading = step_heading(child)
        if choosing and not heading and (_has_steps(child) or alternative_title(child.title)):
            variants.append(child)
        elif heading:
            blocks = list(child.blocks) + [b for c in child.children for b in c.all_blocks()]
            nodes += step_from_section(
                heading[0], heading[1], child.span(ctx.path), blocks, prefix, ctx, note
            )
        elif _has_steps(child):
            variants.append(child)
        elif _has_tasks(child):
            closing = f"{prefix}.{id_slug(child.title)}"
            more, _ = steps_from_blocks(list(child.all_blocks())[1:], closing, ctx, kind="check")
            nodes += more
        elif any(not isinstance(b, Heading) for b in child.all_blocks()):
            blocks = [b for b in child.all_blocks() if b is not child.heading]
            nodes += step_from_section(None, child.title, child.span(ctx.path), blocks, prefix, ctx, note)
    if len(variants) == 1:
        nodes += _section_steps(variants[0], prefix, ctx)
    elif variants:
        choice_id = ctx.unique(f"{prefix}.variant", variants[0].span(ctx.path).start)
        branches = []
        for variant in variants:
            key = id_slug(variant.title)
            branch_nodes = _section_steps(variant, f"{prefix}.{key}", ctx)
            if not branch_nodes:
                branch_nodes = section_steps(list(variant.blocks), f"{prefix}.{key}", ctx)
            branches.append(Branch(key, variant.title, tuple(branch_nodes), variant.span(ctx.path)))
        span = Span(ctx.path, variants[0].span(ctx.path).start, variants[-1].span(ctx.path).end)
        choice = Choice(
            choice_id, "variant", "Choose the variant that matches your setup", tuple(branches), span
        )
        nodes.insert(0, choice)
    return nodes


def _has_tasks(section: Section) -> bool:
    return any(
        isinstance(b, ListBlock) and any(i.task is not None for i in b.items) for b in section.all_blocks()
    )


def _has_steps(section: Section) -> bool:
    for block in section.all_blocks():
        if isinstance(block, ListBlock) and block.ordered:
            return True
    return any(step_heading(child) for child in section.children)


def build_procedure(
    section: Section, number: int | None, title: str, unit_id: str, ctx: Context
) -> Procedure:
    """One procedure from its section."""
    attrs, rest, listed = _attributes(section.blocks)
    prereq = next((c for c in section.children if _PREREQ_TITLE.match(c.title)), None)
    steps_section = next((c for c in section.children if _STEPS_TITLE.match(c.title)), None)
    if prereq is not None:
        lists = [b for b in prereq.blocks if isinstance(b, ListBlock)]
        gate = _gate(unit_id, lists, prereq.span(ctx.path), ctx)
    else:
        gate = _gate(unit_id, listed, None, ctx)
    if steps_section is None:
        body = Section(section.heading, rest, [c for c in section.children if c is not prereq])
    else:
        body = steps_section
    nodes: list[Node] = [gate] if gate else []
    nodes += _section_steps(body, unit_id, ctx)
    if len(nodes) == (1 if gate else 0):
        ctx.findings.append(
            Finding.of(
                "structure/no-steps",
                ctx.path,
                section.heading.span.start if section.heading else 1,
                f"procedure {unit_id} ({title}) has no steps",
                "number its steps: 1. **Title** with the commands below",
            )
        )
    duration = attrs.get("duration") or attrs.get("estimated time") or attrs.get("time")
    risk = attrs.get("risk") or attrs.get("risk level")
    prerequisites = attrs.get("prerequisites") or attrs.get("prerequisite")
    return Procedure(
        id=unit_id,
        kind="procedure",
        title=title,
        slug=id_slug(title),
        anchor=section.anchor,
        span=section.span(ctx.path),
        nodes=tuple(nodes),
        number=number,
        use_case=(attrs.get("use case") or attrs.get("when to use") or ("", 0))[0],
        duration=parse_duration(duration[0]) if duration else None,
        risk=parse_risk(risk[0]) if risk else None,
        prerequisites=prerequisites[0] if prerequisites else "",
    )


def has_explicit_procedures(root: Section) -> bool:
    """True when the author headed procedures (`## Procedure 1: Title`)."""
    return any((m := _EXPLICIT.match(s.title)) and _is_explicit(s, m) for s in root.walk())


def find_procedures(root: Section, ctx: Context) -> list[tuple[Section, Procedure]]:
    """Every procedure: `Procedure N: Title` headings; failing those, sections of numbered steps."""
    explicit = [(s, m) for s in root.walk() if (m := _EXPLICIT.match(s.title)) and _is_explicit(s, m)]
    found: list[tuple[Section, Procedure]] = []
    if explicit:
        used: set[int] = set()
        written: set[int] = set()
        for section, match in explicit:
            number = int(match.group(1)) if match.group(1) else None
            if number is not None and number in written:
                ctx.findings.append(
                    Finding.of(
                        "structure/duplicate-procedure-number",
                        ctx.path,
                        section.heading.span.start if section.heading else 1,
                        f"procedure number {number} is written twice; this one is numbered {max(used) + 1}",
                        "number each procedure once",
                    )
                )
            if number is not None:
                written.add(number)
            if number is None or number in used:
                number = max(used, default=0) + 1
            used.add(number)
            procedure = build_procedure(section, number, match.group(2).strip(), str(number), ctx)
            found.append((section, procedure))
        return found
    # A sub-section that is one of several alternatives belongs to its parent's choice.
    alternatives = alternative_sections(root)
    candidates = [
        s
        for s in root.walk()
        if s.heading is not None and s.level > 1 and _is_implicit(s) and id(s) not in alternatives
    ]
    # Keep the outermost candidates: a procedure's sub-sections are its own parts.
    outer = [
        s for s in candidates if not any(o is not s and any(s is x for x in o.walk()) for o in candidates)
    ]
    for index, section in enumerate(outer, start=1):
        numbered = _NUMBERED.match(section.title)
        title = numbered.group(2) if numbered else section.title
        number = int(numbered.group(1)) if numbered else index
        found.append((section, build_procedure(section, number, title, str(number), ctx)))
    return found


def _is_explicit(section: Section, match: re.Match[str]) -> bool:
    # `# Runbook: Payments API` is the document's title, not a procedure.
    word = section.title.split()[0].lower() if section.title else ""
    return not (section.level == 1 and word.startswith(("runbook", "playbook")))


def _is_implicit(section: Section) -> bool:
    """A section whose body holds numbered steps with commands (or step headings)."""
    if any(step_heading(c) for c in section.children):
        return True
    # The code sits in the numbered items, or at column 0 right after one (which ends the list). A
    # numbered overview ("1. upgrade the master 2. upgrade the nodes") followed by prose and code is
    # not a list of steps: that section is read as prose and code pairs instead.
    blocks = section.blocks
    return any(
        isinstance(block, ListBlock)
        and block.ordered
        and (
            any(isinstance(b, Fence) for item in block.items for b in item.blocks)
            or (index + 1 < len(blocks) and isinstance(blocks[index + 1], Fence))
        )
        for index, block in enumerate(blocks)
    )
