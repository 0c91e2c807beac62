"""The `runbook` command line: the only package that prints to the terminal and chooses exit codes.

Each group of commands is a module of its own, imported only when one of its commands runs (see
lazy.py), so `runbook --help` and `runbook validate` start without loading what `runbook run` needs.
`interpreter.cli:entry` is the console script: `main`, with a quick exit after the commands that
keep nothing open.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click

from .. import __version__
from .lazy import LazyGroup
from .output import EXIT_CODES

__all__ = ["COMMANDS", "QUICK_EXIT", "entry", "main"]

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


QUICK_EXIT = frozenset({"validate", "rules", "parse", "list", "graph", "site"})
"""Commands that keep nothing open when they return: their files are written and closed, their
worker processes waited for, and no thread is left. The process leaves at once after them (see
`entry`)."""


def entry() -> None:
    """The console script `runbook` and `python -m interpreter`: `main`, then, after a command of
    QUICK_EXIT, a quick exit. Tearing the interpreter down (freeing every module and object one by
    one) costs 20 ms after `runbook validate` of one file, a tenth of its time, for nothing the
    process will use. Tests call `main` itself and are not affected."""
    try:
        main(prog_name="runbook")
    except SystemExit as done:
        if isinstance(main, LazyGroup) and main.loaded in QUICK_EXIT:
            quick_exit(done.code)
        raise


def quick_exit(code: object) -> NoReturn:
    """Flush standard output and error, then end the process with `code` (as `sys.exit` reads it)
    without the interpreter's teardown. A reader that went away (`| head`) is not an error: it has
    what it read."""
    if code is None or isinstance(code, int):
        status = code or 0
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
