"""The executor registry: which executor runs each runnable block kind (the one place they are listed).

A kind comes from `model/kinds.py`; every kind whose role is `run` has exactly one executor here,
and every executor's kinds are in that table (tests/test_executors.py keeps the two in step).
Executors import their heavy libraries (psycopg, docker) only when they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...errors import RunbookError
from ...model.kinds import runs
from ..context import Executor
from .http import HTTP
from .shell import SHELL
from .sql import SQL

__all__ = ["EXECUTORS", "executor_for", "secret_variables"]

EXECUTORS: tuple[Executor, ...] = (SHELL, SQL, HTTP)
"""Every executor; each names the block kinds it runs."""

_BY_KIND: dict[str, Executor] = {kind: executor for executor in EXECUTORS for kind in executor.kinds}


def executor_for(kind: str) -> Executor:
    """The executor of a runnable block kind.

    Raises:
        RunbookError: no executor runs that kind (a graph from another version of the program).
    """
    executor = _BY_KIND.get(kind)
    if executor is None:
        raise RunbookError(
            f"no executor runs {kind} blocks", "this graph names a block kind this version cannot run"
        )
    return executor


def secret_variables(nodes: Iterable[dict[str, Any]]) -> frozenset[str]:
    """Variables the runnable blocks of `nodes` treat as secret, whatever their names."""
    return frozenset(
        name
        for node in nodes
        for block in node.get("blocks", [])
        if runs(block["kind"])
        for name in executor_for(block["kind"]).secret_variables(block)
    )
