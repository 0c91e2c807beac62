"""The folder journal: one JSON event per line, fsynced before the action it announces, and output files."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from ..errors import DamagedJournalError, RunbookError, StorageError, UsageError
from ..policy.paths import JOURNAL_LIMIT, RUN_ID, check_run_prefix, open_append, read_regular, real_folder
from . import outputs as output_files
from .chain import GENESIS, hash_of
from .checked import check_events
from .contract import PARTIAL_TAIL, RunJournal
from .events import Event, encode, numbered
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
        UsageError: `run_id` is not (the start of) a run id, or no run, or several, match.
    """
    check_run_prefix(run_id)  # digits, a-f and dashes: no `..`, no `/`, no glob
    if (runs_dir / run_id / JOURNAL).is_file():
        return runs_dir / run_id
    matches = (
        sorted(p for p in runs_dir.glob(f"{run_id}*") if RUN_ID.fullmatch(p.name) and (p / JOURNAL).is_file())
        if runs_dir.is_dir()
        else []
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


def read_events(path: Path, run_id: str | None = None) -> tuple[list[Event], bool]:
    """The events of a journal (of run `run_id`, by default its folder's name), and whether its
    last line was torn (a kill mid-write).

    A torn last line is left out; a damaged line anywhere else is an error. The journal must be
    a regular file, not a symlink, of at most 256 MiB (policy/paths.py), and every event the next
    one of its run (checked.py).

    Raises:
        RunbookError: the journal cannot be read.
        DamagedJournalError: a line before the last is not the run's next event.
    """
    run_id = run_id or path.parent.name
    try:
        raw = read_regular(path, JOURNAL_LIMIT, "a journal", follow=False)
    except OSError as exc:
        raise RunbookError(f"{path}: cannot read the journal: {exc.strerror}") from exc
    complete, _, tail = raw.rpartition(b"\n")
    events: list[object] = []
    for number, line in enumerate(complete.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except ValueError:
            readable = check_events(run_id, events, str(path))
            raise DamagedJournalError(
                f"{path}:{number}: damaged journal line (not JSON); the journal is damaged or was edited",
                readable,
                "the events before it are intact: `runbook timeline` shows them",
            ) from None
    checked = check_events(run_id, events, str(path))
    torn = False
    if tail.strip():
        # The last line has no newline: a kill during its write. Keep it only if it is whole and
        # the run's next event; anything else there is left out like a torn line (and cut before
        # the next event is appended).
        try:
            checked = check_events(run_id, [*checked, json.loads(tail)], str(path))
        except (ValueError, DamagedJournalError):
            torn = True
    return checked, torn


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
        # Never through a symlink: a planted `journal.jsonl -> ~/.bashrc` is refused, not appended to.
        # Unbuffered: a write that fails leaves nothing behind in a buffer to be written later.
        self._handle = os.fdopen(open_append(path), "a+b", buffering=0)
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
            self._last, self._last_hash = _tip(last, self.path) if last.strip() else (0, GENESIS)
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
        self._handle.seek(0)
        keep = self._handle.read(size).rfind(b"\n") + 1
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
            size = self._handle.tell()
            try:
                view = memoryview(line)
                while view:
                    view = view[os.write(self._handle.fileno(), view) :]
                self._unsynced = True
                if sync:
                    self.sync()
            except OSError as exc:
                self._undo(size)
                raise StorageError(
                    f"{self.path}: cannot write the journal: {exc.strerror}; the run stops here",
                    "the events before it are kept: free the space (or fix the folder) and "
                    f"`runbook resume {event['run']}`",
                ) from None
            self._size = os.fstat(self._handle.fileno()).st_size
            self._last, self._last_hash = event["seq"], event["hash"]
        finally:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        return event

    def _undo(self, size: int) -> None:
        # A line half written on a full disk is cut, so the journal ends with whole events (a
        # truncation needs no space). If even that fails, a torn last line is left out by readers
        # and cut before the next append.
        with contextlib.suppress(OSError):
            os.ftruncate(self._handle.fileno(), size)
        self._unsynced = False
        self._size = -1

    @property
    def unsynced(self) -> bool:
        """True when an append has not been fsynced yet."""
        return self._unsynced

    def sync(self) -> None:
        """fsync what was appended unsynced (one fsync makes every earlier write durable too).

        Raises:
            StorageError: the disk refuses (full, failing).
        """
        if self._unsynced:
            try:
                datasync(self._handle.fileno())
            except OSError as exc:
                raise StorageError(
                    f"{self.path}: cannot write the journal to disk: {exc.strerror}; the run stops here",
                    "free the space (or fix the disk) and `runbook resume` the run",
                ) from None
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


def _tip(line: bytes, path: Path) -> tuple[int, str]:
    """The `seq` and hash of a journal's last line, which the next event follows and chains to.

    Raises:
        DamagedJournalError: the line is not an event.
    """
    try:
        event = json.loads(line)
        seq = event["seq"]
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1:
            return seq, hash_of(event)
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    raise DamagedJournalError(
        f"{path}: the last line is not a journal event; nothing is appended to a damaged journal",
        [],
        "`runbook timeline` shows the events before the damage",
    )


def append_event(directory: Path, event: Event) -> Event:
    """Add one event to a run's journal from another process (a note), beside a running writer.

    Raises:
        UnsafeDataError: the run's folder or journal is a symlink, or the journal is damaged.
    """
    try:
        appender = _Appender(real_folder(directory, "run folder") / JOURNAL)
    except OSError as exc:
        raise StorageError(
            f"{directory / JOURNAL}: cannot write the journal: {exc.strerror}",
            "a note needs a journal it can append to (a read-only runs folder cannot take one)",
        ) from None
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
        try:
            directory.mkdir(parents=True, exist_ok=True)
            real_folder(directory, "run folder")
            real_folder(self._outputs, "outputs folder")
            self._lock = os.fdopen(open_append(directory / ".lock", "a lock file"), "a")
        except OSError as exc:
            raise UsageError(
                f"{directory}: cannot write the run's folder: {exc.strerror}",
                "--runs-dir (or RUNBOOK_RUNS_DIR) picks a folder runbook can write",
            ) from None
        try:
            # One process per run: a resume must not run beside the run it resumes.
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise UsageError(
                f"run {directory.name} is in use by another runbook process",
                "wait for it to end, or stop it first",
            ) from exc
        try:
            self._appender = _Appender(self.path)
            self._sync_directory()
        except OSError as exc:
            self._lock.close()
            raise UsageError(
                f"{self.path}: cannot write the journal: {exc.strerror}",
                "--runs-dir (or RUNBOOK_RUNS_DIR) picks a folder runbook can write",
            ) from None
        except BaseException:
            self._lock.close()
            raise
        self._settling: list[str] = []
        """Attempts whose partial outputs go once the step.finished written unsynced is synced."""

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def events(self) -> list[Event]:
        return read_events(self.path, self.run_id)[0]

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
