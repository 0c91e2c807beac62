"""No import cycle among the package's modules: the pipeline's stages import one way.

Every `import` counts, including those inside functions (a cycle hidden in a function is still a
cycle: it only fails later, at the first call). Imports under `if TYPE_CHECKING:` are left out:
they never run, and a type may name a later stage without importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from support.paths import ROOT

PACKAGE = ROOT / "interpreter"

KNOWN_CYCLES: dict[frozenset[str], str] = {}
"""Cycles that live in another branch's files, each with the reason it is allowed for now."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at top level, in functions, in classes; not in
    `if TYPE_CHECKING:` bodies."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The package modules an import statement executes."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [prefix]
        # `from . import x` imports the submodule x when there is one.
        names += [f"{prefix}.{alias.name}" for alias in node.names if f"{prefix}.{alias.name}" in known]
    targets: set[str] = set()
    own = module.split(".")
    for name in names:
        parts = name.split(".")
        # Importing a.b.c runs a/__init__ and a/b/__init__ first; the importer's own packages
        # are already running, so they are not edges.
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if candidate in known and (parts[:end] != own[:end] or end == len(parts)):
                targets.add(candidate)
    targets.discard(module)
    return targets


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        edges: set[str] = set()
        for node in _imports(tree):
            edges |= _targets(module, path.name == "__init__.py", node, known)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each as a readable circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                strong(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strong(node)
    return found


def _circle(component: list[str], graph: dict[str, set[str]]) -> str:
    """One concrete path round the component, `a → b → a`, for the failure message."""
    members = set(component)
    start = component[0]
    path = [start]
    seen = {start}
    current = start
    while True:
        following = sorted(graph[current] & members)
        back = [m for m in following if m == start]
        if back and len(path) > 1:
            return " → ".join([*path, start])
        fresh = [m for m in following if m not in seen]
        if not fresh:
            return " → ".join([*path, following[0]]) if following else " ↔ ".join(component)
        current = fresh[0]
        path.append(current)
        seen.add(current)


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    every = cycles(graph)
    found = [c for c in every if frozenset(c) not in KNOWN_CYCLES]
    assert found == [], "import cycles:\n" + "\n".join(_circle(c, graph) for c in found)
    # An allowance outlives its cycle only by mistake: it would hide the next one.
    stale = [sorted(k) for k in KNOWN_CYCLES if sorted(k) not in every]
    assert stale == [], f"cycles allowed in KNOWN_CYCLES that no longer exist: {stale}"


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    """The test above can fail: a function-level import that closes a circle is found, a
    TYPE_CHECKING one is not."""
    source = {
        "a": "from .b import x\n",
        "b": "def f():\n    from .c import y\n",
        "c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import z\n",
    }
    trees = {name: ast.parse(text) for name, text in source.items()}
    known = {f"pkg.{name}" for name in source}
    graph = {
        f"pkg.{name}": {t for node in _imports(tree) for t in _targets(f"pkg.{name}", False, node, known)}
        for name, tree in trees.items()
    }
    assert cycles(graph) == []
    trees["c"] = ast.parse("def g():\n    from .a import z\n")
    graph["pkg.c"] = {t for node in _imports(trees["c"]) for t in _targets("pkg.c", False, node, known)}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert _circle(["pkg.a", "pkg.b", "pkg.c"], graph) == "pkg.a → pkg.b → pkg.c → pkg.a"
