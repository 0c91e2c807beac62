"""Checking runbooks in CI: `runbook validate`, and `runbook rules` that lists what it checks."""

from __future__ import annotations

import json
import sys

import click

from ..errors import ExitCode
from .output import EXIT_CODES, console, exit_codes, report_console

__all__ = ["rules", "validate"]

VALIDATE_EXIT_CODES = exit_codes(
    {
        ExitCode.OK: "clean, or warnings and notes only",
        ExitCode.FAILED: "at least one error (with --strict, a warning counts as an error)",
        ExitCode.USAGE: "usage error (a missing path, an unknown git reference or baseline)",
        ExitCode.INVALID: "a file that cannot be read at all (not UTF-8, binary, a folder named *.md)",
    }
)


@click.command(epilog=VALIDATE_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "junit", "sarif", "codequality"]),
    default="text",
    show_default=True,
    help="text for people; json; github for workflow annotations; junit XML; sarif 2.1.0 for code "
    "scanning; codequality for GitLab.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--changed-since", metavar="REF", help="Only runbooks changed since this git reference.")
@click.option("--no-shellcheck", is_flag=True, help="Skip shellcheck even when it is installed.")
@click.option(
    "--slugs",
    type=click.Choice(["github", "gitlab", "redcarpet"]),
    default=None,
    help="Heading anchors as this site computes them (a file's front matter `slugs:` wins). "
    "Unsaid, GitHub's are assumed, and a link that matches a heading only by another site's "
    "rules is a warning (links/anchor-style), not an error.",
)
@click.option("--baseline", metavar="FILE", help="Report only findings this baseline does not hold.")
@click.option(
    "--write-baseline",
    metavar="FILE",
    help="Record every current finding in FILE (exit 0) and report nothing.",
)
def validate(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    changed_since: str | None,
    no_shellcheck: bool,
    slugs: str | None,
    baseline: str | None,
    write_baseline: str | None,
) -> None:
    """Check runbooks (files, or folders searched for *.md) and report every finding.

    Each finding has a rule id (`runbook rules` lists them), a severity, file, line and column,
    and a hint. Turn a rule off for a file with front matter `disable: [RULE]`, or for the next
    block with `<!-- runbook-ignore RULE -->`; a family such as `safety` turns off all of it.
    To adopt the gate on a repository with findings, record them once with --write-baseline
    and pass --baseline from then on: only new findings are reported.

    \b
    Examples:
      runbook validate runbooks/
      runbook validate --format github --changed-since origin/main runbooks/
      runbook validate --format sarif runbooks/ > runbooks.sarif
      runbook validate --write-baseline .runbook-baseline.json runbooks/
      runbook validate --baseline .runbook-baseline.json runbooks/
    """
    from ..errors import UsageError
    from ..parse.anchors import SLUG_STYLES
    from ..validate import validate as run_validation
    from ..validate.baseline import apply_baseline, read_baseline
    from ..validate.baseline import write_baseline as record
    from ..validate.formats import render
    from ..validate.report import exit_code, text

    if baseline and write_baseline:
        raise UsageError("--baseline and --write-baseline do not go together", "write it first, then use it")
    known = read_baseline(baseline) if baseline else None
    results = run_validation(
        list(paths),
        changed_since=changed_since,
        shellcheck=not no_shellcheck,
        slugs=next((s for s in SLUG_STYLES if s == slugs), None),
    )
    if write_baseline:
        count = record(results, write_baseline)
        console(stderr=True).print(f"wrote {count} finding(s) to the baseline {write_baseline}")
        sys.exit(ExitCode.INVALID if exit_code(results, strict) == ExitCode.INVALID else ExitCode.OK)
    held = apply_baseline(results, known) if known is not None else 0
    if fmt == "text":
        text(results, strict, report_console(), held)
    else:
        output = render(fmt, results, strict)
        if output:
            click.echo(output)
        if held:
            console(stderr=True).print(f"{held} finding(s) held back by the baseline {baseline}")
    sys.exit(exit_code(results, strict))


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
                [
                    {"id": r.id, "severity": r.severity, "summary": r.summary, "why": r.why}
                    for r in RULES.values()
                ],
                indent=2,
            )
        )
        return
    width = max(len(rule_id) for rule_id in RULES)
    for rule in RULES.values():
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}")
