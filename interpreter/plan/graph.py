"""The step graph: the model as plain JSON nodes and edges, checked against `schemas/graph.json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import jsonschemas
from ..errors import RunbookError
from ..model.kinds import KINDS, runs
from ..model.runbook import (
    Choice,
    CodeBlock,
    Command,
    Criteria,
    DecisionTable,
    Gate,
    Node,
    Procedure,
    Runbook,
    Step,
)
from ..perf import paused_gc
from ..policy.confirmation import confirm_word, confirmation
from .typed import later_inside

__all__ = ["FORMAT_VERSION", "find_unit", "graph_json", "unit_json"]

FORMAT_VERSION = 1


def _command(command: Command) -> dict[str, Any]:
    return {
        "text": command.text,
        "span": command.span.to_json(),
        "comment": command.comment,
        "destructive": list(command.destructive),
        "never_ending": command.never_ending,
        "expectations": [
            {
                "text": e.text,
                "literal": e.literal,
                "line": e.line,
                **({"within": e.within} if e.within else {}),
            }
            for e in command.expectations
        ],
        "session": command.session,
        "where": command.where,
        "inside": [],
    }


def _block(block: CodeBlock) -> dict[str, Any]:
    return {
        "lang": block.lang,
        "kind": block.kind,
        "span": block.span.to_json(),
        "code": block.code,
        "commands": [_command(c) for c in block.commands],
        "uses": list(block.uses),
        "sets": list(block.sets),
        "typed": [_command(c) for c in block.typed],
        "placeholders": [
            {
                "text": p.text,
                "kind": p.kind,
                "line": p.line,
                "description": p.description,
                "example": p.example,
            }
            for p in block.placeholders
        ],
        "fields": list(block.fields),
        "annotation": dict(block.annotation),
        "code_line": block.code_line,
    }


@dataclass(slots=True)
class _Unit:
    """Builds one procedure's nodes and edges, tracking which node set each variable."""

    unit: Procedure
    secrets: frozenset[str]
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    set_by: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] | None = None
    """The choice and branch the nodes being emitted belong to."""

    def step(self, step: Step, kind: str | None = None) -> dict[str, Any]:
        blocks = step.blocks
        runnable = [b for b in blocks if runs(b.kind)]
        templates = [b for b in blocks if KINDS[b.kind].role == "announce"]
        # Annotations may raise a step's confirmation, never lower a destructive one (policy.confirmation).
        judged = confirmation(step)
        destructive, reasons, confirm = judged.destructive, judged.reasons, judged.confirm
        if kind is None:
            kind = "template" if templates and not runnable else ("check" if step.kind == "check" else "step")
        uses: list[dict[str, Any]] = []
        sets: list[str] = []
        for block in blocks:
            for name in block.uses:
                if name not in sets and all(u["name"] != name for u in uses):
                    uses.append({"name": name, "from": self.set_by.get(name), "secret": name in self.secrets})
            captured = block.annotation.get("capture") or step.annotation.get("capture")
            for name in [*block.sets, *([str(captured)] if captured else [])]:
                if name not in sets:
                    sets.append(name)
                self.set_by[name] = step.id
        timeouts = [b.annotation["timeout"] for b in blocks if "timeout" in b.annotation]
        if "timeout" in step.annotation:
            timeouts.append(step.annotation["timeout"])
        word = next(
            (b.annotation["confirm_word"] for b in blocks if "confirm_word" in b.annotation), None
        ) or (self._word(blocks) if confirm == "typed" else None)
        return {
            "id": step.id,
            "kind": kind,
            "title": step.title,
            "span": step.span.to_json(),
            "number": step.number,
            "prose": list(step.prose),
            "blocks": [_block(b) for b in blocks],
            "checks": list(step.checks),
            "flags": {
                "optional": step.optional,
                "when": step.when,
                "destructive": destructive,
                "reasons": list(dict.fromkeys([*reasons, *step.warnings])),
                # A session (`psql`, `ssh host`) waits for the operator, who leaves it: not a
                # command to stop with Ctrl-C.
                "never_ending": any(c.never_ending and not c.session for b in blocks for c in b.commands)
                or any(b.annotation.get("never_ending") for b in blocks),
                "manual": not runnable and not templates,
                "timeout": min(timeouts) if timeouts else None,
                "confirm": confirm,
                "confirm_word": word,
            },
            "uses": uses,
            "sets": sets,
        }

    def _word(self, blocks: tuple[CodeBlock, ...]) -> str:
        # Commands typed elsewhere (`DROP DATABASE` in psql) name the word as well as those run here.
        texts = [c.text for b in blocks for c in (*b.commands, *b.typed) if c.destructive]
        return confirm_word(texts, self.unit.slug)

    def link(self, nodes: tuple[Node, ...]) -> tuple[str | None, list[str]]:
        """Emit `nodes` in order; returns the entry id and the ids the next node continues from."""
        entry: str | None = None
        exits: list[str] = []
        for node in nodes:
            for source in exits:
                self.edges.append({"from": source, "to": node.id, "kind": "next"})
            first, last = self.emit(node)
            entry = entry or first
            exits = last
        return entry, exits

    def emit(self, node: Node) -> tuple[str, list[str]]:
        if isinstance(node, Gate):
            self.nodes.append(
                {
                    "id": node.id,
                    "kind": "gate",
                    "title": node.title,
                    "span": node.span.to_json(),
                    "parent": self.parent,
                    "items": [{"id": i.id, "text": i.text, "span": i.span.to_json()} for i in node.items],
                }
            )
            return node.id, [node.id]
        if isinstance(node, Step):
            self.nodes.append({**self.step(node), "parent": self.parent})
            return node.id, [node.id]
        return self.choice(node)

    def choice(self, node: Choice) -> tuple[str, list[str]]:
        data: dict[str, Any] = (
            self.step(node.step, "choice")
            if node.step
            else {"id": node.id, "kind": "choice", "title": node.title, "span": node.span.to_json()}
        )
        data["span"] = node.span.to_json()
        data["parent"] = outer = self.parent
        branches: list[dict[str, Any]] = []
        data["choice"] = {"kind": node.kind, "branches": branches}
        self.nodes.append(data)
        exits: list[str] = []
        for branch in node.branches:
            self.parent = {"choice": node.id, "branch": branch.key}
            entry, last = self.link(branch.nodes)
            self.parent = outer
            branches.append(
                {
                    "key": branch.key,
                    "title": branch.title,
                    "entry": entry,
                    "span": branch.span.to_json(),
                }
            )
            if entry is None:
                exits.append(node.id)
                continue
            self.edges.append({"from": node.id, "to": entry, "kind": "branch", "label": branch.key})
            exits += last
        return node.id, list(dict.fromkeys(exits))


def _inside(session: str, where: str) -> bool:
    """True when a command typed `where` is typed in `session` (or in one opened inside it)."""
    return where == session or where.endswith(f"(in {session})")


def _sessions_across_steps(nodes: list[dict[str, Any]], slug: str) -> None:
    """Give each command that opens a session the commands later steps write for inside it: the
    operator works in the session once, at its step, and sees all of them before going in. When
    one of them is destructive, so is the step that goes in: its typed word is asked first."""
    for index, node in enumerate(nodes):
        for block in node.get("blocks", []):
            for command in block["commands"]:
                session = command["session"]
                if not session:
                    continue
                for later in nodes[index + 1 :]:
                    blocks = later.get("blocks", [])
                    if any(c["session"] == session for b in blocks for c in b["commands"]):
                        break  # opened again there: what follows is typed in that one
                    command["inside"] += [
                        {
                            "step": later["id"],
                            "text": typed["text"],
                            "where": typed["where"],
                            "destructive": typed["destructive"],
                        }
                        for b in blocks
                        for typed in b["typed"]
                        if _inside(session, typed["where"])
                    ]
        reasons = [r for item in later_inside(node) for r in item["destructive"]]
        flags = node.get("flags")
        if reasons and flags is not None:
            texts = [item["text"] for item in later_inside(node) if item["destructive"]]
            flags["reasons"] = list(dict.fromkeys([*flags["reasons"], *reasons]))
            if not flags["destructive"]:
                flags.update(destructive=True, confirm="typed", confirm_word=confirm_word(texts, slug))


def unit_json(unit: Procedure, secrets: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One procedure or runnable section with its nodes and edges."""
    builder = _Unit(unit, secrets)
    entry, _ = builder.link(unit.nodes)
    _sessions_across_steps(builder.nodes, unit.slug)
    high = unit.risk is not None and unit.risk.level in ("high", "critical")
    return {
        "id": unit.id,
        "kind": unit.kind,
        "number": unit.number,
        "title": unit.title,
        "slug": unit.slug,
        "anchor": unit.anchor,
        "span": unit.span.to_json(),
        "use_case": unit.use_case,
        "duration": None
        if unit.duration is None
        else {"min": unit.duration.min, "max": unit.duration.max, "text": unit.duration.text},
        "risk": None if unit.risk is None else {"level": unit.risk.level, "text": unit.risk.text},
        "prerequisites": unit.prerequisites,
        # A high-risk procedure is started only after typing its slug, whatever --yes says.
        "confirm": {"kind": "typed", "word": unit.slug} if high else None,
        "entry": entry,
        "nodes": builder.nodes,
        "edges": builder.edges,
    }


def _decision(table: DecisionTable) -> dict[str, Any]:
    return {
        "id": table.id,
        "kind": table.kind,
        "title": table.title,
        "span": table.span.to_json(),
        "columns": list(table.columns),
        "condition": table.condition,
        "outcomes": list(table.outcomes),
        "rows": [
            {"cells": list(r.cells), "line": r.line, "response_minutes": r.response_minutes}
            for r in table.rows
        ],
    }


def _criteria(criteria: Criteria) -> dict[str, Any]:
    return {
        "id": criteria.id,
        "title": criteria.title,
        "span": criteria.span.to_json(),
        "groups": [
            {
                "title": g.title,
                "severity": g.severity,
                "span": g.span.to_json(),
                "items": [{"id": i.id, "text": i.text, "span": i.span.to_json()} for i in g.items],
            }
            for g in criteria.groups
        ],
    }


def graph_json(runbook: Runbook) -> dict[str, Any]:
    """The whole runbook as the step graph, validated against `schemas/graph.json`.

    Raises:
        RunbookError: the graph breaks its schema (a bug in this program, reported plainly).
    """
    with paused_gc():
        graph = _build(runbook)
    problem = jsonschemas.first_error("graph", graph)
    if problem:
        raise RunbookError(
            f"internal error: the step graph of {runbook.path} breaks schemas/graph.json at {problem}",
            "please report this with the runbook attached",
        )
    return graph


def _build(runbook: Runbook) -> dict[str, Any]:
    secrets = frozenset(v.name for v in runbook.variables if v.secret)
    meta = runbook.metadata
    graph = {
        "format": "runbook-graph",
        "version": FORMAT_VERSION,
        "runbook": {
            "path": runbook.path,
            "sha256": runbook.sha256,
            "title": meta.title,
            "metadata": {
                "version": meta.version,
                "last_updated": meta.last_updated,
                "status": meta.status,
                "owner": meta.owner,
                "next_review": meta.next_review,
                "contacts": list(meta.contacts),
                "extra": dict(meta.extra),
                "lines": dict(meta.lines),
            },
            "variables": [
                {
                    "name": v.name,
                    "secret": v.secret,
                    "prompt": v.prompt,
                    "default": v.default,
                    "declared": v.declared,
                }
                for v in runbook.variables
            ],
            "front_matter": runbook.front_matter,
        },
        "procedures": [unit_json(p, secrets) for p in runbook.procedures],
        "sections": [unit_json(s, secrets) for s in runbook.sections],
        "decisions": [_decision(d) for d in runbook.decisions],
        "criteria": [_criteria(c) for c in runbook.criteria],
        "reference": [
            {"section": r.section, "anchor": r.anchor, "block": _block(r.block)} for r in runbook.reference
        ],
        "findings": [f.to_json() for f in runbook.findings],
    }
    return graph


def find_unit(graph: dict[str, Any], unit_id: str) -> dict[str, Any] | None:
    """The procedure or runnable section with this id, from a graph."""
    return next((u for u in [*graph["procedures"], *graph["sections"]] if u["id"] == unit_id), None)
