"""YAML read with bounded work: every YAML runbook reads (front matter, comments, answers) goes here.

A few hundred bytes of YAML can stand for billions of values: an anchor holding nine aliases of
an anchor holding nine aliases… (the "billion laughs"). PyYAML builds each anchored value once,
but everything that walks the result (copying it to plain data, checking it against a schema,
printing it) walks every alias again. So the value read is measured as it would be walked, and
refused past a budget that no hand-written front matter or answers file comes near; nesting is
bounded too (PyYAML's own reader recurses, and deep nesting would end in a RecursionError).
Aliases themselves stay allowed: a small `<<: *defaults` is ordinary YAML.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["DEPTH", "NODES", "YamlBudgetError", "load"]

NODES = 100_000
"""Values (mappings, sequences, scalars, keys) the YAML may stand for once aliases are expanded."""
DEPTH = 64
"""Mappings and sequences inside each other."""

_FAST: dict[str, Any] = {
    "safe": getattr(yaml, "CSafeLoader", yaml.SafeLoader),
    "base": getattr(yaml, "CBaseLoader", yaml.BaseLoader),
}
_PRECISE: dict[str, Any] = {"safe": yaml.SafeLoader, "base": yaml.BaseLoader}


class YamlBudgetError(yaml.YAMLError):
    """The YAML stands for more values, or deeper nesting, than any runbook file needs."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def load(text: str, kind: str = "safe") -> Any:
    """`text` read as YAML by PyYAML's safe loader (`kind="base"`: every scalar a string).

    libyaml's loader is used when PyYAML has it (several times faster); on an error, the
    pure-Python loader's error is raised, which points at the line where the mistake starts.

    Raises:
        yaml.YAMLError: not YAML; YamlBudgetError (a subclass): too large once expanded, or too deep.
    """
    try:
        try:
            data = yaml.load(text, Loader=_FAST[kind])
        except yaml.YAMLError:
            data = yaml.load(text, Loader=_PRECISE[kind])
    except RecursionError:
        raise YamlBudgetError(f"nested more than {DEPTH} levels deep") from None
    _measure(data)
    return data


def _measure(data: Any) -> None:
    """Walk `data` as a reader of it would (aliases expanded), and stop at the budget."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > NODES:
            raise YamlBudgetError(
                f"stands for more than {NODES:,} values once its aliases (*name) are expanded: an alias bomb?"
            )
        if isinstance(value, dict):
            if depth >= DEPTH:
                raise YamlBudgetError(f"nested more than {DEPTH} levels deep")
            for key, item in value.items():
                stack.append((key, depth + 1))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth >= DEPTH:
                raise YamlBudgetError(f"nested more than {DEPTH} levels deep")
            stack.extend((item, depth + 1) for item in value)
