"""One run's timeline: `runbook timeline`, `runbook follow` (live), `runbook note`, `runbook postmortem`."""

from __future__ import annotations

import json
import sys

import click

from ..errors import ExitCode, UsageError
from .options import store_options
from .output import EXIT_CODES, console, terminal_width, torn_warning

__all__ = ["follow", "note", "postmortem", "timeline"]


@click.command(epilog=EXIT_CODES)
@click.argument("run_id")
@store_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
def timeline(run_id: str, runs_dir: str | None, store: str | None, fmt: str) -> None:
    """Print the timeline of a run from its journal (a unique prefix of the id is enough).

    \b
    Examples:
      runbook timeline 20261128-223536 --format md
      runbook timeline 20261128-223536 --store postgresql://postgres@db/runbook
    """
    from ..errors import DamagedJournalError
    from ..journal.store import open_store
    from ..report.timeline import timeline_lines

    damage: DamagedJournalError | None = None
    with open_store(runs_dir, store) as where:
        try:
            events, torn = where.events(where.resolve(run_id))
        except DamagedJournalError as error:
            # A damaged journal is shown as far as it is intact, then the damage is reported.
            damage, events, torn = error, error.readable, False
    if fmt == "json":
        for event in events:
            click.echo(json.dumps(event, ensure_ascii=False))
    else:
        for line in timeline_lines(
            events, markdown=fmt == "md", width=None if fmt == "md" else terminal_width()
        ):
            click.echo(line)
    torn_warning(torn)
    if damage is not None:
        raise damage


@click.command(epilog=EXIT_CODES)
@click.argument("run_id")
@click.argument("text")
@click.option("--step", metavar="ID", help="The step the note is about [default: the one running, if any].")
@store_options
def note(run_id: str, text: str, step: str | None, runs_dir: str | None, store: str | None) -> None:
    """Add a note to a run's timeline, while it runs (from another terminal) or afterwards.

    The note carries your user@host and the time; it appears in the timeline and the post-mortem.

    \b
    Example:
      runbook note 20261128-223536 "error rate back under 1% on the dashboard"
    """
    import os
    from datetime import datetime, timezone

    from ..journal.notes import add_note
    from ..journal.store import open_store
    from ..run.runner import operator

    if not text.strip():
        raise UsageError("the note is empty", 'runbook note RUN_ID "what happened"')
    with open_store(runs_dir, store) as where:
        written = add_note(
            where, run_id, text, step=step, actor=operator(), now=datetime.now(timezone.utc), env=os.environ
        )
    console(stderr=True).print(f"note {written['seq']} added to run {written['run']}")


@click.command(epilog=EXIT_CODES)
@click.argument("run_id")
@store_options
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

    from ..journal.store import open_store
    from ..report.postmortem import build, parse_moment, to_html, to_markdown

    moments = {
        "deployed_at": parse_moment(deployed_at, "--deployed-at"),
        "detected_at": parse_moment(detected_at, "--detected-at"),
    }
    if moments["deployed_at"] and moments["detected_at"] and moments["deployed_at"] > moments["detected_at"]:
        raise UsageError(
            f"--deployed-at {deployed_at} is after --detected-at {detected_at}",
            "the issue is detected after the deployment that caused it; check the two times",
        )
    with open_store(runs_dir, store) as where:
        full = where.resolve(run_id)
        events, torn = where.events(full)
        report = build(events, lambda name: where.output(full, name), live=where.is_live(full), **moments)
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
        console(stderr=True).print(f"post-mortem of {full} written to {output}")
    else:
        from ..policy.terminal import visible

        click.echo(visible(text) if fmt == "md" else text, nl=False)  # a terminal obeys no note
    torn_warning(torn)


@click.command(epilog=EXIT_CODES)
@click.argument("run_id")
@store_options
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
    from ..journal.store import open_store
    from ..journal.summary import RunSummary
    from ..report.timeline import timeline_lines

    seen = []
    with open_store(runs_dir, store) as where:
        full = where.resolve(run_id)
        try:
            for event in where.follow(full, 0, stop=lambda: not where.is_live(full)):
                seen.append(event)
                if as_json:
                    click.echo(json.dumps(event, ensure_ascii=False))
                else:
                    for line in timeline_lines([event], width=terminal_width()):
                        click.echo(line)
        except KeyboardInterrupt:
            sys.exit(ExitCode.INTERRUPTED)
    # Follow ends when no process works on the run: it says what `runbook runs` said at that moment.
    summary = RunSummary.of(full, seen, live=False)
    if not summary.ended:
        console(stderr=True).print(
            f"run {full} {summary.status}: it recorded no end and no process works on it; "
            f"`runbook resume {full}` continues it"
        )
    sys.exit(ExitCode.OK if summary.status == "ok" else ExitCode.FAILED)
