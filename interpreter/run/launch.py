"""Starting and resuming runs: wiring the runbook, answers, journal, session, prompter and view."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InvalidRunbookError, SelectionError, UsageError
from ..journal.contract import Store
from ..journal.events import parse_time
from ..journal.files import new_run_id
from ..journal.folds import history
from ..journal.store import open_store
from ..plan.dryrun import check_answer_ids
from ..plan.graph import find_unit, graph_json
from ..policy.masking import MASK
from .alongside import others_running, warn
from .context import Clock, Inputs, Ports, RunJournal, RunOptions, SystemClock, View
from .masked_view import MaskedView
from .questions import Answers, Prompter, check_names
from .runner import Runner, operator
from .secrets import RunSecrets, run_secrets
from .session import ShellSession, Spawn
from .state import InDoubt, replay

__all__ = ["RunRequest", "parse_time", "resume_run", "start_run"]


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
    cwd: str | None = None
    """--cwd: where the run's shell starts [default: the current directory]; a resume goes on
    where the run's last step left it."""


def _runner(
    graph: dict[str, Any],
    unit: dict[str, Any],
    path: Path,
    run_id: str,
    journal: RunJournal,
    request: RunRequest,
    view: View,
    prompter: Prompter | None,
    spawn: Spawn,
    clock: Clock,
    secrets: RunSecrets,
) -> Runner:
    from .docker_engine import snapshot

    env = {**os.environ, **request.variables}
    terminal = 0 if request.options.interactive and os.isatty(0) else None
    session = ShellSession(env=env, cwd=request.cwd or os.getcwd(), spawn=spawn, terminal=terminal)
    runner = Runner(
        graph=graph,
        unit=unit,
        runbook_path=path,
        run_id=run_id,
        session=session,
        ports=Ports(MaskedView(view, secrets.masker), prompter, (journal,), journal, clock, snapshot),
        inputs=Inputs(
            request.options, Answers(dict(request.answers)), dict(request.variables), dict(request.notes)
        ),
        masker=secrets.masker,
        actor=operator(),
        secret_names=secrets.names,
    )
    return runner


def start_run(
    path: str,
    query: str,
    request: RunRequest,
    view: View,
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
        raise SelectionError(
            f"no step {request.options.from_step!r} in {unit['title']}",
            [n["id"] for n in unit["nodes"]],
            "use an id from `runbook list`",
        )
    # A secret too weak to mask stops the run here, before anything is journaled or run.
    secrets = run_secrets(graph, unit, os.environ, request.variables, request.answers)
    clock = clock or SystemClock()
    run_id = new_run_id(clock.now())
    store = open_store(request.runs_dir, request.store)
    absolute = str(Path(path).resolve())
    try:
        others = others_running(store, absolute, unit["id"])
        if others:
            now = clock.now()
            warn(
                others,
                view,
                prompter if request.options.interactive else None,
                request.answers,
                lambda summary: (now - parse_time(summary.started)).total_seconds(),
            )
        journal: RunJournal = store.create(run_id)
    except BaseException:
        store.close()
        raise
    where = provenance(Path(path))
    if where.dirty:
        view.text(f"warning: {path} has uncommitted changes; the journal records its exact hash")
    # The journal keeps the absolute path: a resume may start from another directory.
    runner = _runner(
        graph, unit, Path(path).resolve(), run_id, journal, request, view, prompter, spawn, clock, secrets
    )
    runner.view.header(unit, run_id, store.label(run_id))
    inputs = {k: v for k, v in request.variables.items()}
    provenance_data = {"sha256": runbook.sha256, "commit": where.commit, "dirty": where.dirty}
    runner.alongside = [o.summary.id for o in others]
    try:
        code = runner.run(provenance_data, inputs)
    finally:
        runner.session.close()
        journal.close()
        store.close()
    return code, run_id


def _replay(events: list[dict[str, Any]], runner: Runner, journal: RunJournal) -> list[str]:
    """Restore what a killed run had decided and done, from its journal; returns the names of
    the variables it restored."""
    found = replay(events)
    runner.state = found.state
    for key, value in found.answers.items():
        runner.inputs.answers.given.setdefault(key, value)
    session = runner.session
    for name, set_to in found.env.items():
        if set_to is None:
            session.env.pop(name, None)
        else:
            session.env[name] = set_to
    if found.cwd is not None:
        session.cwd = found.cwd
    for step, info in found.state.in_doubt.items():
        partial = tuple(journal.partial_outputs(step, info.attempt))
        found.state.in_doubt[step] = InDoubt(info.attempt, info.seq, partial, info.journaled)
    return sorted(name for name, value in found.env.items() if value is not None)


def _tell_story(view: View, events: list[dict[str, Any]], in_doubt: dict[str, InDoubt]) -> None:
    """What the run did and decided so far, in order, before it goes on."""
    told = history(events)
    if not told and not in_doubt:
        view.text("resuming: nothing was done yet")
        return
    view.text("resuming; so far:")
    for item in told:
        where = f"{item.step}  " if item.step else ""
        view.text(f"  {where}{item.what}" + (f": {item.detail}" if item.detail else ""))
    for step in in_doubt:
        view.text(f"  {step}  in doubt: started, and never recorded its end")


_OWN = (":start", ":confirm", ":run", ":failed", ":done", ":in-doubt", ":note")


def _inherited(key: str, value: str) -> bool:
    """Decisions about the situation carry over to a resume; confirmations and actions do not."""
    return MASK not in value and not key.endswith(_OWN)


def resume_run(
    run_id: str,
    request: RunRequest,
    view: View,
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
    view: View,
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
    # The same answers and inputs as the first attempt (what is given now adds to them), but the
    # confirmations are the resuming operator's own: --yes and --allow-destructive are not inherited.
    mode = first["data"]["mode"]
    recorded = {k: v for k, v in first["data"]["inputs"].items() if v != MASK}
    inherited = {k: v for k, v in first["data"].get("answers", {}).items() if _inherited(k, v)}
    try:
        check_names(recorded, inherited, f"journal of run {run_id}")
        replay(events)  # a journal that sets a refused name is refused before anything is opened
    except UsageError as error:
        raise InvalidRunbookError(
            error.message, "the journal was edited or damaged; nothing was run"
        ) from None
    request = RunRequest(
        options=replace(
            request.options,
            from_step=mode.get("from_step"),
            follow_timeout=request.options.follow_timeout or mode.get("follow_timeout"),
        ),
        answers={**inherited, **request.answers},
        variables={**recorded, **request.variables},
        notes=request.notes,
        runs_dir=request.runs_dir,
        allow_changed=request.allow_changed,
        store=request.store,
    )
    secrets = run_secrets(graph, unit, os.environ, request.variables, request.answers)
    journal: RunJournal = store.open(run_id)
    runner = _runner(
        graph,
        unit,
        Path(path),
        run_id,
        journal,
        request,
        view,
        prompter,
        spawn,
        clock or SystemClock(),
        secrets,
    )
    try:
        started_in = first["data"].get("cwd")
        if started_in and os.path.isdir(started_in):
            runner.session.cwd = started_in
        events = journal.events()
        restored = _replay(events, runner, journal)
        view = runner.view  # masked from here on
        view.header(unit, run_id, store.label(run_id))
        _tell_story(view, events, runner.state.in_doubt)
        if restored:
            view.text(f"variables restored from the journal: {', '.join(restored)}")
        code = runner.run({}, {}, resumed=True)
    finally:
        runner.session.close()
        journal.close()
    return code, run_id
