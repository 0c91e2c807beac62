"""The `runbook` command line: the only module that prints to the terminal and chooses exit codes."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import InvalidRunbookError, RunbookError, SelectionError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from .model.runbook import Runbook

__all__ = ["main"]

EXIT_CODES = """\b
Exit codes:
  0  ok
  1  a step failed
  2  usage error (unknown option, procedure or step)
  3  invalid runbook (unreadable, not UTF-8, or with error findings)
"""


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: never re-wrap lines when piped, so output stays greppable; rich honours NO_COLOR.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _shown(text: str) -> str:
    """Text from a runbook, a journal or the command line as rich markup: control characters
    shown, never obeyed (policy.terminal), and no markup of its own."""
    from rich.markup import escape

    from .policy.terminal import visible

    return escape(visible(text))


def _fail(error: RunbookError) -> NoReturn:
    """Report an error the user can act on, in one line per problem, and exit with its code."""
    err = _console(stderr=True)
    hint = f" [dim]({_shown(error.hint)})[/]" if error.hint else ""
    for line in error.message.split("\n"):
        err.print(f"[bold red]runbook:[/] {_shown(line)}{hint if line else ''}")
    if isinstance(error, SelectionError) and error.candidates:
        err.print("candidates:")
        for candidate in error.candidates:
            err.print(f"  {_shown(candidate)}")
    sys.exit(error.exit_code)


def _load(path: str, show_warnings: bool = False, quiet: bool = False) -> Runbook:
    """Load a runbook, report its warnings on stderr, and stop with exit 3 on any error finding.

    `quiet` (for --json) leaves warnings to the JSON, which carries every finding.
    """
    from .infer.load import load

    runbook = load(path)
    errors = [f for f in runbook.findings if f.severity == "error"]
    if errors:
        raise InvalidRunbookError("\n".join(str(f) for f in errors))
    warnings = [f for f in runbook.findings if f.severity == "warning" and not quiet]
    err = _console(stderr=True)
    if show_warnings:
        for finding in warnings:
            err.print(f"[yellow]{_shown(str(finding))}[/]")
    elif warnings:
        err.print(
            f"[yellow]{len(warnings)} warning(s) in {_shown(path)}[/] "
            f"[dim](`runbook parse {_shown(path)}` lists them)[/]"
        )
    return runbook


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RunbookError as error:
            _fail(error)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="runbook")
def main() -> None:
    """Run operational Markdown runbooks as they are written.

    \b
    Example:
      runbook list runbooks/rollback-procedures.md
      runbook run runbooks/rollback-procedures.md --procedure 2
    """


@main.command(epilog=EXIT_CODES)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the step graph as JSON (schemas/graph.json).")
def parse(file: str, as_json: bool) -> None:
    """Parse FILE into the step graph and report what was found.

    \b
    Example:
      runbook parse runbooks/rollback-procedures.md --json > graph.json
    """
    from .plan.graph import graph_json

    runbook = _load(file, show_warnings=not as_json, quiet=as_json)
    graph = graph_json(runbook)
    if as_json:
        click.echo(json.dumps(graph, indent=2, ensure_ascii=False))
        return
    out = _console()
    escape = _shown

    meta = runbook.metadata
    out.print(f"[bold]{escape(meta.title or file)}[/]  {escape(file)}")
    for name, value in (
        ("version", meta.version),
        ("status", meta.status),
        ("owner", meta.owner),
        ("last updated", meta.last_updated),
        ("next review", meta.next_review),
    ):
        if value:
            out.print(f"  {name}: {escape(value)}")
    counts = [
        (len(runbook.procedures), "procedure"),
        (len(runbook.sections), "runnable section"),
        (len(runbook.decisions), "decision table"),
        (len(runbook.criteria), "criteria list"),
        (len(runbook.reference), "reference block"),
        (len(runbook.variables), "input"),
    ]
    out.print("  " + ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts))
    if not runbook.procedures:
        out.print("  no procedures: nothing here has numbered steps with commands")
    out.print(f"[dim]`runbook list {escape(file)}` shows the steps; --json prints the graph[/]")


@main.command(name="list", epilog=EXIT_CODES)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print procedures and nodes as JSON.")
def list_(file: str, as_json: bool) -> None:
    """List FILE's procedures, runnable sections and steps, with ids and flags.

    Flags: optional, destructive, never-ending, manual (no commands), template, and the inputs
    each step asks for (secret ones marked).

    \b
    Example:
      runbook list runbooks/rollback-procedures.md
    """
    from .plan.graph import graph_json
    from .plan.listing import listing_json, print_listing

    graph = graph_json(_load(file, quiet=as_json))
    if as_json:
        click.echo(json.dumps(listing_json(graph), indent=2, ensure_ascii=False))
    else:
        print_listing(graph, _console())


@main.command(epilog=EXIT_CODES)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--procedure",
    "-p",
    "query",
    required=True,
    metavar="N|SLUG|TITLE",
    help="Procedure number, slug or title (a unique prefix is enough); or a section's slug.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "json"]),
    default="mermaid",
    show_default=True,
    help="Output format.",
)
def graph(file: str, query: str, fmt: str) -> None:
    """Print one procedure's step graph as Mermaid, Graphviz DOT or JSON.

    \b
    Example:
      runbook graph runbooks/rollback-procedures.md --procedure 2 --format dot | dot -Tsvg > p2.svg
    """
    from .plan.diagram import to_dot, to_mermaid
    from .plan.graph import find_unit, graph_json
    from .plan.select import select_unit

    runbook = _load(file)
    unit = select_unit(runbook, query)
    data = graph_json(runbook)
    chosen = find_unit(data, unit.id)
    assert chosen is not None
    if fmt == "json":
        click.echo(json.dumps(chosen, indent=2, ensure_ascii=False))
    else:
        click.echo((to_mermaid if fmt == "mermaid" else to_dot)(chosen), nl=False)


def _request(
    yes: bool,
    allow_destructive: bool,
    non_interactive: bool,
    from_step: str | None,
    answer: tuple[str, ...],
    answers_file: str | None,
    var: tuple[str, ...],
    runs_dir: str | None,
    follow_timeout: float | None,
    allow_changed: bool = False,
    store: str | None = None,
    db: str | None = None,
) -> Any:
    from .run.launch import RunRequest
    from .run.questions import load_answers, parse_pairs, stdin_is_terminal
    from .run.runner import RunOptions

    if allow_destructive and not yes:
        raise UsageError("--allow-destructive only goes with --yes", "add --yes, or leave both out")
    answers, variables, notes = load_answers(answers_file) if answers_file else ({}, {}, {})
    answers.update(parse_pairs(answer, "--answer"))
    variables.update(parse_pairs(var, "--var"))
    if db:
        from .run.database import ENV_NAME

        variables[ENV_NAME] = db  # shell steps (pg_dump, psql) reach the same database
    interactive = not non_interactive and stdin_is_terminal()
    if follow_timeout is None and not interactive:
        follow_timeout = 30.0
    options = RunOptions(
        yes=yes,
        allow_destructive=allow_destructive,
        interactive=interactive,
        from_step=from_step,
        follow_timeout=follow_timeout,
    )
    return RunRequest(options, answers, variables, notes, runs_dir, allow_changed, store)


def _prompter(console: Console) -> Any:
    from .run.questions import TerminalPrompter

    def write(text: str) -> None:
        console.print(_shown(text))

    return TerminalPrompter(write=write)


def _store_options(function: Any) -> Any:
    options = [
        click.option(
            "--runs-dir",
            envvar="RUNBOOK_RUNS_DIR",
            type=click.Path(file_okay=False),
            help="Where runs are journaled [default: .runbook/runs; env RUNBOOK_RUNS_DIR].",
        ),
        click.option(
            "--store",
            envvar="RUNBOOK_STORE",
            metavar="URL",
            help="A shared PostgreSQL run store (postgresql://…) instead of the folder [env RUNBOOK_STORE].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _run_options(function: Any) -> Any:
    options = [
        click.option("--yes", "-y", is_flag=True, help="Confirm non-destructive steps automatically."),
        click.option(
            "--allow-destructive",
            is_flag=True,
            help="With --yes: confirm destructive steps too (recorded in the journal).",
        ),
        click.option(
            "--answer",
            "-a",
            multiple=True,
            metavar="ID=VALUE",
            help="Answer a question in advance (repeatable); --dry-run lists the ids.",
        ),
        click.option(
            "--answers",
            "answers_file",
            type=click.Path(dir_okay=False),
            metavar="FILE",
            help="YAML file of answers, vars and notes (schemas/answers.json).",
        ),
        click.option("--var", multiple=True, metavar="NAME=VALUE", help="Set a variable (repeatable)."),
        click.option(
            "--db",
            metavar="URL",
            help="Database of sql blocks that name none (db= or front matter `database:`); "
            "the run sees it as $RUNBOOK_DATABASE_URL [env RUNBOOK_DATABASE_URL]. Its password is masked.",
        ),
        click.option(
            "--non-interactive",
            is_flag=True,
            help="Never prompt (implied when stdin is not a terminal): an unanswered question "
            "stops the run with exit 2.",
        ),
        click.option(
            "--follow-timeout",
            type=float,
            metavar="SECONDS",
            help="How long a never-ending command (logs -f, watch) runs when nobody can press "
            "Ctrl-C [default: until Ctrl-C; 30 without a terminal].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return _store_options(function)


RUN_EXIT_CODES = """\b
Exit codes:
  0    every step ok, or skipped by decision
  1    a step failed, a prerequisite was not met, or the operator aborted
  2    usage error, or a question with no answer and no terminal
  3    invalid runbook
  130  interrupted (resume it with `runbook resume RUN_ID`)
"""


@main.command(epilog=RUN_EXIT_CODES)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--procedure",
    "-p",
    "query",
    required=True,
    metavar="N|SLUG|TITLE",
    help="Procedure number, slug or title (a unique prefix is enough); or a section's slug.",
)
@click.option("--from-step", metavar="ID", help="Start at this step (ids from `runbook list`).")
@click.option("--dry-run", is_flag=True, help="Show the resolved plan and every question; run nothing.")
@_run_options
def run(
    file: str,
    query: str,
    from_step: str | None,
    dry_run: bool,
    yes: bool,
    allow_destructive: bool,
    answer: tuple[str, ...],
    answers_file: str | None,
    var: tuple[str, ...],
    db: str | None,
    non_interactive: bool,
    runs_dir: str | None,
    store: str | None,
    follow_timeout: float | None,
) -> None:
    """Run one procedure of FILE step by step, with the operator in the loop.

    Before each step: its prose and the exact commands. Answers: run, skip, edit, note, shell,
    abort. Destructive steps need the word shown typed (--yes alone never does it). Ctrl-C stops
    the running command, not the run. Every event goes to a journal, fsynced as it happens.

    \b
    Examples:
      runbook run runbooks/rollback-procedures.md --procedure 2
      runbook run runbooks/demo-rollback.md -p 1 --yes
      runbook run runbooks/rollback-procedures.md -p 2 --dry-run
      runbook run runbooks/rollback-procedures.md -p 2 --answers answers.yaml --non-interactive
      runbook run ops/db.md -p 1 --db postgresql://app@db.internal/app
    """
    import subprocess

    from .run.launch import start_run
    from .run.questions import UnansweredQuestion
    from .run.view import stdout_view

    request = _request(
        yes,
        allow_destructive,
        non_interactive,
        from_step,
        answer,
        answers_file,
        var,
        runs_dir,
        follow_timeout,
        store=store,
        db=db,
    )
    if dry_run:
        _dry_run(file, query, request)
        return
    console = _console()
    view = stdout_view(console)
    prompter = _prompter(console) if request.options.interactive else None
    _stop_on_signals()
    try:
        code, run_id = start_run(file, query, request, view, prompter, subprocess.Popen)
    except UnansweredQuestion as error:
        _fail(error)
    _finish(code, run_id)


def _stop_on_signals() -> None:
    """SIGTERM or a closed terminal (SIGHUP) stops the running command and ends the run cleanly."""
    import signal

    from .run.runner import Terminated

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def _finish(code: int, run_id: str) -> NoReturn:
    err = _console(stderr=True)
    words = {0: "finished", 1: "stopped", 2: "stopped: unanswered question", 130: "interrupted"}
    err.print(
        f"run {run_id} {words.get(code, 'ended')} (exit {code}); "
        f"`runbook timeline {run_id}` shows it"
        + ("; `runbook resume " + run_id + "` continues it" if code in (1, 130) else "")
    )
    sys.exit(code)


def _dry_run(file: str, query: str, request: Any) -> None:
    import os

    from .plan.dryrun import plan_lines
    from .plan.graph import find_unit, graph_json
    from .plan.select import select_unit

    runbook = _load(file)
    unit_model = select_unit(runbook, query)
    graph = graph_json(runbook)
    unit = find_unit(graph, unit_model.id)
    assert unit is not None
    from .policy.terminal import visible
    from .run.secrets import run_secrets

    # The plan shows values: masked as the run would mask them (a --db or $DATABASE_URL password).
    masker = run_secrets(graph, unit, os.environ, request.variables, request.answers).masker
    for line in plan_lines(unit, request.answers, request.variables, dict(os.environ)):
        click.echo(visible(masker.text(line)))


@main.command(epilog=RUN_EXIT_CODES)
@click.argument("run_id")
@click.option(
    "--allow-changed", is_flag=True, help="Resume although the runbook changed since the run started."
)
@_run_options
def resume(
    run_id: str,
    allow_changed: bool,
    yes: bool,
    allow_destructive: bool,
    answer: tuple[str, ...],
    answers_file: str | None,
    var: tuple[str, ...],
    db: str | None,
    non_interactive: bool,
    runs_dir: str | None,
    store: str | None,
    follow_timeout: float | None,
) -> None:
    """Continue a killed, interrupted or stopped run with the same inputs and decisions.

    Finished steps are never run again. A step that had started but not finished is in doubt:
    its partial output is shown and the operator decides (rerun, done, skip, abort).

    \b
    Example:
      runbook resume 20261128-223536-3fa2c1
    """
    import subprocess

    from .run.launch import resume_run
    from .run.questions import UnansweredQuestion
    from .run.view import stdout_view

    request = _request(
        yes,
        allow_destructive,
        non_interactive,
        None,
        answer,
        answers_file,
        var,
        runs_dir,
        follow_timeout,
        allow_changed,
        store,
        db,
    )
    console = _console()
    prompter = _prompter(console) if request.options.interactive else None
    _stop_on_signals()
    try:
        code, run = resume_run(run_id, request, stdout_view(console), prompter, subprocess.Popen)
    except UnansweredQuestion as error:
        _fail(error)
    _finish(code, run)


def _torn_warning(torn: bool) -> None:
    if torn:
        _console(stderr=True).print(
            "[yellow]the journal's last line was torn (the run was killed while writing it); "
            "it is left out[/]"
        )


@main.command(epilog=EXIT_CODES)
@click.argument("run_id")
@_store_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
def timeline(run_id: str, runs_dir: str | None, store: str | None, fmt: str) -> None:
    """Print the timeline of a run from its journal (a unique prefix of the id is enough).

    \b
    Examples:
      runbook timeline 20261128-223536 --format md
      runbook timeline 20261128-223536 --store postgresql://postgres@db/runbook
    """
    from .journal.store import open_store
    from .report.timeline import timeline_lines

    runs = open_store(runs_dir, store)
    try:
        events, torn = runs.events(runs.resolve(run_id))
    finally:
        runs.close()
    if fmt == "json":
        for event in events:
            click.echo(json.dumps(event, ensure_ascii=False))
    else:
        for line in timeline_lines(events, markdown=fmt == "md"):
            click.echo(line)
    _torn_warning(torn)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@main.group(invoke_without_command=True, epilog=EXIT_CODES)
@_store_options
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_context
def runs(ctx: click.Context, runs_dir: str | None, store: str | None, as_json: bool) -> None:
    """List runs, oldest first: id, runbook, procedure, operator, start, duration, status.

    A run that holds no end and whose process is gone is `killed` (resume it); one whose process
    is still at work is `running` (`runbook follow` shows it live).

    \b
    Examples:
      runbook runs
      runbook runs --store postgresql://postgres@db/runbook --json
      runbook runs export --store postgresql://postgres@db/runbook --to backup/
      runbook runs import backup/ --store postgresql://postgres@db/runbook
    """
    if ctx.invoked_subcommand is not None:
        return
    from .journal.store import open_store

    escape = _shown

    where = open_store(runs_dir, store)
    try:
        summaries = where.runs()
    finally:
        where.close()
    if as_json:
        click.echo(json.dumps([s.as_json() for s in summaries], indent=2, ensure_ascii=False))
        return
    if not summaries:
        _console(stderr=True).print(f"no runs in {escape(where.where)}")
        return
    colours = {"ok": "green", "running": "cyan", "killed": "yellow"}
    console = _console()
    rows = [
        (
            s.id,
            s.runbook,
            s.procedure,
            s.operator,
            s.started[:19].replace("T", " "),
            _duration(s.duration),
            s.status,
        )
        for s in summaries
    ]
    header = ("ID", "RUNBOOK", "PROCEDURE", "OPERATOR", "STARTED (UTC)", "DURATION", "STATUS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    console.print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(), style="bold")
    for row, summary in zip(rows, summaries, strict=True):
        text = "  ".join(escape(cell.ljust(w)) for cell, w in zip(row[:-1], widths, strict=False))
        console.print(f"{text}  [{colours.get(summary.status, 'red')}]{escape(row[-1])}[/]")


@runs.command(name="export", epilog=EXIT_CODES)
@click.argument("run_ids", nargs=-1)
@_store_options
@click.option(
    "--to", "target", required=True, type=click.Path(file_okay=False), help="Folder to write runs to."
)
def runs_export(run_ids: tuple[str, ...], runs_dir: str | None, store: str | None, target: str) -> None:
    """Copy runs (all, or those named) from the store into a runs folder, events and outputs.

    The folder is a runs directory like `.runbook/runs`: every command reads it with --runs-dir.
    A run already there with the same events is left as it is; one with different events is an
    error, and nothing of it is overwritten.

    \b
    Example:
      runbook runs export --store postgresql://postgres@db/runbook --to backup/
    """
    from pathlib import Path

    from .journal.store import DirectoryStore, open_store

    source = open_store(runs_dir, store)
    try:
        _copy_runs(source, DirectoryStore(Path(target)), run_ids)
    finally:
        source.close()


@runs.command(name="import", epilog=EXIT_CODES)
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.argument("run_ids", nargs=-1)
@_store_options
def runs_import(folder: str, run_ids: tuple[str, ...], runs_dir: str | None, store: str | None) -> None:
    """Copy runs (all, or those named) from a runs folder into the store, events and outputs.

    Each run lands whole in one transaction or not at all; a run already in the store with the
    same events is skipped, one with different events is an error.

    \b
    Example:
      runbook runs import .runbook/runs --store postgresql://postgres@db/runbook
    """
    from pathlib import Path

    from .journal.store import DirectoryStore, open_store

    target = open_store(runs_dir, store)
    try:
        _copy_runs(DirectoryStore(Path(folder)), target, run_ids)
    finally:
        target.close()


def _copy_runs(source: Any, target: Any, run_ids: tuple[str, ...]) -> None:
    escape = _shown
    err = _console(stderr=True)
    ids = [source.resolve(r) for r in run_ids] or source.run_ids()
    copied = skipped = 0
    for run_id in ids:
        if source.is_live(run_id):
            err.print(f"[yellow]skipped {run_id}: it is still running[/]")
            skipped += 1
            continue
        events, torn = source.events(run_id)
        if torn:
            err.print(f"[yellow]{run_id}: its torn last line is left out[/]")
        if target.put_run(run_id, events, lambda name, run=run_id: source.output(run, name)):
            copied += 1
        else:
            skipped += 1
    err.print(f"{copied} run(s) copied to {escape(target.where)}, {skipped} already there or running")


@main.command(epilog=EXIT_CODES)
@click.argument("run_id")
@click.argument("text")
@click.option("--step", metavar="ID", help="The step the note is about [default: the one running, if any].")
@_store_options
def note(run_id: str, text: str, step: str | None, runs_dir: str | None, store: str | None) -> None:
    """Add a note to a run's timeline, while it runs (from another terminal) or afterwards.

    The note carries your user@host and the time; it appears in the timeline and the post-mortem.

    \b
    Example:
      runbook note 20261128-223536 "error rate back under 1% on the dashboard"
    """
    import os
    from datetime import datetime, timezone

    from .infer.shell import is_secret_name
    from .journal.store import open_store
    from .policy.masking import Masker
    from .report.timeline import open_steps
    from .run.launch import parse_time
    from .run.runner import operator

    if not text.strip():
        raise UsageError("the note is empty", 'runbook note RUN_ID "what happened"')
    where = open_store(runs_dir, store)
    try:
        full = where.resolve(run_id)
        events, _ = where.events(full)
        started = next((e for e in events if e["type"] == "run.started"), None)
        now = datetime.now(timezone.utc)
        begun = parse_time(started["time"]) if started else now
        # The run's declared secrets and secret-looking variables, as this terminal holds them.
        declared = set(started["data"].get("secrets", [])) if started else set()
        masker = Masker(
            [v for k, v in os.environ.items() if (k in declared or is_secret_name(k)) and len(v) >= 3]
        )
        event = {
            "v": 1,
            "seq": (events[-1]["seq"] + 1) if events else 1,
            "run": full,
            "type": "note.added",
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "elapsed": round(max(0.0, (now - begun).total_seconds()), 3),
            "actor": operator(),
            "step": step or next(reversed(open_steps(events)), None),
            "data": {"text": masker.text(text), "from": "runbook note"},
        }
        written = where.append(full, event)
    finally:
        where.close()
    _console(stderr=True).print(f"note {written['seq']} added to run {full}")


@main.command(epilog=EXIT_CODES)
@click.argument("run_id")
@_store_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE [default: stdout].")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@click.option(
    "--deployed-at", metavar="TIME", help="When the bad deployment started (ISO 8601, UTC if no zone)."
)
@click.option("--detected-at", metavar="TIME", help="When the issue was detected (ISO 8601, UTC if no zone).")
def postmortem(
    run_id: str,
    runs_dir: str | None,
    store: str | None,
    output: str | None,
    fmt: str,
    deployed_at: str | None,
    detected_at: str | None,
) -> None:
    """Write the post-mortem of a run: header, timeline, steps, deviations, notes, transcript.

    Impact, root cause, action items and lessons are left for people to fill, with prompts. The
    HTML form draws the run on a time axis and is one self-contained file. Secrets never appear.

    \b
    Examples:
      runbook postmortem 20261128-223536 -o postmortem.md
      runbook postmortem 20261128-223536 --format html -o postmortem.html --detected-at 2026-11-28T22:30
    """
    from pathlib import Path

    from .journal.store import open_store
    from .report.postmortem import build, parse_moment, to_html, to_markdown

    moments = {
        "deployed_at": parse_moment(deployed_at, "--deployed-at"),
        "detected_at": parse_moment(detected_at, "--detected-at"),
    }
    if moments["deployed_at"] and moments["detected_at"] and moments["deployed_at"] > moments["detected_at"]:
        raise UsageError(
            f"--deployed-at {deployed_at} is after --detected-at {detected_at}",
            "the issue is detected after the deployment that caused it; check the two times",
        )
    where = open_store(runs_dir, store)
    try:
        full = where.resolve(run_id)
        events, torn = where.events(full)
        report = build(events, lambda name: where.output(full, name), **moments)
    finally:
        where.close()
    if fmt == "json":
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        text = to_html(report)
    else:
        text = to_markdown(report)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write {output}: {exc.strerror}", "name a file in a folder that exists"
            ) from None
        _console(stderr=True).print(f"post-mortem of {full} written to {output}")
    else:
        from .policy.terminal import visible

        click.echo(visible(text) if fmt == "md" else text, nl=False)  # a terminal obeys no note
    _torn_warning(torn)


@main.command(epilog=EXIT_CODES)
@click.argument("run_id")
@_store_options
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
def follow(run_id: str, runs_dir: str | None, store: str | None, as_json: bool) -> None:
    """Show a run live from another terminal: its timeline so far, then each event as it happens.

    Ends when no process works on the run any more: exit 0 if its last attempt ended ok, 1 if not
    (or if it never recorded an end). A stopped run resumed later is followed through its resume.
    With a PostgreSQL store, events arrive through LISTEN/NOTIFY from any machine.

    \b
    Example:
      runbook follow 20261128-223536 --store postgresql://postgres@db/runbook
    """
    from .journal.store import open_store
    from .report.timeline import timeline_lines

    where = open_store(runs_dir, store)
    status = None
    try:
        full = where.resolve(run_id)
        for event in where.follow(full, 0, stop=lambda: not where.is_live(full)):
            click.echo(json.dumps(event, ensure_ascii=False) if as_json else timeline_lines([event])[0])
            if event["type"] == "run.finished":
                status = event["data"]["status"]
            elif event["type"] == "run.resumed":
                status = None  # what counts is how the last attempt ended
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        where.close()
    if status is None:
        _console(stderr=True).print(f"run {full} is not running and recorded no end (killed?)")
    sys.exit(0 if status == "ok" else 1)


VALIDATE_EXIT_CODES = """\b
Exit codes:
  0  clean, or warnings only
  1  at least one error (with --strict, a warning counts as an error)
  2  usage error (unknown path or git reference)
  3  a file that cannot be read or parsed at all
"""


@main.command(epilog=VALIDATE_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "junit"]),
    default="text",
    show_default=True,
    help="text for people; json; github for workflow annotations; junit XML.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--changed-since", metavar="REF", help="Only runbooks changed since this git reference.")
@click.option("--no-shellcheck", is_flag=True, help="Skip shellcheck even when it is installed.")
def validate(
    paths: tuple[str, ...], fmt: str, strict: bool, changed_since: str | None, no_shellcheck: bool
) -> None:
    """Check runbooks (files, or folders searched for *.md) and report every finding.

    Each finding has a rule id (`runbook rules` lists them), a severity, file, line and column,
    and a hint. Turn a rule off for a file with front matter `disable: [RULE]`, or for the next
    block with `<!-- runbook-ignore RULE -->`; a family such as `safety` turns off all of it.

    \b
    Examples:
      runbook validate runbooks/
      runbook validate --format github --changed-since origin/main runbooks/
    """
    from .validate import validate as run_validation
    from .validate.report import github, junit, summary, text, to_json

    results = run_validation(list(paths), changed_since=changed_since, shellcheck=not no_shellcheck)
    if fmt == "json":
        click.echo(to_json(results, strict))
    elif fmt == "github":
        output = github(results, strict)
        if output:
            click.echo(output)
    elif fmt == "junit":
        click.echo(junit(results, strict))
    else:
        text(results, strict, _console())
    counts = summary(results, strict)
    sys.exit(3 if counts["unreadable"] else 1 if counts["error"] else 0)


@main.command(epilog=EXIT_CODES)
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules(as_json: bool) -> None:
    """List the rules `runbook validate` applies, with their default severity.

    \b
    Example:
      runbook rules
    """
    from .policy.rules import RULES

    if as_json:
        click.echo(
            json.dumps(
                [{"id": r.id, "severity": r.severity, "summary": r.summary} for r in RULES.values()], indent=2
            )
        )
        return
    width = max(len(rule_id) for rule_id in RULES)
    for rule in RULES.values():
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}")


DOCTOR_EXIT_CODES = """\b
Exit codes:
  0  everything the runbooks need is here
  1  something is missing or unreachable
  2  usage error (unknown path)
"""


@main.command(epilog=DOCTOR_EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--db", metavar="URL", help="Database for sql blocks that name none [env RUNBOOK_DATABASE_URL]."
)
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def doctor(paths: tuple[str, ...], db: str | None, as_json: bool) -> None:
    """Check that what the runbooks need is here: the binaries their shell blocks call, the
    database of their sql blocks, the container engine and containers they target, shellcheck.

    PATHS are runbooks or folders searched for *.md [default: runbooks/ if it exists, else .].

    \b
    Examples:
      runbook doctor
      runbook doctor runbooks/rollback-procedures.md --db postgresql://app@db.internal/app
    """
    import os
    from pathlib import Path

    from .run.doctor import diagnose

    escape = _shown

    chosen = list(paths) or (["runbooks"] if Path("runbooks").is_dir() else ["."])
    try:
        checks = diagnose(chosen, dict(os.environ), db)
    except RunbookError as error:
        _fail(error)
    missing = [c for c in checks if not c.ok]
    if as_json:
        click.echo(json.dumps({"ok": not missing, "checks": [c.to_json() for c in checks]}, indent=2))
        sys.exit(1 if missing else 0)
    console = _console()
    current = None
    for check in checks:
        if check.runbook != current:
            current = check.runbook
            console.print(escape(current) if current else "this machine")
        mark = "[green]✓[/]" if check.ok else "[bold red]✗[/]"
        where = f"  line {check.line}" if check.line else ""
        console.print(
            f"  {mark} {check.kind:<10} {escape(check.name)}  [dim]{escape(check.detail)}{where}[/]"
        )
    console.print(f"{len(missing)} missing" if missing else "everything is here")
    sys.exit(1 if missing else 0)


SITE_EXIT_CODES = """\b
Exit codes:
  0  the site is built (findings in runbooks are shown on their pages)
  2  usage error (no such path, output folder not empty and not a site, --store)
  3  a runbook or a run's journal could not be read (the rest is still built)
"""


@main.command(epilog=SITE_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="Folder to write."
)
@click.option(
    "--runs-dir",
    envvar="RUNBOOK_RUNS_DIR",
    type=click.Path(file_okay=False),
    help="Folder of runs to show (.runbook/runs) [env RUNBOOK_RUNS_DIR].",
)
@click.option(
    "--store",
    envvar="RUNBOOK_STORE",
    metavar="URL",
    help="Shared run store to show runs from [env RUNBOOK_STORE].",
)
@click.option("--no-shellcheck", is_flag=True, help="Skip shellcheck in the findings shown.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def site(
    paths: tuple[str, ...],
    out: str,
    runs_dir: str | None,
    store: str | None,
    no_shellcheck: bool,
    as_json: bool,
) -> None:
    """Build a static docs site from runbooks (files, or folders searched for *.md).

    An index, a page per runbook with each procedure's step graph, run command and findings,
    search, and a page per past run. Works offline (every asset is in the folder) and is brought
    up to date incrementally: a rebuild rewrites only what changed.

    \b
    Example:
      runbook site runbooks/ -o public/ --runs-dir .runbook/runs
    """
    from pathlib import Path

    from .site import build_site

    report = build_site(
        list(paths),
        Path(out),
        runs_dir=Path(runs_dir) if runs_dir else None,
        store=store,
        shellcheck=not no_shellcheck,
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        out_console = _console()
        out_console.print(
            f"{report.runbooks} runbook(s), {report.runs} run(s): wrote {len(report.written)} file(s), "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed: {Path(out) / 'index.html'}",
            markup=False,
        )
    for path, message in report.unreadable.items():
        _console(stderr=True).print(f"runbook: {_shown(path)}: {_shown(message)} (left out of the site)")
    sys.exit(3 if report.unreadable else 0)
