"""Starting and resuming runs: wiring the runbook, answers, journal, session, prompter and view."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InvalidRunbookError, UsageError
from ..journal.files import new_run_id
from ..journal.store import Store, open_store
from ..plan.dryrun import check_answer_ids
from ..plan.graph import find_unit, graph_json
from ..policy.masking import MASK, Masker
from .questions import Answers, Prompter
from .runner import Clock, Runner, RunOptions, operator
from .session import ShellSession, Spawn

__all__ = ["RunRequest", "resume_run", "start_run"]


@dataclass(frozen=True, slots=True)
class RunRequest:
    """Everything `runbook run` and `runbook resume` were asked to do."""

    options: RunOptions
    answers: dict[str, str]
    variables: dict[str, str]
    notes: dict[str, str]
    runs_dir: str | None
    allow_changed: bool = False
    store: str | None = None
    """--store URL (or RUNBOOK_STORE): a PostgreSQL run store instead of the runs folder."""


def _secret_values(graph: dict[str, Any], env: dict[str, str]) -> list[str]:
    """Values to mask from the start: secret variables already in the environment."""
    from ..infer.shell import is_secret_name

    declared = {v["name"] for v in graph["runbook"]["variables"] if v["secret"]}
    return [
        value for name, value in env.items() if (name in declared or is_secret_name(name)) and len(value) >= 3
    ]


def _runner(
    graph: dict[str, Any],
    unit: dict[str, Any],
    path: Path,
    run_id: str,
    journal: Any,
    request: RunRequest,
    view: Any,
    prompter: Prompter | None,
    spawn: Spawn,
    clock: Clock,
) -> Runner:
    from .database import url_passwords
    from .docker_engine import snapshot

    env = dict(os.environ)
    masker = Masker(_secret_values(graph, env))
    # Passwords written in URLs (DATABASE_URL, --db) are masked wherever they would be written.
    for value in [*env.values(), *request.variables.values(), *request.answers.values()]:
        for password in url_passwords(value) if "@" in value or "password" in value else ():
            masker.add(password)
    terminal = 0 if request.options.interactive and os.isatty(0) else None
    session = ShellSession(env=env, cwd=os.getcwd(), spawn=spawn, terminal=terminal)
    runner = Runner(
        graph=graph,
        unit=unit,
        runbook_path=path,
        run_id=run_id,
        session=session,
        view=view,
        prompter=prompter,
        answers=Answers(dict(request.answers)),
        options=request.options,
        observers=[journal.append],
        clock=clock,
        masker=masker,
        journal=journal,
        notes=dict(request.notes),
        variables=dict(request.variables),
        actor=operator(),
        snapshot=snapshot,
    )
    from ..infer.shell import is_secret_name

    declared = {v["name"] for v in graph["runbook"]["variables"] if v["secret"]}
    for name, value in request.variables.items():
        if name in declared or is_secret_name(name):
            masker.add(value)
        env[name] = value
    for key, value in request.answers.items():
        # Answers are journaled: a secret given as an answer is masked from the start.
        if key.startswith("var:") and (key[4:] in declared or is_secret_name(key[4:])):
            masker.add(value)
    return runner


def start_run(
    path: str,
    query: str,
    request: RunRequest,
    view: Any,
    prompter: Prompter | None,
    spawn: Spawn,
    clock: Clock | None = None,
) -> tuple[int, str]:
    """Run one procedure; returns the exit code and the run id.

    Raises:
        InvalidRunbookError: the runbook has error findings.
        SelectionError: the procedure is unknown or ambiguous.
        UnansweredQuestion: a question had no answer and there is no terminal (exit 2).
    """
    from ..gitinfo import provenance
    from ..infer.load import load
    from ..plan.select import select_unit

    runbook = load(path)
    errors = [f for f in runbook.findings if f.severity == "error"]
    if errors:
        raise InvalidRunbookError("\n".join(str(f) for f in errors))
    unit_model = select_unit(runbook, query)
    graph = graph_json(runbook)
    unit = find_unit(graph, unit_model.id)
    assert unit is not None
    # Mistakes in the request are found before anything is journaled or run.
    check_answer_ids(unit, request.answers)
    if request.options.from_step and request.options.from_step not in {n["id"] for n in unit["nodes"]}:
        from ..errors import SelectionError

        raise SelectionError(
            f"no step {request.options.from_step!r} in {unit['title']}",
            [n["id"] for n in unit["nodes"]],
            "use an id from `runbook list`",
        )
    clock = clock or Clock()
    run_id = new_run_id(clock.now())
    store = open_store(request.runs_dir, request.store)
    journal = store.create(run_id)
    where = provenance(Path(path))
    if where.dirty:
        view.text(f"warning: {path} has uncommitted changes; the journal records its exact hash")
    # The journal keeps the absolute path: a resume may start from another directory.
    runner = _runner(
        graph, unit, Path(path).resolve(), run_id, journal, request, view, prompter, spawn, clock
    )
    view.header(unit, run_id, store.where)
    inputs = {k: v for k, v in request.variables.items()}
    try:
        code = runner.run({"sha256": runbook.sha256, "commit": where.commit, "dirty": where.dirty}, inputs)
    finally:
        runner.session.close()
        journal.close()
        store.close()
    return code, run_id


def _replay(events: list[dict[str, Any]], runner: Runner) -> None:
    """Restore what a killed run had decided and done, from its journal."""
    started: dict[str, dict[str, Any]] = {}
    for event in events:
        kind, step, data = event["type"], event["step"], event["data"]
        if kind == "choice.made":
            runner.answers.given.setdefault(data["choice"], data["branch"])
            runner.done[data["choice"]] = "ok"
        elif kind == "gate.item":
            answer = "yes" if data["answer"] in ("yes", "override") else "no"
            runner.answers.given.setdefault(data["item"], answer)
        elif kind == "gate.passed":
            runner.done[step] = "ok"
        elif kind == "input.set":
            if data["secret"]:
                continue
            if data["name"].startswith("placeholder:"):
                runner.placeholder_values[data["name"].split(":", 1)[1]] = data["value"]
            else:
                runner.session.env[data["name"]] = data["value"]
        elif kind == "decision.made":
            runner.target_minutes = data.get("response_minutes")
        elif kind == "step.started":
            started[step] = {"attempt": data["attempt"], "seq": event["seq"]}
            runner.attempts[step] = max(runner.attempts.get(step, 0), data["attempt"])
        elif kind == "step.finished":
            started.pop(step, None)
            if data["status"] in ("ok", "stopped"):
                runner.done[step] = "ok"
            runner.session.env.update(data.get("exports", {}))
            for name in data.get("unset", []):
                runner.session.env.pop(name, None)
            if data.get("cwd") and os.path.isdir(data["cwd"]):
                runner.session.cwd = data["cwd"]
        elif kind in ("step.skipped", "template.announced"):
            runner.done[step] = kind
        elif kind == "step.in-doubt":
            started.pop(step, None)
            if data["decision"] in ("done", "skip"):
                runner.done[step] = data["decision"]
        if kind == "run.started":
            runner.started = parse_time(event["time"])
        runner.seq = max(runner.seq, event["seq"])
    for step, info in started.items():
        partial = []
        for file in sorted((runner.journal.outputs).glob(f"*-{step}-{info['attempt']}-*.partial")):
            partial.append({"name": file.name, "data": file.read_bytes()[-65536:]})
        runner.in_doubt[step] = {**info, "partial": partial}


def parse_time(text: str) -> Any:
    from datetime import datetime, timezone

    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


_OWN = (":start", ":confirm", ":run", ":failed", ":done", ":in-doubt", ":note")


def _inherited(key: str, value: str) -> bool:
    """Decisions about the situation carry over to a resume; confirmations and actions do not."""
    return MASK not in value and not key.endswith(_OWN)


def resume_run(
    run_id: str,
    request: RunRequest,
    view: Any,
    prompter: Prompter | None,
    spawn: Spawn,
    clock: Clock | None = None,
) -> tuple[int, str]:
    """Continue a killed or stopped run with its inputs and answers; finished steps never re-run.

    Raises:
        UsageError: no such run, or it already finished successfully.
        InvalidRunbookError: the runbook changed since the run started (unless allowed).
    """
    store = open_store(request.runs_dir, request.store)
    try:
        return _resume(store, store.resolve(run_id), request, view, prompter, spawn, clock)
    finally:
        store.close()


def _resume(
    store: Store,
    run_id: str,
    request: RunRequest,
    view: Any,
    prompter: Prompter | None,
    spawn: Spawn,
    clock: Clock | None,
) -> tuple[int, str]:
    from ..infer.load import load

    events, _ = store.events(run_id)
    first = next((e for e in events if e["type"] == "run.started"), None)
    if first is None:
        raise UsageError(f"run {run_id} has no run.started event; it cannot be resumed")
    last_finish = next((e for e in reversed(events) if e["type"] in ("run.finished", "run.resumed")), None)
    if (
        last_finish is not None
        and last_finish["type"] == "run.finished"
        and last_finish["data"]["status"] == "ok"
    ):
        raise UsageError(f"run {run_id} finished successfully; there is nothing to resume")
    path = first["data"]["runbook"]["path"]
    runbook = load(path)
    if runbook.sha256 != first["data"]["runbook"]["sha256"] and not request.allow_changed:
        raise InvalidRunbookError(
            f"{path} changed since run {run_id} started; resuming would follow different steps",
            "restore that version, or pass --allow-changed",
        )
    graph = graph_json(runbook)
    unit_id = first["data"]["procedure"]["id"]
    unit = find_unit(graph, unit_id)
    if unit is None:
        raise InvalidRunbookError(f"{path} no longer has {unit_id!r}")
    journal = store.open(run_id)
    events = journal.events()
    # The same answers and inputs as the first attempt (what is given now adds to them), but the
    # confirmations are the resuming operator's own: --yes and --allow-destructive are not inherited.
    mode = first["data"]["mode"]
    recorded = {k: v for k, v in first["data"]["inputs"].items() if v != MASK}
    request = RunRequest(
        options=replace(
            request.options,
            from_step=mode.get("from_step"),
            follow_timeout=request.options.follow_timeout or mode.get("follow_timeout"),
        ),
        answers={
            **{k: v for k, v in first["data"].get("answers", {}).items() if _inherited(k, v)},
            **request.answers,
        },
        variables={**recorded, **request.variables},
        notes=request.notes,
        runs_dir=request.runs_dir,
        allow_changed=request.allow_changed,
        store=request.store,
    )
    runner = _runner(
        graph, unit, Path(path), run_id, journal, request, view, prompter, spawn, clock or Clock()
    )
    runner.actor = operator()
    started_in = first["data"].get("cwd")
    if started_in and os.path.isdir(started_in):
        runner.session.cwd = started_in
    _replay(events, runner)
    view.header(unit, run_id, store.where)
    done = ", ".join(sorted(runner.done)) or "nothing yet"
    view.text(
        f"resuming: done {done}" + (f"; in doubt {', '.join(runner.in_doubt)}" if runner.in_doubt else "")
    )
    try:
        code = runner.run({}, {}, resumed=True)
    finally:
        runner.session.close()
        journal.close()
    return code, run_id
