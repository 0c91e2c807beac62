"""Options several commands share: where runs are kept, which procedure, and what `run` and `resume` take."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import click

__all__ = ["LaunchOptions", "launch_options", "procedure_option", "store_options", "unit_option"]

F = TypeVar("F", bound=Callable[..., Any])


def _apply(function: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        function = option(function)
    return function


def store_options(function: F) -> F:
    """`--runs-dir` and `--store`: the runs folder, or a shared PostgreSQL store."""
    return _apply(
        function,
        [
            click.option(
                "--runs-dir",
                envvar="RUNBOOK_RUNS_DIR",
                type=click.Path(file_okay=False),
                help="Where runs are journaled [default: .runbook/runs; env RUNBOOK_RUNS_DIR].",
            ),
            click.option(
                "--store",
                envvar="RUNBOOK_STORE",
                metavar="URL",
                help="A shared PostgreSQL run store (postgresql://…) instead of the folder "
                "[env RUNBOOK_STORE].",
            ),
        ],
    )


procedure_option = click.option(
    "--procedure",
    "-p",
    "query",
    required=True,
    metavar="N|SLUG|TITLE",
    help="Procedure number, slug or title (a unique prefix is enough); or a section's slug.",
)

unit_option = click.option(
    "--procedure",
    "-p",
    "query",
    default=None,
    metavar="N|SLUG|TITLE",
    help="Procedure number, slug or title (a unique prefix is enough); or a section's slug. "
    "Without it: the only one, or a menu in a terminal.",
)
"""`--procedure` where it may be left out (`runbook run`): the command then picks or asks."""


@dataclass(frozen=True, slots=True)
class LaunchOptions:
    """What `runbook run` and `runbook resume` are both told on the command line."""

    yes: bool
    """--yes: confirm non-destructive steps automatically."""
    allow_destructive: bool
    """--allow-destructive (only with --yes)."""
    answer: tuple[str, ...]
    """--answer ID=VALUE, each."""
    answers_file: str | None
    """--answers FILE."""
    var: tuple[str, ...]
    """--var NAME=VALUE, each."""
    db: str | None
    """--db URL."""
    non_interactive: bool
    """--non-interactive."""
    follow_timeout: float | None
    """--follow-timeout SECONDS."""
    runs_dir: str | None
    """--runs-dir (or RUNBOOK_RUNS_DIR)."""
    store: str | None
    """--store (or RUNBOOK_STORE)."""


def launch_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options of LaunchOptions, handed to the command as one `launch` argument."""
    names = [f.name for f in fields(LaunchOptions)]

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> None:
        function(*args, launch=LaunchOptions(**{name: kwargs.pop(name) for name in names}), **kwargs)

    with_run_options = _apply(
        command,
        [
            click.option("--yes", "-y", is_flag=True, help="Confirm non-destructive steps automatically."),
            click.option(
                "--allow-destructive",
                is_flag=True,
                help="With --yes: confirm destructive steps too (recorded in the journal).",
            ),
            click.option(
                "--answer",
                "-a",
                multiple=True,
                metavar="ID=VALUE",
                help="Answer a question in advance (repeatable); --dry-run lists the ids.",
            ),
            click.option(
                "--answers",
                "answers_file",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="YAML file of answers, vars and notes (schemas/answers.json).",
            ),
            click.option("--var", multiple=True, metavar="NAME=VALUE", help="Set a variable (repeatable)."),
            click.option(
                "--db",
                metavar="URL",
                help="Database of sql blocks that name none (db= or front matter `database:`); the run "
                "sees it as $RUNBOOK_DATABASE_URL [env RUNBOOK_DATABASE_URL]. Its password is masked.",
            ),
            click.option(
                "--non-interactive",
                is_flag=True,
                help="Never prompt (implied when stdin is not a terminal): an unanswered question "
                "stops the run with exit 2.",
            ),
            click.option(
                "--follow-timeout",
                type=float,
                metavar="SECONDS",
                help="How long a never-ending command (logs -f, watch) runs when nobody can press "
                "Ctrl-C [default: until Ctrl-C; 30 without a terminal].",
            ),
        ],
    )
    return store_options(with_run_options)
