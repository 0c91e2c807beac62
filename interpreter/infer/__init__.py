"""Inference: a document tree becomes the runbook model, with no annotations needed."""

from __future__ import annotations

import re
from dataclasses import replace

from ..model.runbook import CodeBlock, Link, Procedure, Reference, Runbook, Variable, walk_steps
from ..parse.annotations import parse_fence_info, parse_front_matter
from ..parse.document import Block, Document, Fence, FrontMatter, Heading, ListBlock, links
from ..parse.mojibake import Mojibake, find_mojibake
from ..parse.source import Finding
from ..policy.secrets import is_secret_name
from .blocks import code_block
from .inherited import inherit_warnings
from .inside import place_commands
from .metadata import find_metadata
from .outline import Section, build_outline
from .pairs import deep_commands, section_steps
from .procedures import _NUMBERED, find_procedures, has_explicit_procedures
from .steps import Context, id_slug, steps_from_blocks
from .tables import contacts_from_tables, find_criteria, find_decisions
from .units import alternative_sections, command_units

__all__ = ["infer"]


def _has_task_code(section: Section, deep: bool) -> bool:
    blocks = list(section.all_blocks()) if deep else section.blocks
    for block in blocks:
        if isinstance(block, ListBlock) and any(
            item.task is not None and any(isinstance(b, Fence) for b in item.blocks) for item in block.items
        ):
            return True
    return False


def _has_tasks(section: Section) -> bool:
    return any(
        isinstance(b, ListBlock) and any(i.task is not None for i in b.items) for b in section.all_blocks()
    )


def _has_numbered_code(section: Section) -> bool:
    return any(
        isinstance(b, ListBlock)
        and b.ordered
        and any(isinstance(x, Fence) for item in b.items for x in item.blocks)
        for b in section.blocks
    )


def _runnable_sections(root: Section, inside: set[int], ctx: Context) -> list[Procedure]:
    """Checklists and sections of numbered steps with commands outside procedures; `inside` (the
    sections already in a unit) grows with the sections these take."""
    found: list[Procedure] = []
    alternatives = alternative_sections(root)
    for section in root.walk():
        if section.heading is None or section.level == 1 or id(section) in inside | alternatives:
            continue
        checklist = "checklist" in section.title.lower() and _has_tasks(section)
        if not (checklist or _has_task_code(section, deep=False) or _has_numbered_code(section)):
            continue
        inside |= {id(s) for s in section.walk()}
        # A heading of emoji only has an empty anchor; its line names it instead.
        unit_id = ctx.unique(
            section.anchor or f"section-{section.heading.span.start}", section.heading.span.start
        )
        kind = "step" if _has_numbered_code(section) and not checklist else "check"
        nodes, preamble = steps_from_blocks(list(section.blocks), unit_id, ctx, kind=kind)
        if kind == "step" and deep_commands(preamble):
            nodes = section_steps(preamble, f"{unit_id}.0", ctx, fallback="Before the steps") + nodes
        for index, child in enumerate(section.children, start=1):
            number = _NUMBERED.match(child.title)
            prefix = f"{unit_id}.{number.group(1) if number else index}"
            more, _ = steps_from_blocks(list(child.all_blocks())[1:], prefix, ctx, kind=kind)
            nodes += more
        found.append(
            Procedure(
                id=unit_id,
                kind="section",
                title=section.title,
                slug=id_slug(section.title),
                anchor=section.anchor,
                span=section.span(ctx.path),
                nodes=tuple(nodes),
            )
        )
    return found


def _variables(units: list[Procedure], front: dict[str, object]) -> list[Variable]:
    declared = front.get("variables") if isinstance(front.get("variables"), dict) else {}
    assert isinstance(declared, dict)
    listed = front.get("secrets")
    secrets = {str(name) for name in listed} if isinstance(listed, list) else set()
    found: dict[str, Variable] = {}
    for name, spec in declared.items():
        if not isinstance(spec, dict):
            spec = {"default": spec}  # `REGION: us-east-1` (a schema error, reported) read as a default
        found[name] = Variable(
            name,
            bool(spec.get("secret", name in secrets or is_secret_name(name))),
            str(spec.get("prompt", "")),
            None if spec.get("default") is None else str(spec["default"]),
            True,
        )
    for unit in units:
        set_so_far: set[str] = set()
        for step in walk_steps(unit.nodes):
            for block in step.blocks:
                for name in block.uses:
                    if name not in set_so_far and name not in found:
                        found[name] = Variable(name, name in secrets or is_secret_name(name))
                set_so_far |= set(block.sets)
                if block.annotation.get("capture"):
                    set_so_far.add(str(block.annotation["capture"]))
    return list(found.values())


def infer(document: Document) -> Runbook:
    """Build the runbook model from a document tree. Never raises: problems become findings."""
    path = document.source.path
    findings: list[Finding] = list(document.findings)
    front: dict[str, object] = {}
    front_block = next((b for b in document.blocks if isinstance(b, FrontMatter)), None)
    if front_block is not None:
        front, problems = parse_front_matter(front_block.content, path, front_block.span.start)
        findings += problems
    elif document.source.lines[0].strip() == "---" and re.match(
        r"^\w[\w-]*:", document.source.lines[1] if len(document.source.lines) > 1 else ""
    ):
        findings.append(
            Finding.of(
                "annotations/front-matter",
                path,
                1,
                "front matter opened here is never closed",
                "end the front matter with a line of three dashes: ---",
            )
        )
    root = build_outline(document.blocks)
    ctx = Context(path)
    pairs = find_procedures(root, ctx)
    procedures = [p for _, p in pairs]
    taken: set[int] = {id(s) for t, _ in pairs for s in t.walk()}
    sections = _runnable_sections(root, taken, ctx)
    if not has_explicit_procedures(root):
        # Where the author headed procedures, code elsewhere is reference (the seed's Appendix);
        # elsewhere every section holding commands is a unit.
        title = str(front.get("title") or "") or _document_title(document.blocks)
        sections += command_units(root, taken, ctx, title)
    reference: list[Reference] = []
    for section in root.walk():
        for block in section.blocks:
            for fence in _fences(block):
                if fence.span.start in ctx.fences:
                    continue
                attrs, problems = parse_fence_info(fence.info, path, fence.span.start)
                findings += problems
                code: CodeBlock = code_block(fence, False, attrs.values, findings)
                reference.append(Reference(section.title, section.anchor, code))
    # Commands written for inside a session (after `ssh host`, `kubectl exec -it … bash`) are typed there.
    procedures = [replace(p, nodes=place_commands(p.nodes)) for p in procedures]
    sections = [replace(s, nodes=place_commands(s.nodes)) for s in sections]
    # A warning above a unit (a WARNING heading, a caution, a HIGH risk) makes each of its steps destructive.
    procedures = inherit_warnings(root, procedures)
    sections = inherit_warnings(root, sections)
    if not document.source.text.strip():
        findings.append(
            Finding.of(
                "structure/empty-file",
                path,
                1,
                "the file is empty: there is nothing to run",
                "write a title and the steps, or delete the file",
            )
        )
    elif not procedures and not sections:
        findings.append(
            Finding.of(
                "structure/no-procedures",
                path,
                1,
                "no procedures found: nothing here has numbered steps with commands",
                "head a section 'Procedure 1: Title' and number its steps",
            )
        )
    findings += _encoding_findings(document)
    findings += ctx.findings
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return Runbook(
        path=path,
        sha256=document.source.sha256,
        metadata=find_metadata(document.blocks, front, contacts_from_tables(root)),
        procedures=tuple(procedures),
        sections=tuple(sections),
        decisions=tuple(find_decisions(root)),
        criteria=tuple(find_criteria(root, path)),
        reference=tuple(reference),
        variables=tuple(_variables([*procedures, *sections], front)),
        front_matter=front,
        findings=tuple(findings),
        anchors=document.anchors,
        targets=document.targets,
        headings=tuple(s.heading.text for s in root.walk() if s.heading is not None),
        links=tuple(Link(target, line, column) for target, line, column in links(document)),
    )


def _document_title(blocks: tuple[Block, ...]) -> str:
    return next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")


def _encoding_findings(document: Document) -> list[Finding]:
    """One finding per damaged line (a damaged flowchart would otherwise give hundreds)."""
    by_line: dict[int, list[Mojibake]] = {}
    for damage in find_mojibake(document.source.text):
        by_line.setdefault(damage.line, []).append(damage)
    findings = []
    for line, found in by_line.items():
        first = found[0]
        more = f" and {len(found) - 1} more on this line" if len(found) > 1 else ""
        findings.append(
            Finding.of(
                "encoding/double-encoded",
                document.source.path,
                line,
                f"double-encoded text: {first.damaged!r} should read {first.repaired!r}{more}",
                "the file was saved as UTF-8 after being read as Windows-1252; restore the characters",
                first.column,
            )
        )
    return findings


def _fences(block: object) -> list[Fence]:
    from ..parse.document import BlockQuote

    if isinstance(block, Fence):
        return [block]
    if isinstance(block, ListBlock):
        return [f for item in block.items for b in item.blocks for f in _fences(b)]
    if isinstance(block, BlockQuote):
        return [f for b in block.blocks for f in _fences(b)]
    return []
