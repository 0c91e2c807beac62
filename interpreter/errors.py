"""The one error tree of the program; each class carries the exit code `runbook` ends with."""

from __future__ import annotations

__all__ = [
    "InvalidRunbookError",
    "RunbookError",
    "SelectionError",
    "UsageError",
]


class RunbookError(Exception):
    """Base of every error the program reports to its user (never a traceback)."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(RunbookError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class SelectionError(UsageError):
    """A procedure, section or step named on the command line is unknown or ambiguous."""

    def __init__(self, message: str, candidates: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.candidates = candidates


class InvalidRunbookError(RunbookError):
    """The runbook cannot be trusted as read: unreadable, not text, or with error findings."""

    exit_code = 3
