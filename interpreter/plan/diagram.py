"""Drawing one unit's step graph as Mermaid or Graphviz DOT text."""

from __future__ import annotations

from typing import Any

from .listing import node_marks

__all__ = ["to_dot", "to_mermaid"]


def _label(node: dict[str, Any]) -> str:
    title = node["title"]
    if node["kind"] == "gate":
        title = f"{title} ({len(node['items'])})"
    marks = node_marks(node)
    suffix = f" [{', '.join(marks)}]" if marks else ""
    return f"{node['id']}: {title}{suffix}"


def to_mermaid(unit: dict[str, Any]) -> str:
    """A Mermaid flowchart: choices as diamonds, destructive steps red, optional ones dashed."""
    ids = {node["id"]: f"n{index}" for index, node in enumerate(unit["nodes"])}
    lines = ["flowchart TD"]
    for node in unit["nodes"]:
        text = _label(node).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
        shape = (
            ('{"', '"}')
            if node["kind"] == "choice"
            else (('[["', '"]]') if node["kind"] == "gate" else ('["', '"]'))
        )
        lines.append(f"  {ids[node['id']]}{shape[0]}{text}{shape[1]}")
    for edge in unit["edges"]:
        label = f' -- "{edge["label"]}" -->' if edge.get("label") else " -->"
        lines.append(f"  {ids[edge['from']]}{label} {ids[edge['to']]}")
    lines.append("  classDef destructive stroke:#c62828,stroke-width:3px,color:#b71c1c")
    lines.append("  classDef optional stroke-dasharray:6 4")
    for kind in ("destructive", "optional"):
        marked = [ids[n["id"]] for n in unit["nodes"] if (n.get("flags") or {}).get(kind)]
        if marked:
            lines.append(f"  class {','.join(marked)} {kind}")
    return "\n".join(lines) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(unit: dict[str, Any]) -> str:
    """A Graphviz digraph with the same conventions as the Mermaid drawing."""
    lines = [
        f"digraph {_dot(unit['title'])} {{",
        "  rankdir=TB;",
        '  node [shape=box, fontname="sans-serif"];',
    ]
    for node in unit["nodes"]:
        flags = node.get("flags") or {}
        attrs = [f"label={_dot(_label(node))}"]
        if node["kind"] == "choice":
            attrs.append("shape=diamond")
        elif node["kind"] == "gate":
            attrs.append("shape=box3d")
        if flags.get("destructive"):
            attrs.append('color="#c62828", penwidth=3')
        if flags.get("optional"):
            attrs.append("style=dashed")
        lines.append(f"  {_dot(node['id'])} [{', '.join(attrs)}];")
    for edge in unit["edges"]:
        label = f" [label={_dot(edge['label'])}]" if edge.get("label") else ""
        lines.append(f"  {_dot(edge['from'])} -> {_dot(edge['to'])}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"
