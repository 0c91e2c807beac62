"""Checking runbooks in CI: `runbook validate`, and `runbook rules` that lists what it checks."""

from __future__ import annotations

import json
import sys

import click

from ..errors import ExitCode
from .output import EXIT_CODES, console, exit_codes

__all__ = ["rules", "validate"]

VALIDATE_EXIT_CODES = exit_codes(
    {
        ExitCode.OK: "clean, or warnings only",
        ExitCode.FAILED: "at least one error (with --strict, a warning counts as an error)",
        ExitCode.USAGE: "usage error (unknown path or git reference)",
        ExitCode.INVALID: "a file that cannot be read or parsed at all",
    }
)


@click.command(epilog=VALIDATE_EXIT_CODES)
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
    from ..validate import validate as run_validation
    from ..validate.report import github, junit, summary, text, to_json

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
        text(results, strict, console())
    counts = summary(results, strict)
    sys.exit(
        ExitCode.INVALID if counts["unreadable"] else ExitCode.FAILED if counts["error"] else ExitCode.OK
    )


@click.command(epilog=EXIT_CODES)
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules(as_json: bool) -> None:
    """List the rules `runbook validate` applies, with their default severity.

    \b
    Example:
      runbook rules
    """
    from ..policy.rules import RULES

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
