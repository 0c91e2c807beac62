"""`runbook verify`: whether a run's journal is as it was written (its hash chain, journal/chain.py)."""

from __future__ import annotations

import sys

import click

from ..errors import ExitCode
from .options import store_options
from .output import console, exit_codes

__all__ = ["verify"]

VERIFY_EXIT_CODES = exit_codes(
    {
        ExitCode.OK: "the chain holds: every event is as it was written",
        ExitCode.FAILED: "the chain is broken (the first broken event is named), or not chained",
        ExitCode.USAGE: "no such run, or the store cannot be reached",
    }
)


@click.command(epilog=VERIFY_EXIT_CODES)
@click.argument("run_id")
@store_options
def verify(run_id: str, runs_dir: str | None, store: str | None) -> None:
    """Check that a run's journal is as it was written (each event carries the hash of the one before it).

    A changed, removed or reordered event breaks the chain there, and the first broken event is
    named; in the runs folder and in a PostgreSQL store alike.

    Prints the head hash (the last event's): kept elsewhere (the incident ticket), it shows later
    that nothing was changed or cut after that moment.

    \b
    Examples:
      runbook verify 20261128-223536
      runbook verify 20261128-223536 --store postgresql://postgres@db/runbook
    """
    from rich.markup import escape

    from ..errors import RunbookError
    from ..journal.chain import verify as check
    from ..journal.store import open_store

    out = console()
    with open_store(runs_dir, store) as where:
        full = where.resolve(run_id)
        try:
            events, torn = where.events(full)
        except RunbookError as error:
            # A line that is not an event at all (the message names the file and the line).
            out.print(f"[bold red]broken[/]: run {full}: {escape(error.message)}")
            sys.exit(ExitCode.FAILED)
    verdict = check(events)
    style = "green" if verdict.holds else "bold red"
    word = "ok" if verdict.holds else "broken" if verdict.broken is not None else "not verified"
    out.print(f"[{style}]{word}[/]: run {full}: {escape(verdict.describe())}")
    if torn:
        out.print(
            "  its last line was torn by a kill and is left out: it was never durably written, so "
            "no action it announced went ahead"
        )
    sys.exit(ExitCode.OK if verdict.holds else ExitCode.FAILED)
