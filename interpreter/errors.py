"""The one error tree of the program, and the exit codes `runbook` ends with (each error carries one)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

__all__ = [
    "DamagedJournalError",
    "ExitCode",
    "InvalidRunbookError",
    "RunbookError",
    "SelectionError",
    "StorageError",
    "UnsafeDataError",
    "UsageError",
]


class ExitCode(IntEnum):
    """How `runbook` ends. Each command's help lists the codes it ends with, written from these."""

    OK = 0
    """Done as asked."""
    FAILED = 1
    """A step failed, or what was checked is not as it should be (findings, a missing binary)."""
    USAGE = 2
    """The command line asks for something that cannot be done as asked."""
    INVALID = 3
    """The runbook (or a journal) cannot be trusted as read."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT); SIGTERM and SIGHUP end a run with 143 and 129 the same way."""

    @property
    def meaning(self) -> str:
        """What the code means when a command says nothing more particular."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "ok",
    ExitCode.FAILED: "a step failed",
    ExitCode.USAGE: "usage error (unknown option, procedure or step, a path that does not exist)",
    ExitCode.INVALID: (
        "invalid runbook: a file that cannot be read (not UTF-8, binary, a folder) or has error findings"
    ),
    ExitCode.INTERRUPTED: "interrupted",
}


class RunbookError(Exception):
    """Base of every error the program reports to its user (never a traceback)."""

    exit_code: int = ExitCode.FAILED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(RunbookError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = ExitCode.USAGE


class SelectionError(UsageError):
    """A procedure, section or step named on the command line is unknown or ambiguous."""

    def __init__(self, message: str, candidates: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.candidates = candidates


class InvalidRunbookError(RunbookError):
    """The runbook cannot be trusted as read: unreadable, not text, or with error findings."""

    exit_code = ExitCode.INVALID


class UnsafeDataError(InvalidRunbookError):
    """Data that names a path or holds an event breaks its form: a run id that is a path, an output
    file outside its run, a journal line that is not an event (policy/paths.py, journal/checked.py).
    It is refused whole, never half-trusted."""


class DamagedJournalError(UnsafeDataError):
    """A run's journal (a file, or a store's rows) holds something that is not the next event of
    that run. What came before the damage is kept, for a reader that can show it as far as it goes."""

    def __init__(self, message: str, readable: list[dict[str, Any]], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.readable = readable
        """The events before the damage, each checked."""


class StorageError(RunbookError):
    """The journal or the run store cannot be written or reached any more (a full disk, a
    read-only folder, a lost connection): the run stops, and what was written stays valid."""
