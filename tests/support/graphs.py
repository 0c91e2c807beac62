"""Finding units, nodes and commands in a step graph (the JSON `runbook parse --json` prints)."""

from __future__ import annotations

from typing import Any


def unit(graph: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in [*graph["procedures"], *graph["sections"]] if u["id"] == unit_id)


def node(graph_unit: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in graph_unit["nodes"] if n["id"] == node_id)


def commands(graph_node: dict[str, Any]) -> list[str]:
    return [c["text"] for b in graph_node.get("blocks", []) for c in b["commands"]]
