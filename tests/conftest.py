"""Shared fixtures: where the runbooks are, and the parsed seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interpreter.graph import graph_json
from interpreter.loader import load
from interpreter.model import Runbook

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = ROOT / "runbooks" / "rollback-procedures.md"
DAMAGED = FIXTURES / "rollback-procedures.damaged.md"


@pytest.fixture(scope="session")
def seed() -> Runbook:
    return load(SEED)


@pytest.fixture(scope="session")
def seed_graph(seed: Runbook) -> dict[str, Any]:
    return graph_json(seed)


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    return SEED.read_text("utf-8").split("\n")


def unit(graph: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in [*graph["procedures"], *graph["sections"]] if u["id"] == unit_id)


def node(graph_unit: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in graph_unit["nodes"] if n["id"] == node_id)


def commands(graph_node: dict[str, Any]) -> list[str]:
    return [c["text"] for b in graph_node.get("blocks", []) for c in b["commands"]]
