"""The store contract: what a place that keeps runs must do (Store), and a run being written (RunJournal).

Every kind of store (a folder, PostgreSQL) keeps the same events (schemas/events.json), numbered
1, 2, 3… per run with no gap, each durable before the action it announces proceeds, and the same
output files, named by their hash. Nothing outside a store reaches into how it keeps them (no
folders, no connections): what a caller needs is a method here. tests/test_store_contract.py runs
one battery against every kind.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from ..errors import RunbookError
from .events import Event
from .outputs import OutputFile, PartialOutput
from .summary import RunSummary

__all__ = ["PARTIAL_TAIL", "OutputReader", "RunJournal", "Store"]

OutputReader = Callable[[str], bytes | None]
"""An output file's bytes by its journal name (`outputs/SHA.log`), or None when it is not kept."""

PARTIAL_TAIL = 65536
"""Bytes of each partial output shown on the in-doubt screen."""


class RunJournal(ABC):
    """One run being written by this process, which holds it alone until `close` (a run's process)."""

    run_id: str

    @abstractmethod
    def events(self) -> list[Event]:
        """The run's events so far (a resume rebuilds its state from them)."""

    @abstractmethod
    def append(self, event: Event, sync: bool = True) -> Event:
        """Number the event after the last one the run holds, check it, chain it to that one
        (chain.py), and write it durably; returns it numbered. Notes from other processes may land
        in between.

        `sync=False` is for an event that announces no action (a step's end): it is written at once
        and made durable by the next synced append, `sync()` or `close()`.

        Raises:
            RunbookError: the event breaks schemas/events.json (a bug, reported plainly).
        """

    def sync(self) -> None:  # noqa: B027 (a store whose every append is durable has nothing to do)
        """Make every event appended so far durable (before the run waits on a person)."""

    @abstractmethod
    def written_since(self, seq: int) -> list[Event]:
        """The run's events with a seq above `seq` (this process's own among them), or nothing
        when no other process wrote since the last call: cheap, the run asks before every step
        for the notes other terminals wrote."""

    @abstractmethod
    def output(self, name: str) -> OutputFile:
        """A file for one command's output, `name` being `SEQ-STEP-ATTEMPT-INDEX`; partial until
        the step's end is recorded and `settle` is called."""

    @abstractmethod
    def settle(self, prefix: str) -> None:
        """Drop the partial names of an attempt (`SEQ-STEP-ATTEMPT-`) once its end is written."""

    @abstractmethod
    def partial_outputs(self, step: str, attempt: int) -> list[PartialOutput]:
        """What the commands of an attempt that never recorded its end had written (the last 64 KiB
        of each), for the operator deciding what happened to a step in doubt."""

    @abstractmethod
    def close(self) -> None:
        """Let go of the run: another process may work on it from now on."""

    def __enter__(self) -> RunJournal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class Store(ABC):
    """Where runs are kept: every command that reads, writes or copies runs goes through this."""

    where: str
    """The store as a person reads it (a folder, or a URL with its password masked)."""

    # -- a run being written -------------------------------------------------------------

    @abstractmethod
    def create(self, run_id: str) -> RunJournal:
        """The journal of a new run, held by this process alone.

        Raises:
            UsageError: another process holds a run with that id.
        """

    @abstractmethod
    def open(self, run_id: str) -> RunJournal:
        """The journal of an existing run, to resume it, held by this process alone.

        Raises:
            UsageError: another process works on the run.
        """

    # -- reading -------------------------------------------------------------------------

    @abstractmethod
    def run_ids(self) -> list[str]:
        """Every run's id, in order."""

    @abstractmethod
    def resolve(self, run_id: str) -> str:
        """The full id of a run given by its id or a unique prefix of it.

        Raises:
            UsageError: no run, or several, match.
        """

    @abstractmethod
    def events(self, run_id: str) -> tuple[list[Event], bool]:
        """A run's events, and whether the last one was torn by a kill (it is left out).

        Raises:
            RunbookError: the journal is damaged before its last line.
        """

    @abstractmethod
    def is_live(self, run_id: str) -> bool:
        """Whether a process works on the run now (holds its journal)."""

    def live_runs(self) -> list[str]:
        """The ids of the runs a process works on now."""
        return [run_id for run_id in self.run_ids() if self.is_live(run_id)]

    @abstractmethod
    def output(self, run_id: str, name: str) -> bytes | None:
        """An output file of a run by its journal name (`outputs/SHA.log`), None when not kept (an
        empty output need not be kept: readers go by the `bytes` its event records)."""

    @abstractmethod
    def output_names(self, run_id: str) -> list[str]:
        """The journal names of the output files the store keeps for a run."""

    def label(self, run_id: str) -> str:
        """Where one run is kept, for a message about it."""
        return f"{self.where} {run_id}"

    # -- writing beside a run's process, and whole runs --------------------------------

    @abstractmethod
    def append(self, run_id: str, event: Event) -> Event:
        """Add an event beside whoever else writes to the run (a note); returns it numbered.

        Raises:
            RunbookError: the event breaks schemas/events.json.
        """

    @abstractmethod
    def put_run(self, run_id: str, events: list[Event], outputs: OutputReader) -> bool:
        """Keep a whole run brought from elsewhere, all of it or nothing; False when it is already
        here with the same events.

        Raises:
            UsageError: a run with that id is here with different events.
        """

    # -- what every store does the same way ---------------------------------------------

    def summary(self, run_id: str) -> RunSummary:
        """One run in a line (see summary.py for the status words).

        Raises:
            RunbookError: its journal cannot be read.
        """
        return RunSummary.of(run_id, self.events(run_id)[0], self.is_live(run_id))

    def runs(self, damaged: dict[str, str] | None = None) -> list[RunSummary]:
        """Every readable run's summary, oldest first; a damaged journal (or a run id that is not
        one) is left out, and named in `damaged` (where → why) when it is given."""
        result = []
        for run_id in self.run_ids():
            try:
                result.append(self.summary(run_id))
            except RunbookError as error:
                if damaged is not None:
                    damaged[self.label(run_id)] = error.message
        return sorted(result, key=lambda r: r.started)

    def follow(
        self, run_id: str, after: int, stop: Callable[[], bool], poll: float = 0.25
    ) -> Iterator[Event]:
        """Events with a seq above `after`, as they are written, until `stop()` says, when nothing
        new came, that no process works on the run any more. A run.finished event does not end
        it: a run that was stopped may be resumed, and its later events belong to it too."""
        seen, stopping = after, False
        with self._waiter() as wait:
            while True:
                fresh = self._events_after(run_id, seen)
                for event in fresh:
                    seen = event["seq"]
                    yield event
                if stopping:
                    return
                if not fresh and stop():
                    stopping = True  # read once more: the last events may have landed just before
                    continue
                wait(poll)

    def _events_after(self, run_id: str, seq: int) -> list[Event]:
        return [e for e in self.events(run_id)[0] if e["seq"] > seq]

    @contextmanager
    def _waiter(self) -> Iterator[Callable[[float], None]]:
        """How `follow` waits for more: a pause here, a notification in PostgreSQL."""
        yield time.sleep

    def close(self) -> None:
        """Let go of connections; the store is not used afterwards."""
        return None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
