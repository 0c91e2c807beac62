"""The runs a store keeps: `runbook runs` (the table), `runs export` and `runs import`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from ..errors import ExitCode
from .options import store_options
from .output import EXIT_CODES, console

if TYPE_CHECKING:
    from ..journal.contract import Store
    from ..journal.summary import RunSummary

__all__ = ["runs", "runs_export", "runs_import"]

COLOURS = {"ok": "green", "running": "cyan", "killed": "yellow"}
"""The colour of each status word in the table; any other (a failure) is red."""


@click.group(invoke_without_command=True, epilog=EXIT_CODES)
@store_options
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
    from ..journal.store import open_store
    from .output import shown as escape

    damaged: dict[str, str] = {}
    with open_store(runs_dir, store) as where:
        summaries = where.runs(damaged)
    if as_json:
        click.echo(json.dumps([s.as_json() for s in summaries], indent=2, ensure_ascii=False))
    elif not summaries:
        console(stderr=True).print(f"no runs in {escape(where.where)}")
    else:
        _table(summaries)
    for message in damaged.values():
        console(stderr=True).print(f"[bold red]runbook:[/] {escape(message)} (left out)")
    if damaged:
        sys.exit(ExitCode.INVALID)


def _table(summaries: list[RunSummary]) -> None:
    from ..policy.durations import clock
    from .output import shown as escape
    from .output import terminal_width

    rows = [
        (
            s.id,
            s.runbook,
            s.procedure,
            s.operator,
            s.started[:19].replace("T", " "),
            clock(s.duration),
            s.status,
        )
        for s in summaries
    ]
    header = ("ID", "RUNBOOK", "PROCEDURE", "OPERATOR", "STARTED (UTC)", "DURATION", "STATUS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    out = console()
    width = terminal_width()
    if width is not None and sum(widths) + 2 * (len(widths) - 1) > width:
        _narrow(rows, summaries, width)
        return
    out.print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(), style="bold")
    for row, summary in zip(rows, summaries, strict=True):
        text = "  ".join(escape(cell.ljust(w)) for cell, w in zip(row[:-1], widths, strict=False))
        out.print(f"{text}  [{COLOURS.get(summary.status, 'red')}]{escape(row[-1])}[/]")


def _narrow(rows: Sequence[tuple[str, ...]], summaries: list[RunSummary], width: int) -> None:
    """The table for a terminal too narrow for it: two lines a run, broken between words; a path
    too long for the line keeps its end (the file name)."""
    from rich.text import Text

    from ..policy.terminal import visible

    out = console()
    for row, summary in zip(rows, summaries, strict=True):
        # What a journal says is shown, never obeyed (control characters escaped).
        run_id, runbook, procedure, operator, started, duration, status = (visible(cell) for cell in row)
        first = Text.assemble(
            (run_id, "bold"), "  ", (status, COLOURS.get(summary.status, "red")), f"  {started}  {duration}"
        )
        out.print(first, no_wrap=True, overflow="ellipsis")
        room = width - 4 - len(procedure) - len(operator) - 6
        if len(runbook) > max(room, 12):
            runbook = "…" + runbook[-max(room, 12) + 1 :]
        out.print(Text(f"  {procedure} · {operator} · {runbook}"))


@runs.command(name="export", epilog=EXIT_CODES)
@click.argument("run_ids", nargs=-1)
@store_options
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

    from ..journal.folder import DirectoryStore
    from ..journal.store import open_store

    with open_store(runs_dir, store) as source:
        _copy(source, DirectoryStore(Path(target)), run_ids)


@runs.command(name="import", epilog=EXIT_CODES)
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.argument("run_ids", nargs=-1)
@store_options
def runs_import(folder: str, run_ids: tuple[str, ...], runs_dir: str | None, store: str | None) -> None:
    """Copy runs (all, or those named) from a runs folder into the store, events and outputs.

    Each run lands whole in one transaction or not at all; a run already in the store with the
    same events is skipped, one with different events is an error.

    \b
    Example:
      runbook runs import .runbook/runs --store postgresql://postgres@db/runbook
    """
    from pathlib import Path

    from ..journal.folder import DirectoryStore
    from ..journal.store import open_store

    with open_store(runs_dir, store) as target:
        _copy(DirectoryStore(Path(folder)), target, run_ids)


def _copy(source: Store, target: Store, run_ids: tuple[str, ...]) -> None:
    """Copy runs, saying what became of each that was not simply copied, then the count."""
    from ..journal.store import copy_runs
    from .output import shown as escape

    err = console(stderr=True)
    copied = skipped = refused = 0
    for result in copy_runs(source, target, run_ids):
        if result.outcome == "running":
            err.print(f"[yellow]skipped {escape(result.run_id)}: it is still running[/]")
        elif result.outcome == "refused":
            err.print(f"[bold red]runbook:[/] {escape(result.reason)} (not copied)")
        elif result.torn:
            err.print(f"[yellow]{result.run_id}: its torn last line is left out[/]")
        copied += result.outcome == "copied"
        refused += result.outcome == "refused"
        skipped += result.outcome in ("present", "running")
    err.print(
        f"{copied} run(s) copied to {escape(target.where)}, {skipped} already there or running"
        + (f", {refused} refused" if refused else "")
    )
    if refused:
        sys.exit(ExitCode.INVALID)
