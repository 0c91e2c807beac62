"""The `runbook` command line: the only package that prints to the terminal and chooses exit codes.

Each group of commands is a module of its own, imported only when one of its commands runs (see
lazy.py), so `runbook --help` and `runbook validate` start without loading what `runbook run` needs.
`interpreter.cli:main` is the console script.
"""

from __future__ import annotations

import click

from .. import __version__
from .lazy import LazyGroup
from .output import EXIT_CODES

__all__ = ["COMMANDS", "main"]

COMMANDS = {
    "parse": ("interpreter.cli.read:parse", "Parse FILE into the step graph and report what was found."),
    "list": (
        "interpreter.cli.read:list_",
        "List FILE's procedures, runnable sections and steps, with ids and flags.",
    ),
    "graph": (
        "interpreter.cli.read:graph",
        "Print one procedure's step graph as Mermaid, Graphviz DOT or JSON.",
    ),
    "run": (
        "interpreter.cli.run:run",
        "Run one procedure of FILE step by step, with the operator in the loop.",
    ),
    "resume": (
        "interpreter.cli.run:resume",
        "Continue a killed, interrupted or stopped run with the same inputs and decisions.",
    ),
    "runs": (
        "interpreter.cli.runs:runs",
        "List runs, oldest first: id, runbook, procedure, operator, start, duration, status.",
    ),
    "timeline": (
        "interpreter.cli.timeline:timeline",
        "Print the timeline of a run from its journal (a unique prefix of the id is enough).",
    ),
    "follow": (
        "interpreter.cli.timeline:follow",
        "Show a run live from another terminal: its timeline so far, then each event as it happens.",
    ),
    "note": (
        "interpreter.cli.timeline:note",
        "Add a note to a run's timeline, while it runs (from another terminal) or afterwards.",
    ),
    "verify": (
        "interpreter.cli.verify:verify",
        "Check that a run's journal is as it was written (each event carries the hash of the one before it).",
    ),
    "postmortem": (
        "interpreter.cli.timeline:postmortem",
        "Write the post-mortem of a run: header, timeline, steps, deviations, notes, transcript.",
    ),
    "validate": (
        "interpreter.cli.validate:validate",
        "Check runbooks (files, or folders searched for *.md) and report every finding.",
    ),
    "rules": (
        "interpreter.cli.validate:rules",
        "List the rules `runbook validate` applies, with their default severity.",
    ),
    "doctor": (
        "interpreter.cli.doctor:doctor",
        "Check that what the runbooks need is here: the binaries their shell blocks call, the "
        "database of their sql blocks, the container engine and containers they target, shellcheck.",
    ),
    "site": (
        "interpreter.cli.site:site",
        "Build a static docs site from runbooks (files, or folders searched for *.md).",
    ),
}
"""Every command: its name → (`module:function` of the click command, the first paragraph of its
help, which `runbook --help` shows without importing the module)."""


@click.group(
    cls=LazyGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES,
)
@click.version_option(__version__, prog_name="runbook")
def main() -> None:
    """Run operational Markdown runbooks as they are written.

    \b
    Example:
      runbook list runbooks/rollback-procedures.md
      runbook run runbooks/rollback-procedures.md --procedure 2
    """
