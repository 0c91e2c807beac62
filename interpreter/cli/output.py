"""What every command shares on the terminal: the consoles, error lines, exit-code epilogues, warnings."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from ..errors import ExitCode, InvalidRunbookError, RunbookError, SelectionError

if TYPE_CHECKING:
    from rich.console import Console

    from ..model.runbook import Runbook

__all__ = [
    "EXIT_CODES",
    "console",
    "exit_codes",
    "fail",
    "load_runbook",
    "report_console",
    "shown",
    "terminal_width",
    "torn_warning",
]


def exit_codes(meanings: Mapping[ExitCode, str] | None = None) -> str:
    """A command's help epilogue listing the codes it ends with: `meanings` says what each means
    for this command (in order); without them, ok / a step failed / usage / invalid runbook."""
    chosen = dict(meanings or {code: code.meaning for code in ExitCode if code <= ExitCode.INVALID})
    width = max(len(str(int(code))) for code in chosen)
    lines = [f"  {int(code):<{width}}  {text}" for code, text in chosen.items()]
    return "\b\nExit codes:\n" + "\n".join(lines) + "\n"


EXIT_CODES = exit_codes()
"""The epilogue of commands that end with the usual codes."""


def report_console() -> Any:
    """A console for a report on stdout: rich's on a terminal (or with FORCE_COLOR), else plain text
    without importing rich (a sixth of `validate`'s start-up), as piped output and CI logs want."""
    from .plain import PlainConsole, wants_colour

    return console() if wants_colour(sys.stdout) else PlainConsole()


def console(stderr: bool = False) -> Console:
    """A console for output (or for messages, on stderr)."""
    from rich.console import Console

    # Piped, lines are never re-wrapped, so output stays greppable; on a terminal they are wrapped
    # between words, so a narrow one does not fold them mid-word. rich honours NO_COLOR.
    screen = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if screen.is_terminal:
        screen.soft_wrap = False
        with contextlib.suppress(AttributeError, OSError, ValueError):
            # The terminal's own width: rich guesses 80 for TERM=dumb.
            size = os.get_terminal_size(screen.file.fileno())
            screen.size = (size.columns, size.lines)
    return screen


def shown(text: str) -> str:
    """Text from a runbook, a journal or the command line as rich markup: control characters shown,
    never obeyed (policy.terminal), and no markup of its own."""
    from rich.markup import escape

    from ..policy.terminal import visible

    return escape(visible(text))


def fail(error: RunbookError) -> NoReturn:
    """Report an error the user can act on, in one line per problem, and exit with its code."""
    escape = shown

    err = console(stderr=True)
    hint = f" [dim]({escape(error.hint)})[/]" if error.hint else ""
    for line in error.message.split("\n"):
        err.print(f"[bold red]runbook:[/] {escape(line)}{hint if line else ''}")
    if isinstance(error, SelectionError) and error.candidates:
        err.print("candidates:")
        for candidate in error.candidates:
            err.print(f"  {escape(candidate)}")
    sys.exit(error.exit_code)


def load_runbook(path: str, show_warnings: bool = False, quiet: bool = False) -> Runbook:
    """Load a runbook, report its warnings on stderr, and stop with exit 3 on any error finding.

    `quiet` (for --json) leaves warnings to the JSON, which carries every finding.

    Raises:
        InvalidRunbookError: the runbook has error findings.
    """
    from ..infer.load import load

    escape = shown

    runbook = load(path)
    errors = [f for f in runbook.findings if f.severity == "error"]
    if errors:
        raise InvalidRunbookError("\n".join(str(f) for f in errors))
    warnings = [f for f in runbook.findings if f.severity == "warning" and not quiet]
    err = console(stderr=True)
    if show_warnings:
        for finding in warnings:
            err.print(f"[yellow]{escape(str(finding))}[/]")
    elif warnings:
        err.print(
            f"[yellow]{len(warnings)} warning(s) in {escape(path)}[/] "
            f"[dim](`runbook parse {escape(path)}` lists them)[/]"
        )
    return runbook


def torn_warning(torn: bool) -> None:
    """Say that a journal's torn last line was left out, when it was."""
    if torn:
        console(stderr=True).print(
            "[yellow]the journal's last line was torn (the run was killed while writing it); "
            "it is left out[/]"
        )


def terminal_width() -> int | None:
    """The width of the terminal standard output is, or None when it is piped (nothing is fitted
    then: a script reads whole lines)."""
    import os
    import sys

    if not sys.stdout.isatty():
        return None
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return None
