"""Shared fixtures: where the runbooks are, and the parsed seed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import git  # noqa: F401  (see below)
import pytest

from interpreter.infer.load import load
from interpreter.model.runbook import Runbook
from interpreter.plan.graph import graph_json

# GitPython binds subprocess.Popen when first imported. The run command imports it lazily, so a
# first import inside a pytest-subprocess test would bind the fake for the rest of the session.

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = ROOT / "runbooks" / "rollback-procedures.md"
DAMAGED = FIXTURES / "rollback-procedures.damaged.md"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache of shellcheck results for this session only (commands started by tests inherit
    it): no test reads what an earlier session, or the user, left in theirs."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["RUNBOOK_CACHE_DIR"] = str(folder)
    return folder


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


def service_missing(name: str, why: str) -> None:
    """Skip a test that needs a service, naming it; under CI=true a missing service is a failure."""
    import os

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is needed under CI and is not available: {why}")
    pytest.skip(f"{name} not available: {why}")


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def pg_url() -> Any:
    """A database of its own on the real PostgreSQL server, created and dropped with the session."""
    import secrets

    psycopg = pytest.importorskip("psycopg")
    name = f"runbook_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        service_missing("PostgreSQL on 127.0.0.1:5432", str(exc).strip())
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def runbook_command(*args: str) -> list[str]:
    """The argv of `runbook ARGS...` from this checkout, for tests that run it as a process."""
    import sys

    return [sys.executable, "-m", "interpreter", *args]
