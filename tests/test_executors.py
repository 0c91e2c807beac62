"""The executor registry is tied to the kind table, and an executor runs with a fake context."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.fake_context import Collected, FakeContext

import interpreter.run.executors as registry
from interpreter.model.kinds import KINDS, RUNNABLE
from interpreter.run.context import ExecutorContext, Planned
from interpreter.run.executors import EXECUTORS, executor_for
from interpreter.run.session import ShellSession


def test_every_runnable_kind_has_exactly_one_executor() -> None:
    for kind in sorted(RUNNABLE):
        owners = [type(e).__name__ for e in EXECUTORS if kind in e.kinds]
        assert len(owners) == 1, f"{kind} is run by {owners or 'no executor'}"


def test_every_executor_runs_kinds_of_the_table() -> None:
    for executor in EXECUTORS:
        assert executor.kinds, f"{type(executor).__name__} runs no kind"
        unknown = executor.kinds - set(KINDS)
        assert not unknown, f"{type(executor).__name__} runs kinds the table does not know: {unknown}"
        shown = {k for k in executor.kinds if KINDS[k].role != "run"}
        assert not shown, f"{type(executor).__name__} runs kinds the table says never run: {shown}"


def test_every_executor_module_is_registered() -> None:
    """An executor written in run/executors but left out of the registry would never run."""
    registered = {type(e) for e in EXECUTORS}
    for module_info in pkgutil.iter_modules(registry.__path__):
        module = importlib.import_module(f"{registry.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and hasattr(value, "plan"):
                assert value in registered, f"{module.__name__}.{value.__name__} is not in EXECUTORS"


def test_a_kind_with_no_executor_is_a_clear_error() -> None:
    from interpreter.errors import RunbookError

    with pytest.raises(RunbookError, match="no executor runs template blocks"):
        executor_for("template")


# -- an executor with a fake context ----------------------------------------------------------


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeContext]:
    session = ShellSession(env={"PATH": "/usr/bin:/bin", "API_TOKEN": "s3cr3t-token"}, cwd=str(tmp_path))
    context = FakeContext(session)
    context.masker.add("s3cr3t-token")
    try:
        yield context
    finally:
        session.close()


def _shell_block(code: list[str], kind: str = "shell", **annotation: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "annotation": annotation,
        "commands": [{"text": t, "never_ending": False, "expectations": []} for t in code],
    }


def test_the_shell_executor_runs_with_a_fake_context(fake: FakeContext) -> None:
    context: ExecutorContext = fake  # a complete context: `mypy --strict tests/test_executors.py` says so
    shell = executor_for("shell")
    planned = shell.plan(
        _shell_block(["cd sub 2>/dev/null || mkdir sub && cd sub", "echo <tag> $API_TOKEN"]),
        {},
        {"<tag>": "v1.2"},
    )
    assert [p.text for p in planned] == ["cd sub 2>/dev/null || mkdir sub && cd sub", "echo v1.2 $API_TOKEN"]
    node = {"id": "1.1", "sets": []}
    for command in planned:
        out = Collected(fake.masker)
        result = shell.run(context, node, command, out, None)
        assert result.status == "ok"
    assert bytes(out.shown) == b"v1.2 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\n"  # the token masked
    assert fake.session.cwd.endswith("/sub")  # state carries from command to command


def test_a_container_target_is_planned_as_one_script(fake: FakeContext) -> None:
    shell = executor_for("console")
    [script] = shell.plan(_shell_block(["cd /srv", "ls"], "console", target="container:api"), {}, {})
    assert script == Planned("console", "cd /srv\nls", target="container:api")


def test_the_sql_executor_checks_its_own_expectations_with_a_fake_context(
    fake: FakeContext, database: str
) -> None:
    sql = executor_for("sql")
    block = {
        "kind": "sql",
        "code": "SELECT 40 + 2;\n",
        "span": {"file": "rb.md", "start": 3, "end": 5},
        "annotation": {"db": database, "capture": "ANSWER"},
        "commands": [
            {
                "text": "SELECT 40 + 2;",
                "span": {"start": 4},
                "expectations": [{"text": "41", "literal": True}],
            }
        ],
    }
    [planned] = sql.plan(block, {}, {})
    out = Collected(fake.masker)
    result = sql.run(fake, {"id": "2.1"}, planned, out, 10.0)
    assert result.status == "failed" and "ANSWER" not in fake.session.env  # rolled back, nothing captured
    [checked] = fake.events
    assert checked["type"] == "expectation.checked" and checked["data"]["actual"] == "42"
    assert checked["data"]["result"] == "failed" and "expected 41: failed" in fake.view.lines[-1]
    assert sql.edit_refusal is not None and executor_for("shell").edit_refusal is None
