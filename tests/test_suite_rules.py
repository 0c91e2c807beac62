"""The test suite's own rules: shared helpers live in tests/support, and no test changes directory."""

from __future__ import annotations

import ast
from pathlib import Path

from support.paths import ROOT

TESTS = ROOT / "tests"


def _modules() -> list[Path]:
    return sorted([*TESTS.glob("*.py"), *(TESTS / "support").glob("*.py"), *(TESTS / "bench").glob("*.py")])


def test_no_test_module_imports_another() -> None:
    """A helper two test files need belongs in tests/support; importing a test module runs its tests' imports
    and makes the two files change together."""
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                for name in names
                if name.split(".")[0].startswith("test_") or name.split(".")[0] == "conftest"
            ]
    assert offenders == []


def test_no_test_changes_the_working_directory() -> None:
    """A changed directory leaks into every test after it; pass `cwd=` or `--cwd`, or use paths."""
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "chdir"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_one_family_of_service_fixtures() -> None:
    """PostgreSQL and the engine come from tests/support/services.py only."""
    defined = {
        node.name
        for path in _modules()
        if path.name != "services.py"
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.FunctionDef)
        and any("fixture" in ast.unparse(d) for d in node.decorator_list)
        and ("psycopg" in ast.unparse(node) or "docker" in ast.unparse(node))
    }
    assert defined == set()
