"""Checking a machine has what runbooks need: `runbook doctor`."""

from __future__ import annotations

import json
import sys

import click

from ..errors import ExitCode
from .output import console, exit_codes

__all__ = ["doctor"]

DOCTOR_EXIT_CODES = exit_codes(
    {
        ExitCode.OK: "everything the runbooks need is here",
        ExitCode.FAILED: "something is missing or unreachable",
        ExitCode.USAGE: "usage error (unknown path)",
    }
)


@click.command(epilog=DOCTOR_EXIT_CODES)
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

    from ..run.doctor import diagnose
    from .output import shown as escape

    chosen = list(paths) or (["runbooks"] if Path("runbooks").is_dir() else ["."])
    checks = diagnose(chosen, dict(os.environ), db)
    missing = [c for c in checks if not c.ok]
    if as_json:
        click.echo(json.dumps({"ok": not missing, "checks": [c.to_json() for c in checks]}, indent=2))
        sys.exit(ExitCode.FAILED if missing else ExitCode.OK)
    out = console()
    current = None
    for check in checks:
        if check.runbook != current:
            current = check.runbook
            out.print(escape(current) if current else "this machine")
        mark = "[green]✓[/]" if check.ok else "[bold red]✗[/]"
        where = f"  line {check.line}" if check.line else ""
        out.print(f"  {mark} {check.kind:<10} {escape(check.name)}  [dim]{escape(check.detail)}{where}[/]")
    out.print(f"{len(missing)} missing" if missing else "everything is here")
    sys.exit(ExitCode.FAILED if missing else ExitCode.OK)
