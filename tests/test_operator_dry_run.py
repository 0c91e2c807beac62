"""`--dry-run` lists exactly the questions the real run asks: compared on the seed's five procedures.

Each procedure is run for real (its commands faked with pytest-subprocess) once per branch of each
of its choices, by an operator who says yes and run to everything; the questions it was asked are
the plan's questions for the nodes it went through, no more, no fewer.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from support.paths import SEED

from interpreter.infer.load import load
from interpreter.journal.files import read_events
from interpreter.plan.dryrun import planned_questions
from interpreter.plan.graph import find_unit, graph_json
from interpreter.run.context import RunOptions
from interpreter.run.launch import RunRequest, start_run
from interpreter.run.questions import Question
from interpreter.run.view import TerminalView

CONDITIONAL = (":failed", ":retry-from", ":in-doubt", ":group", ":note")
"""Questions asked only when something goes wrong (the plan names them in its last line)."""


class Operator:
    """Says yes, run, the first option (or the one a pass wants) and a plain value to everything."""

    def __init__(self, branches: dict[str, str]) -> None:
        self.branches = branches
        self.asked: list[str] = []

    def ask(self, question: Question) -> str:
        self.asked.append(question.id)
        if question.kind == "typed":
            return question.word
        if question.kind == "yesno":
            return "yes"
        if question.kind == "choice":
            keys = [k for k, _ in question.choices if k != "back"]
            if question.id.endswith(":run"):
                return "r"
            if question.id.endswith(":failed"):
                return "s"  # an expectation the fakes' empty output does not meet
            return self.branches.get(question.id, keys[0])
        return "Zq8-unguessable-4711" if question.kind == "secret" else "v1"


def _run(tmp: Path, procedure: str, branches: dict[str, str]) -> tuple[list[str], set[str]]:
    """The questions a real run asked, and the nodes it went through."""
    runs = tmp / f"runs-{len(list(tmp.iterdir()))}"
    operator = Operator(branches)
    view = TerminalView(_console(), io.BytesIO())
    request = RunRequest(RunOptions(interactive=True), {}, {}, {}, str(runs), cwd=str(tmp))
    import subprocess

    code, run_id = start_run(str(SEED), procedure, request, view, operator, subprocess.Popen)
    assert code == 0, f"procedure {procedure} {branches}: exit {code}"
    events, _ = read_events(runs / run_id / "journal.jsonl")
    visited = {e["step"] for e in events if e["step"]} | {
        e["data"]["choice"] for e in events if e["type"] == "choice.made"
    }
    return operator.asked, visited


def _console() -> Any:
    from rich.console import Console

    return Console(file=io.StringIO(), width=100, no_color=True)


def _passes(unit: dict[str, Any]) -> list[dict[str, str]]:
    """One pass with every choice's first option, then one for each other option of each choice."""
    passes: list[dict[str, str]] = [{}]
    for node in unit["nodes"]:
        if node["kind"] == "choice":
            passes += [{node["id"]: b["key"]} for b in node["choice"]["branches"][1:]]
    return passes


@pytest.mark.parametrize("procedure", ["1", "2", "3", "4", "5"])
def test_the_dry_run_lists_exactly_the_questions_the_run_asks(
    procedure: str, tmp_path: Path, fp: Any
) -> None:
    fp.allow_unregistered(True)
    fp.register(["bash", "-c", fp.any(min=1, max=1)], occurrences=10_000)
    runbook = load(SEED)
    graph = graph_json(runbook)
    unit = find_unit(graph, procedure)
    assert unit is not None
    plan = planned_questions(unit, {}, {}, dict(os.environ), graph["decisions"])
    assert plan, "the plan asks nothing: the test proves nothing"
    covered: set[str] = set()
    for branches in _passes(unit):
        asked, visited = _run(tmp_path, procedure, branches)
        real = [q for q in asked if not q.endswith(CONDITIONAL)]
        expected = {q for node, q, _ in plan if node is None or node in visited}
        assert set(real) == expected, f"procedure {procedure}, pass {branches}"
        assert len(real) == len(set(real)), f"a question asked twice: {real}"
        covered |= set(real)
    # Every question of the plan was asked by some pass: the plan lists none the run never asks.
    assert covered == {q for _, q, _ in plan}
