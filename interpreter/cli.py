"""The `runbook` command line: the only module that prints to the terminal and chooses exit codes."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import InvalidRunbookError, RunbookError, SelectionError

if TYPE_CHECKING:
    from rich.console import Console

    from .model import Runbook

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


def _fail(error: RunbookError) -> NoReturn:
    """Report an error the user can act on, in one line per problem, and exit with its code."""
    from rich.markup import escape

    err = _console(stderr=True)
    hint = f" [dim]({escape(error.hint)})[/]" if error.hint else ""
    for line in error.message.split("\n"):
        err.print(f"[bold red]runbook:[/] {escape(line)}{hint if line else ''}")
    if isinstance(error, SelectionError) and error.candidates:
        err.print("candidates:")
        for candidate in error.candidates:
            err.print(f"  {escape(candidate)}")
    sys.exit(error.exit_code)


def _load(path: str, show_warnings: bool = False, quiet: bool = False) -> Runbook:
    """Load a runbook, report its warnings on stderr, and stop with exit 3 on any error finding.

    `quiet` (for --json) leaves warnings to the JSON, which carries every finding.
    """
    from rich.markup import escape

    from .loader import load

    runbook = load(path)
    errors = [f for f in runbook.findings if f.severity == "error"]
    if errors:
        raise InvalidRunbookError("\n".join(str(f) for f in errors))
    warnings = [f for f in runbook.findings if f.severity == "warning" and not quiet]
    err = _console(stderr=True)
    if show_warnings:
        for finding in warnings:
            err.print(f"[yellow]{escape(str(finding))}[/]")
    elif warnings:
        err.print(
            f"[yellow]{len(warnings)} warning(s) in {escape(path)}[/] "
            f"[dim](`runbook parse {escape(path)}` lists them)[/]"
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
    from .graph import graph_json

    runbook = _load(file, show_warnings=not as_json, quiet=as_json)
    graph = graph_json(runbook)
    if as_json:
        click.echo(json.dumps(graph, indent=2, ensure_ascii=False))
        return
    out = _console()
    from rich.markup import escape

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
    from .graph import graph_json
    from .listing import listing_json, print_listing

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
    from .graph import graph_json
    from .render import to_dot, to_mermaid
    from .select import select_unit

    runbook = _load(file)
    unit = select_unit(runbook, query)
    data = graph_json(runbook)
    chosen = next(u for u in [*data["procedures"], *data["sections"]] if u["id"] == unit.id)
    if fmt == "json":
        click.echo(json.dumps(chosen, indent=2, ensure_ascii=False))
    else:
        click.echo((to_mermaid if fmt == "mermaid" else to_dot)(chosen), nl=False)
