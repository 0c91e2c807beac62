"""Reading a runbook: `runbook parse`, `runbook list` and `runbook graph`."""

from __future__ import annotations

import json

import click

from .options import procedure_option
from .output import EXIT_CODES, console, load_runbook

__all__ = ["graph", "list_", "parse"]


@click.command(epilog=EXIT_CODES)
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the step graph as JSON (schemas/graph.json).")
def parse(file: str, as_json: bool) -> None:
    """Parse FILE into the step graph and report what was found.

    \b
    Example:
      runbook parse runbooks/rollback-procedures.md --json > graph.json
    """
    from ..plan.graph import graph_json

    runbook = load_runbook(file, show_warnings=not as_json, quiet=as_json)
    graph = graph_json(runbook)
    if as_json:
        click.echo(json.dumps(graph, indent=2, ensure_ascii=False))
        return
    out = console()
    from .output import shown as escape

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


@click.command(name="list", epilog=EXIT_CODES)
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print procedures and nodes as JSON.")
def list_(file: str, as_json: bool) -> None:
    """List FILE's procedures, runnable sections and steps, with ids and flags.

    Flags: optional, destructive, never-ending, manual (no commands), template, and the inputs
    each step asks for (secret ones marked).

    \b
    Example:
      runbook list runbooks/rollback-procedures.md
    """
    from ..plan.graph import graph_json
    from ..plan.listing import listing_json, print_listing

    graph = graph_json(load_runbook(file, quiet=as_json))
    if as_json:
        click.echo(json.dumps(listing_json(graph), indent=2, ensure_ascii=False))
    else:
        print_listing(graph, console())


@click.command(epilog=EXIT_CODES)
@click.argument("file", type=click.Path())
@procedure_option
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
    from ..plan.diagram import to_dot, to_mermaid
    from ..plan.graph import find_unit, graph_json
    from ..plan.select import select_unit

    runbook = load_runbook(file)
    unit = select_unit(runbook, query)
    data = graph_json(runbook)
    chosen = find_unit(data, unit.id)
    assert chosen is not None
    if fmt == "json":
        click.echo(json.dumps(chosen, indent=2, ensure_ascii=False))
    else:
        click.echo((to_mermaid if fmt == "mermaid" else to_dot)(chosen), nl=False)
