"""The docs site: `runbook site`."""

from __future__ import annotations

import json
import sys

import click

from ..errors import ExitCode
from .output import console, exit_codes, report_console, shown

__all__ = ["site"]

SITE_EXIT_CODES = exit_codes(
    {
        ExitCode.OK: "the site is built (findings in runbooks are shown on their pages)",
        ExitCode.USAGE: "usage error (no such path, output folder not empty and not a site, --store)",
        ExitCode.INVALID: "a runbook or a run's journal could not be read, or an image or runbook "
        "was refused (outside the folder, not an image, too large): the rest is still built",
    }
)


@click.command(epilog=SITE_EXIT_CODES)
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

    from ..site import build_site

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
        report_console().print(
            f"{report.runbooks} runbook(s), {report.runs} run(s): wrote {len(report.written)} file(s), "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed: {Path(out) / 'index.html'}",
            markup=False,
        )
    for path, message in report.unreadable.items():
        console(stderr=True).print(f"runbook: {shown(path)}: {shown(message)} (left out of the site)")
    for message in report.refused:
        console(stderr=True).print(f"runbook: {shown(message)} (not published)")
    sys.exit(ExitCode.INVALID if report.unreadable or report.refused else ExitCode.OK)
