"""The folder journal: one JSON event per line, fsynced before the action it announces, and output files."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from ..errors import RunbookError, UsageError
from . import outputs as output_files
from .chain import GENESIS, hash_of
from .contract import PARTIAL_TAIL, RunJournal
from .events import Event, encode, numbered, problem
from .outputs import OutputFile, PartialOutput, datasync

__all__ = [
    "JOURNAL",
    "Journal",
    "append_event",
    "default_runs_dir",
    "new_run_id",
    "read_events",
    "run_directory",
]

JOURNAL = "journal.jsonl"


def new_run_id(now: datetime) -> str:
    """Sortable and unique: `20261128-223536-3fa2c1`."""
    return f"{now.astimezone(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def default_runs_dir(option: str | None) -> Path:
    """`--runs-dir`, else `RUNBOOK_RUNS_DIR`, else the nearest `.runbook/runs` upward, else the
    per-user folder (locate.py)."""
    from .locate import locate

    return locate(option).root


def run_directory(runs_dir: Path, run_id: str) -> Path:
    """The folder of a run, by id or by a unique prefix of it.

    Raises:
        UsageError: no run, or several, match.
    """
    if (runs_dir / run_id / JOURNAL).is_file():
        return runs_dir / run_id
    matches = (
        sorted(p for p in runs_dir.glob(f"{run_id}*") if (p / JOURNAL).is_file()) if runs_dir.is_dir() else []
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(
            f"no run {run_id!r} in {runs_dir}", "--runs-dir (or RUNBOOK_RUNS_DIR) picks the folder"
        )
    raise UsageError(
        f"{run_id!r} matches {len(matches)} runs in {runs_dir}: " + ", ".join(p.name for p in matches),
        "give more of the id",
    )


def read_events(path: Path) -> tuple[list[Event], bool]:
    """The events of a journal, and whether its last line was torn (a kill mid-write).

    A torn last line is left out; a damaged line anywhere else is an error.

    Raises:
        RunbookError: the journal cannot be read or a line before the last is not an event.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RunbookError(f"{path}: cannot read the journal: {exc.strerror}") from exc
    complete, _, tail = raw.rpartition(b"\n")
    events: list[Event] = []
    for number, line in enumerate(complete.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise RunbookError(f"{path}:{number}: damaged journal line (not JSON)") from exc
        found = problem(event)
        if found:
            raise RunbookError(f"{path}:{number}: not a journal event ({found})")
        events.append(event)
    torn = False
    if tail.strip():
        # The last line has no newline: a kill during its write. Keep it only if it is whole.
        try:
            events.append(json.loads(tail))
        except ValueError:
            torn = True
    return events, torn


def _last_line(handle: IO[bytes], size: int) -> bytes:
    """The last complete line of a file of `size` bytes ending in a newline, read from the end."""
    block = 65536
    end = size - 1  # the final newline
    position = end
    while position > 0:
        start = max(0, position - block)
        handle.seek(start)
        chunk = handle.read(position - start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            start += cut + 1
            break
        position = start
    else:
        start = 0
    handle.seek(start)
    return handle.read(end - start)


class _Appender:
    """Appends events to one journal file; safe beside other appenders (a run and `runbook note`).

    Each append holds an exclusive lock on the file, numbers the event after the last one on disk
    and chains it to that one (chain.py), writes one line and fsyncs it, so concurrent writers
    never lose, duplicate, reorder or unlink events. An append with `sync=False` is written at
    once (other processes read it, and a killed process cannot lose it) but reaches the disk with
    the next synced append, `sync()` or `close()`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = open(path, "a+b")  # noqa: SIM115
        self._size = -1
        self._last = 0
        self._last_hash = GENESIS
        self._unsynced = False
        self._foreign = False
        """Another process appended since `written_since` last looked (a note)."""

    def _next(self) -> tuple[int, str]:
        """The seq and `prev` of the next event: after the last complete line on disk."""
        size = os.fstat(self._handle.fileno()).st_size
        if size and size != self._size:
            # Someone else wrote since our last append, or we just opened the file.
            self._foreign = self._foreign or self._size >= 0
            self._handle.seek(0)
            last = _last_line(self._handle, size) if size else b""
            if last.strip():
                event = json.loads(last)
                self._last, self._last_hash = int(event["seq"]), hash_of(event)
            else:
                self._last, self._last_hash = 0, GENESIS
            self._handle.seek(0, os.SEEK_END)
        elif not size:
            self._last, self._last_hash = 0, GENESIS
        return self._last + 1, self._last_hash

    def _repair_torn_tail(self) -> None:
        # A writer killed mid-write leaves half a line; cut it so the journal stays JSON lines.
        # That line was never whole on disk, so its append never returned and the action it
        # announced never began: the next event chains to the last complete line, and every
        # event that was durably written still verifies.
        size = os.fstat(self._handle.fileno()).st_size
        if not size:
            return
        self._handle.seek(size - 1)
        if self._handle.read(1) == b"\n":
            return
        raw = self.path.read_bytes()
        keep = raw.rfind(b"\n") + 1
        self._handle.truncate(keep)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._size = -1

    def append(self, event: Event, sync: bool = True) -> Event:
        """Number, validate, chain and write one event, then fsync unless `sync` is False;
        returns it with its `seq`, `prev` and `hash`.

        Raises:
            RunbookError: the event breaks schemas/events.json (a bug, reported plainly).
        """
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)
        try:
            self._repair_torn_tail()
            seq, prev = self._next()
            line = encode(numbered(event, seq, prev))
            self._handle.seek(0, os.SEEK_END)
            self._handle.write(line)
            self._handle.flush()
            self._unsynced = True
            if sync:
                self.sync()
            self._size = os.fstat(self._handle.fileno()).st_size
            self._last, self._last_hash = event["seq"], event["hash"]
        finally:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        return event

    @property
    def unsynced(self) -> bool:
        """True when an append has not been fsynced yet."""
        return self._unsynced

    def sync(self) -> None:
        """fsync what was appended unsynced (one fsync makes every earlier write durable too)."""
        if self._unsynced:
            datasync(self._handle.fileno())
            self._unsynced = False

    def written_since(self, seq: int) -> list[Event]:
        """Events after `seq` when another process appended since this was last asked (a note),
        whether or not this appender wrote after it; nothing, and no read, when none did."""
        size = os.fstat(self._handle.fileno()).st_size
        if size != self._size:
            self._foreign = True
        if not self._foreign:
            return []
        self._foreign = False
        events, _ = read_events(self.path)
        return [e for e in events if e["seq"] > seq]

    def close(self) -> None:
        if not self._handle.closed:
            self.sync()
        self._handle.close()


def append_event(directory: Path, event: Event) -> Event:
    """Add one event to a run's journal from another process (a note), beside a running writer."""
    appender = _Appender(directory / JOURNAL)
    try:
        return appender.append(event)
    finally:
        appender.close()


class Journal(RunJournal):
    """A run in its folder: `journal.jsonl`, each line on disk before `append` returns, and `outputs/`."""

    def __init__(self, directory: Path) -> None:
        self.run_id = directory.name
        self.directory = directory
        self.path = directory / JOURNAL
        self._outputs = directory / "outputs"
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = open(directory / ".lock", "a")  # noqa: SIM115
        try:
            # One process per run: a resume must not run beside the run it resumes.
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise UsageError(
                f"run {directory.name} is in use by another runbook process",
                "wait for it to end, or stop it first",
            ) from exc
        self._appender = _Appender(self.path)
        self._settling: list[str] = []
        """Attempts whose partial outputs go once the step.finished written unsynced is synced."""
        self._sync_directory()

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def events(self) -> list[Event]:
        return read_events(self.path)[0]

    def append(self, event: Event, sync: bool = True) -> Event:
        """Validate, chain and write one event, then fsync; its `seq` is set to follow the last on
        disk, and its `prev` is that event's hash.

        `sync=False` is for an event that announces no action (a step's end): it is written at
        once, and made durable by the next synced append (the next step's start), by `sync()` or
        by `close()`, so a step boundary costs one fsync, not two.

        Raises:
            RunbookError: the event breaks schemas/events.json (a bug, reported plainly).
        """
        written = self._appender.append(event, sync)
        if sync:
            self._settle_pending()
        return written

    def sync(self) -> None:
        """Make every event appended so far durable (before the run waits on a person)."""
        self._appender.sync()
        self._settle_pending()

    def written_since(self, seq: int) -> list[Event]:
        return self._appender.written_since(seq)

    def output(self, name: str) -> OutputFile:
        return OutputFile(self._outputs, name)

    def settle(self, prefix: str) -> None:
        """Drop the partial names of an attempt once its step.finished event is on disk (at the
        next sync when it was written unsynced: until then a crash must still find them)."""
        self._settling.append(prefix)
        if not self._appender.unsynced:
            self._settle_pending()

    def _settle_pending(self) -> None:
        if not self._settling:
            return
        prefixes, self._settling = tuple(self._settling), []
        output_files.settle(self._outputs, *prefixes)

    def partial_outputs(self, step: str, attempt: int) -> list[PartialOutput]:
        return output_files.partial_outputs(self._outputs, step, attempt, PARTIAL_TAIL)

    def close(self) -> None:
        self._appender.close()
        self._settle_pending()
        self._lock.close()
