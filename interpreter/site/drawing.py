"""A procedure's step graph drawn as inline SVG: readable with scripts off, no layout library."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from ..plan.typed import outermost, sessions, typed_groups, where_words

__all__ = ["graph_svg"]

_W = 230  # node width
_LINE = 16  # text line height
_GAP = 34  # vertical space between nodes (room for an edge label)
_HGAP = 24  # horizontal space between branches
_EMPTY = 70  # width of a branch with no step
_CHARS = 30  # characters per line inside a node


@dataclass(slots=True)
class _Box:
    node: dict[str, Any]
    lines: list[str]
    marks: list[str]
    x: float = 0
    y: float = 0

    @property
    def height(self) -> float:
        return _LINE * (len(self.lines) + len(self.marks)) + 22


@dataclass(slots=True)
class _Layout:
    unit: dict[str, Any]
    boxes: dict[str, _Box] = field(default_factory=dict)
    right_of: dict[str, float] = field(default_factory=dict)
    """For a choice: the right edge of its branches, where a skipping edge runs."""

    def children(self, parent: dict[str, str] | None) -> list[dict[str, Any]]:
        return [n for n in self.unit["nodes"] if n.get("parent") == parent]

    def box(self, node: dict[str, Any]) -> _Box:
        if node["id"] not in self.boxes:
            flags = node.get("flags") or {}
            title = (
                node["title"]
                if node["kind"] != "gate"
                else f"{node['title']} ({len(node['items'])} to check)"
            )
            lines = textwrap.wrap(title, _CHARS, max_lines=3, placeholder=" …") or [""]
            marks = []
            if flags.get("destructive"):
                marks.append("⚠ destructive")
            if flags.get("optional"):
                marks.append("optional" + (f": {flags['when']}" if flags.get("when") else ""))
            if node["kind"] == "choice":
                marks.append("choose one")
            if sessions(node):
                marks.append("⇥ opens a session")
            if typed_groups(node):
                marks.append("⌨ typed " + where_words(outermost(typed_groups(node)[0][0])))
            # A long id keeps its end, which tells siblings apart (…deployment.2.a, …deployment.2.b).
            shown = node["id"] if len(node["id"]) <= _CHARS else "…" + node["id"][-(_CHARS - 1) :]
            shortened = [textwrap.shorten(m, _CHARS) for m in marks]
            self.boxes[node["id"]] = _Box(node, [shown, *lines], shortened)
        return self.boxes[node["id"]]

    def size(self, nodes: list[dict[str, Any]]) -> tuple[float, float]:
        width, height = 0.0, 0.0
        for node in nodes:
            box = self.box(node)
            w, h = float(_W), box.height
            if node["kind"] == "choice":
                row_w, row_h = self.row(node)
                w, h = max(w, row_w), h + _GAP + row_h
            width, height = max(width, w), height + h + (_GAP if height else 0)
        return width, height

    def row(self, choice: dict[str, Any]) -> tuple[float, float]:
        sizes = [self.branch_size(choice, b) for b in choice["choice"]["branches"]]
        return sum(w for w, _ in sizes) + _HGAP * (len(sizes) - 1), max((h for _, h in sizes), default=0)

    def branch_size(self, choice: dict[str, Any], branch: dict[str, Any]) -> tuple[float, float]:
        nodes = self.children({"choice": choice["id"], "branch": branch["key"]})
        return self.size(nodes) if nodes else (_EMPTY, 0)

    def place(self, nodes: list[dict[str, Any]], x: float, y: float, width: float) -> None:
        for node in nodes:
            box = self.box(node)
            box.x, box.y = x + (width - _W) / 2, y
            y += box.height + _GAP
            if node["kind"] == "choice":
                row_w, row_h = self.row(node)
                left = x + (width - row_w) / 2
                for branch in node["choice"]["branches"]:
                    w, _ = self.branch_size(node, branch)
                    self.place(self.children({"choice": node["id"], "branch": branch["key"]}), left, y, w)
                    left += w + _HGAP
                self.right_of[node["id"]] = x + (width + row_w) / 2
                y += row_h + _GAP


def _node(box: _Box) -> str:
    node = box.node
    flags = node.get("flags") or {}
    classes = ["node", f"node-{node['kind']}"]
    classes += [name for name in ("destructive", "optional") if flags.get(name)]
    x, y, h = box.x, box.y, box.height
    if node["kind"] == "choice":
        shape = (
            f'<polygon points="{x + 12},{y} {x + _W - 12},{y} {x + _W},{y + h / 2} '
            f'{x + _W - 12},{y + h} {x + 12},{y + h} {x},{y + h / 2}"/>'
        )
    else:
        shape = f'<rect x="{x}" y="{y}" width="{_W}" height="{h}" rx="6"/>'
        if node["kind"] == "gate":
            shape += f'<rect class="inner" x="{x + 3}" y="{y + 3}" width="{_W - 6}" height="{h - 6}" rx="4"/>'
    texts = []
    for i, line in enumerate(box.lines + box.marks):
        cls = "id" if i == 0 else ("mark" if i >= len(box.lines) else "title")
        texts.append(f'<text class="{cls}" x="{x + _W / 2}" y="{y + 16 + i * _LINE}">{escape(line)}</text>')
    tip = f"{node['id']}: {node['title']}"
    return f'<g class="{" ".join(classes)}"><title>{escape(tip)}</title>{shape}{"".join(texts)}</g>'


def _edge(layout: _Layout, edge: dict[str, Any]) -> str:
    source, target = layout.boxes[edge["from"]], layout.boxes[edge["to"]]
    sx, sy = source.x + _W / 2, source.y + source.height
    tx, ty = target.x + _W / 2, target.y
    bend = ty - _GAP / 2
    if source.node["kind"] == "choice" and edge["kind"] == "next":
        # A choice whose branch has no step goes straight on: run the edge beside the branches.
        side = layout.right_of.get(source.node["id"], source.x + _W) + _HGAP / 2
        path = f"M{source.x + _W},{source.y + source.height / 2} H{side} V{bend} H{tx} V{ty}"
    elif sx == tx:
        path = f"M{sx},{sy} V{ty}"
    else:
        path = f"M{sx},{sy} V{bend} H{tx} V{ty}"
    label = ""
    if edge.get("label"):
        label = f'<text class="edge-label" x="{tx + 6}" y="{ty - 5}">{escape(edge["label"])}</text>'
    return f'<path class="edge" d="{path}" marker-end="url(#rb-arrow)"/>{label}'


def graph_svg(unit: dict[str, Any], title: str = "") -> str:
    """The unit's graph (from `graph_json`) as an SVG element: choices as hexagons with their
    branches side by side, gates double-framed, destructive steps marked, optional ones dashed."""
    layout = _Layout(unit)
    top = layout.children(None)
    width, height = layout.size(top)
    width = max(width, _W)
    layout.place(top, 0, 0, width)
    width += _HGAP * 2  # room for edges that run beside the branches
    body = [_edge(layout, e) for e in unit["edges"] if e["from"] in layout.boxes and e["to"] in layout.boxes]
    body += [_node(box) for box in layout.boxes.values()]
    label = title or f"Step graph of {unit['title']}"
    return (
        f'<svg class="step-graph" role="img" aria-label="{escape(label)}" '
        f'viewBox="-4 -4 {width + 8} {height + 8}" width="{width + 8}" height="{height + 8}" '
        'xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
        '<defs><marker id="rb-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
        + "".join(body)
        + "</svg>"
    )
