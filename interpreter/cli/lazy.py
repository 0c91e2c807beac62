"""The command group that imports a command's module only when that command is asked for.

This is click's documented lazy-loading pattern: the group maps each command name to
`"module:function"`, so `runbook validate` never imports what `runbook run` needs. The table also
holds each command's summary, so that `runbook --help` lists the commands without importing them
all (tests/test_cli_package.py keeps every summary equal to its command's own help). The group is
also the one place where an error the user can act on becomes a message and an exit code.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ..errors import RunbookError

__all__ = ["LazyGroup"]


class LazyGroup(click.Group):
    """A click group whose commands live in other modules, imported on first use."""

    def __init__(
        self, *args: Any, lazy_subcommands: dict[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}
        """Command name → (`"package.module:function"` of the click command, its summary)."""
        self.loaded: str | None = None
        """The command this process loaded to run (or to show the help of)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def load(self, cmd_name: str) -> click.Command:
        """The command itself, its module imported now.

        Raises:
            TypeError: the table names something that is not a click command (a bug).
        """
        where = self.lazy_subcommands[cmd_name][0]
        self.loaded = cmd_name
        module_name, _, attribute = where.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{where} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click's own, but a command not loaded yet is described by its summary in the table:
        # a stand-in command shortens it the way click shortens the command's own help.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.lazy_subcommands:
                command: click.Command | None = click.Command(name, help=self.lazy_subcommands[name][1])
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RunbookError as error:
            from .output import fail

            fail(error)
