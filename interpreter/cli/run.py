"""Running a procedure: `runbook run` (and its --dry-run) and `runbook resume`, which share one body."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..errors import ExitCode, UsageError
from .options import LaunchOptions, launch_options, unit_option
from .output import console, exit_codes, fail, load_runbook

if TYPE_CHECKING:
    from rich.console import Console

    from ..run.launch import RunRequest
    from ..run.questions import Prompter

__all__ = ["resume", "run"]

RUN_EXIT_CODES = exit_codes(
    {
        ExitCode.OK: "every step ok, or skipped by decision",
        ExitCode.FAILED: "a step failed, a prerequisite was not met, or the operator aborted",
        ExitCode.USAGE: "usage error, or a question with no answer and no terminal",
        ExitCode.INVALID: "invalid runbook",
        ExitCode.INTERRUPTED: "interrupted (resume it with `runbook resume RUN_ID`)",
    }
)

Start = Callable[[Any, "Prompter | None", Any], tuple[int, str]]
"""Starts or resumes the run, given its ports: (view, prompter, spawn) → (exit code, run id)."""


@click.command(epilog=RUN_EXIT_CODES)
@click.argument("file", type=click.Path())
@unit_option
@click.option("--from-step", metavar="ID", help="Start at this step (ids from `runbook list`).")
@click.option("--dry-run", is_flag=True, help="Show the resolved plan and every question; run nothing.")
@click.option(
    "--cwd",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="Start the run's shell in DIR [default: the current directory].",
)
@launch_options
def run(
    file: str, query: str | None, from_step: str | None, dry_run: bool, cwd: str | None, launch: LaunchOptions
) -> None:
    """Run one procedure of FILE step by step, with the operator in the loop.

    Without --procedure: the only procedure or runnable section of FILE, else a menu of them in a
    terminal (without one, the list and exit 2). Before each step: its prose and the exact
    commands, and those written for you to type elsewhere (in psql, inside `ssh host`). One menu
    everywhere: run, skip, edit, note, shell, back, abort. Destructive steps need the word shown
    typed before every attempt (--yes alone never does it); a retry goes on from the command that
    failed. A command that opens a session (ssh, kubectl exec -it, psql) gets the terminal until
    you leave it; --yes never goes in for you. Ctrl-C stops the running command, not the run.
    Every event goes to a hash-chained journal, on disk as it happens.

    \b
    Examples:
      runbook run runbooks/rollback-procedures.md --procedure 2
      runbook run runbooks/demo-rollback.md --yes
      runbook run runbooks/rollback-procedures.md -p 2 --dry-run
      runbook run runbooks/rollback-procedures.md -p 2 --answers answers.yaml --non-interactive
      runbook run ops/db.md -p 1 --db postgresql://app@db.internal/app
      runbook run ~/ops/rollback.md -p 2 --cwd ~/src/app
    """
    from ..run.launch import start_run

    request = _request(launch, from_step=from_step, cwd=cwd)
    chosen = query if query is not None else _choose_unit(file, request.options.interactive)
    if dry_run:
        _dry_run(file, chosen, request)
        return
    _launch(request, lambda *ports: start_run(file, chosen, request, *ports))


@click.command(epilog=RUN_EXIT_CODES)
@click.argument("run_id")
@click.option(
    "--allow-changed", is_flag=True, help="Resume although the runbook changed since the run started."
)
@launch_options
def resume(run_id: str, allow_changed: bool, launch: LaunchOptions) -> None:
    """Continue a killed, interrupted or stopped run with the same inputs and decisions.

    Finished steps are never run again. A step that had started but not finished is in doubt:
    which of its commands finished, whether its process group still runs (wait, kill, leave) and
    its partial output are shown; run goes on from the first unfinished command (or done, skip…).
    The run is found from any directory.

    \b
    Example:
      runbook resume 20261128-223536-3fa2c1
    """
    from ..run.launch import resume_run

    request = _request(launch, allow_changed=allow_changed)
    _launch(request, lambda *ports: resume_run(run_id, request, *ports))


def _request(
    launch: LaunchOptions, from_step: str | None = None, allow_changed: bool = False, cwd: str | None = None
) -> RunRequest:
    """What the run is asked to do, from the command line and the answers file.

    Raises:
        UsageError: --allow-destructive without --yes, or a malformed answer, variable or file.
    """
    from ..run.launch import RunRequest
    from ..run.questions import load_answers, parse_pairs, stdin_is_terminal
    from ..run.runner import RunOptions

    if launch.allow_destructive and not launch.yes:
        raise UsageError("--allow-destructive only goes with --yes", "add --yes, or leave both out")
    answers, variables, notes = load_answers(launch.answers_file) if launch.answers_file else ({}, {}, {})
    answers.update(parse_pairs(launch.answer, "--answer"))
    variables.update(parse_pairs(launch.var, "--var"))
    if launch.db:
        from ..run.database import ENV_NAME

        variables[ENV_NAME] = launch.db  # shell steps (pg_dump, psql) reach the same database
    interactive = not launch.non_interactive and stdin_is_terminal()
    follow_timeout = launch.follow_timeout
    if follow_timeout is None and not interactive:
        follow_timeout = 30.0
    options = RunOptions(
        yes=launch.yes,
        allow_destructive=launch.allow_destructive,
        interactive=interactive,
        from_step=from_step,
        follow_timeout=follow_timeout,
    )
    return RunRequest(
        options,
        answers,
        variables,
        notes,
        launch.runs_dir,
        allow_changed,
        launch.store,
        cwd and os.path.abspath(cwd),
    )


def _launch(request: RunRequest, start: Start) -> NoReturn:
    """The body `run` and `resume` share: the screen, the prompter, the signals, the end."""
    import subprocess

    from ..run.alongside import FollowInstead
    from ..run.questions import UnansweredQuestion
    from ..run.runner import Terminated
    from ..run.view import stdout_view

    screen = console()
    prompter = _prompter(screen) if request.options.interactive else None
    _stop_on_signals()
    try:
        code, run_id = start(stdout_view(screen), prompter, subprocess.Popen)
    except UnansweredQuestion as error:
        fail(error)
    except FollowInstead as other:
        from .timeline import follow

        follow.main([other.run_id, *_store_args(request, masked=False)], standalone_mode=True)
    except Terminated as stop:
        # Outside the run's own handling (loading the runbook, opening the store): nothing ran.
        console(stderr=True).print(f"runbook: stopped by signal {stop.signum}")
        sys.exit(128 + stop.signum)
    words = {0: "finished", 1: "stopped", 2: "stopped: unanswered question", 130: "interrupted"}
    where = " ".join(_store_args(request))
    where = f" {where}" if where else ""
    err = console(stderr=True)
    from .output import shown as escape

    err.print(
        escape(
            f"run {run_id} {words.get(code, 'ended')} (exit {code}); "
            f"`runbook timeline {run_id}{where}` shows it"
            + (f"; `runbook resume {run_id}{where}` continues it" if code in (1, 130) else "")
        )
    )
    journal = _journal_path(request, run_id)
    if journal:
        err.print(escape(f"journal: {journal}"), soft_wrap=True)  # a path is copied whole
    sys.exit(code)


def _store_args(request: RunRequest, masked: bool = True) -> list[str]:
    """The options that find the run again from any directory: an absolute --runs-dir when one
    was named (else the run is found from anywhere), or the store (its password masked when
    printed)."""
    import os
    from pathlib import Path

    url = request.store or os.environ.get("RUNBOOK_STORE")
    if url:
        from ..journal.postgres import masked_url

        return ["--store", masked_url(url) if masked else url]
    named = request.runs_dir or os.environ.get("RUNBOOK_RUNS_DIR")
    return ["--runs-dir", str(Path(named).absolute())] if named else []


def _journal_path(request: RunRequest, run_id: str) -> str | None:
    import os

    if request.store or os.environ.get("RUNBOOK_STORE"):
        return None
    from ..journal.folder import DirectoryStore
    from ..journal.locate import locate

    found = locate(request.runs_dir)
    return DirectoryStore(found.root, found.also).label(run_id)


def _choose_unit(file: str, interactive: bool) -> str:
    """The unit to run when --procedure is left out: the only one, else the operator's pick from a
    menu; without a terminal, the list and exit 2 (it never guesses).

    Raises:
        SelectionError: no unit; or several and nobody to ask.
        UnansweredQuestion: the menu was closed (Ctrl-D).
    """
    from ..plan.select import select_unit, several_units, unit_key, unit_menu, unnamed_unit
    from ..run.questions import Question

    runbook = load_runbook(file)
    only = unnamed_unit(runbook)
    if only is not None:
        return only.id
    if not interactive:
        raise several_units(runbook, "--procedure")
    menu = tuple(unit_menu(runbook))
    screen = console()
    screen.print(f"{len(menu)} procedures or runnable sections in {file}:", markup=False)
    # The keys are what --procedure takes (a number, a slug): the same word works in both places.
    question = Question("procedure", "choice", "Which one do you run", menu, flag="--procedure N|SLUG")
    try:
        answer = _prompter(screen).ask(question)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    unit = select_unit(runbook, answer)
    screen.print(
        f"running {unit_key(unit)} ({unit.title}); next time: --procedure {unit_key(unit)}", markup=False
    )
    return unit.id


def _prompter(screen: Console) -> Prompter:
    from rich.text import Text

    from ..policy.terminal import visible
    from ..run.questions import TerminalPrompter
    from .output import terminal_width

    def write(text: str) -> None:
        # Plain text, made visible: no markup read in it, a trailing backslash shown as it is;
        # broken between words at the terminal's own width.
        screen.print(Text(visible(text)), width=terminal_width() or None)

    return TerminalPrompter(write=write, width=lambda: terminal_width() or 10**6)


def _stop_on_signals() -> None:
    """SIGTERM or a closed terminal (SIGHUP) stops the running command and ends the run cleanly."""
    import signal

    from ..run.runner import Terminated

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def _dry_run(file: str, query: str, request: RunRequest) -> None:
    import os

    from ..plan.dryrun import plan_lines
    from ..plan.graph import find_unit, graph_json
    from ..plan.select import select_unit

    runbook = load_runbook(file)
    graph = graph_json(runbook)
    unit = find_unit(graph, select_unit(runbook, query).id)
    assert unit is not None
    from ..policy.terminal import visible
    from ..run.secrets import run_secrets

    # The plan shows values: masked as the run would mask them (a --db or $DATABASE_URL password).
    masker = run_secrets(graph, unit, os.environ, request.variables, request.answers).masker
    for line in plan_lines(unit, request.answers, request.variables, dict(os.environ), graph["decisions"]):
        click.echo(visible(masker.text(line)))
