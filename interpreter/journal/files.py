"""The run journal: one JSON event per line, fsynced before the action it announces, and output files."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from .. import jsonschemas
from ..errors import RunbookError, UsageError

__all__ = [
    "Journal",
    "OutputFile",
    "append_event",
    "default_runs_dir",
    "new_run_id",
    "read_events",
    "run_directory",
]

JOURNAL = "journal.jsonl"
_BLOCK = 1 << 20
_WRITEBACK = 32 << 20


def new_run_id(now: datetime) -> str:
    """Sortable and unique: `20261128-223536-3fa2c1`."""
    return f"{now.astimezone(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def default_runs_dir(option: str | None) -> Path:
    """`--runs-dir`, else `RUNBOOK_RUNS_DIR`, else `.runbook/runs` in the current directory."""
    return Path(option or os.environ.get("RUNBOOK_RUNS_DIR") or Path(".runbook") / "runs")


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


def read_events(path: Path) -> tuple[list[dict[str, Any]], bool]:
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
    events: list[dict[str, Any]] = []
    for number, line in enumerate(complete.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise RunbookError(f"{path}:{number}: damaged journal line (not JSON)") from exc
        problem = jsonschemas.first_error("events", event)
        if problem:
            raise RunbookError(f"{path}:{number}: not a journal event ({problem})")
        events.append(event)
    torn = False
    if tail.strip():
        # The last line has no newline: a kill during its write. Keep it only if it is whole.
        try:
            events.append(json.loads(tail))
        except ValueError:
            torn = True
    return events, torn


@dataclass(slots=True)
class OutputFile:
    """A command's output being written: `.partial` while it runs, then named by its hash."""

    directory: Path
    name: str
    on_finish: Callable[[Path, str], None] | None = None
    """Called with the finished file and its journal name (a shared store keeps a copy)."""
    handle: IO[bytes] | None = None
    """Opened at the first byte: a silent command (most are) costs no file until it finishes."""
    digest: Any = field(init=False)
    size: int = 0
    _written_back: int = 0
    """Bytes already handed to the disk's writeback (see `write`)."""

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256()

    def _open(self) -> IO[bytes]:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Unbuffered: each write is on its way to disk at once, so a kill leaves the output so far
        # for the in-doubt screen, with one system call per chunk.
        return open(self.directory / f"{self.name}.partial", "wb", buffering=0)

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self.handle is None:
            self.handle = self._open()
        view = memoryview(data)
        while view:
            view = view[self.handle.write(view) or 0 :]
        self.digest.update(data)
        self.size += len(data)
        if self.size - self._written_back >= 2 * _WRITEBACK and hasattr(os, "posix_fadvise"):
            # Large output: start writing the older part to disk now, in the background, so the
            # fsync at the end waits for the last few megabytes only, not for a gigabyte.
            end = self.size - _WRITEBACK
            os.posix_fadvise(
                self.handle.fileno(), self._written_back, end - self._written_back, os.POSIX_FADV_DONTNEED
            )
            self._written_back = end

    def rewrite(self, feed: Callable[[bytes], bytes], flush: Callable[[], bytes]) -> None:
        """Pass what was written so far through a stream filter (`feed` each block, then `flush`):
        a secret learnt only when the command ended is masked in its own output."""
        if self.handle is None:
            return
        self.handle.close()
        partial = self.directory / f"{self.name}.partial"
        fresh = self.directory / f"{self.name}.rewrite"
        self.digest, self.size = hashlib.sha256(), 0
        with open(partial, "rb") as source, open(fresh, "wb") as target:
            while block := source.read(_BLOCK):
                self._put(target, feed(block))
            self._put(target, flush())
        os.replace(fresh, partial)
        self.handle = open(partial, "ab", buffering=0)  # noqa: SIM115

    def _put(self, target: IO[bytes], data: bytes) -> None:
        target.write(data)
        self.digest.update(data)
        self.size += len(data)

    def finish(self) -> dict[str, Any]:
        sha = self.digest.hexdigest()
        final = self.directory / f"{sha}.log"
        if self.handle is None:
            # No output: one empty file per run serves every silent command.
            if not final.exists():
                self.directory.mkdir(parents=True, exist_ok=True)
                final.touch()
            return {"file": f"outputs/{final.name}", "sha256": sha, "bytes": 0}
        _datasync(self.handle.fileno())
        self.handle.close()
        # The partial name stays until the step is recorded finished (see Journal.settle), so a
        # kill mid-step leaves every output of the attempt for the in-doubt screen.
        if not final.exists():
            os.link(self.directory / f"{self.name}.partial", final)
        if self.on_finish is not None:
            self.on_finish(final, f"outputs/{final.name}")
        return {"file": f"outputs/{final.name}", "sha256": sha, "bytes": self.size}


def _datasync(fd: int) -> None:
    """Make a file's data durable: fdatasync where there is one (Linux). It writes what reading
    the data back needs (the blocks, the new size) and skips the modification time, which fsync
    also writes: a third of the cost of an fsync here, and nothing a crash could lose."""
    getattr(os, "fdatasync", os.fsync)(fd)


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

    Each append holds an exclusive lock on the file, numbers the event after the last one on disk,
    writes one line and fsyncs it, so concurrent writers never lose, duplicate or reorder events.
    An append with `sync=False` is written (other processes read it at once, and a killed
    process cannot lose it) but fsynced only with the next synced append, `sync()` or `close()`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = open(path, "a+b")  # noqa: SIM115
        self._size = -1
        self._last = 0
        self._unsynced = False

    def _next_seq(self) -> int:
        size = os.fstat(self._handle.fileno()).st_size
        if size and size != self._size:
            # Someone else wrote since our last append, or we just opened the file.
            self._handle.seek(0)
            last = _last_line(self._handle, size) if size else b""
            self._last = int(json.loads(last)["seq"]) if last.strip() else 0
            self._handle.seek(0, os.SEEK_END)
        elif not size:
            self._last = 0
        return self._last + 1

    def _repair_torn_tail(self) -> None:
        # A writer killed mid-write leaves half a line; cut it so the journal stays JSON lines.
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

    def append(self, event: dict[str, Any], sync: bool = True) -> dict[str, Any]:
        """Number, validate and write one event, then fsync (unless `sync` is False); returns it
        with its `seq`.

        Raises:
            RunbookError: the event breaks schemas/events.json (a bug, reported plainly).
        """
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)
        try:
            self._repair_torn_tail()
            event["seq"] = self._next_seq()
            problem = jsonschemas.first_error("events", event)
            if problem:
                raise RunbookError(
                    f"internal error: journal event breaks schemas/events.json at {problem}",
                    "please report this with the runbook attached",
                )
            line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
            self._handle.seek(0, os.SEEK_END)
            self._handle.write(line.encode("utf-8"))
            self._handle.flush()
            self._unsynced = True
            if sync:
                self.sync()
            self._size = os.fstat(self._handle.fileno()).st_size
            self._last = event["seq"]
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
            _datasync(self._handle.fileno())
            self._unsynced = False

    def close(self) -> None:
        if not self._handle.closed:
            self.sync()
        self._handle.close()


def append_event(directory: Path, event: dict[str, Any]) -> dict[str, Any]:
    """Add one event to a run's journal from another process (a note), beside a running writer."""
    appender = _Appender(directory / JOURNAL)
    try:
        return appender.append(event)
    finally:
        appender.close()


class Journal:
    """Appends validated events to `journal.jsonl`; each line is on disk before `append` returns."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL
        self.outputs = directory / "outputs"
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

    def events(self) -> list[dict[str, Any]]:
        return read_events(self.path)[0]

    def append(self, event: dict[str, Any], sync: bool = True) -> None:
        """Validate and write one event, then fsync; its `seq` is set to follow the last on disk.

        `sync=False` is for an event that announces no action (a step's end): it is written at
        once, and made durable by the next synced append (the next step's start), by `sync()` or
        by `close()`, so a step boundary costs one fsync, not two.

        Raises:
            RunbookError: the event breaks schemas/events.json (a bug, reported plainly).
        """
        self._appender.append(event, sync)
        if sync:
            self._settle_pending()

    def sync(self) -> None:
        """Make every event appended so far durable (before the run waits on a person)."""
        self._appender.sync()
        self._settle_pending()

    def output(self, name: str) -> OutputFile:
        return OutputFile(self.outputs, name)

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
        # A plain listing, not glob: glob builds a new pattern for every step's prefix.
        try:
            names = os.listdir(self.outputs)
        except FileNotFoundError:
            return
        for name in names:
            if name.startswith(prefixes) and name.endswith(".partial"):
                (self.outputs / name).unlink(missing_ok=True)

    def close(self) -> None:
        self._appender.close()
        self._settle_pending()
        self._lock.close()
