"""A command's output on its way to the journal: written as it comes, then named by its hash."""

from __future__ import annotations

import glob
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import StorageError

__all__ = ["PARTIAL", "OutputFile", "PartialOutput", "datasync", "partial_outputs", "settle"]

PARTIAL = ".partial"
"""The suffix of an output still being written, or of an attempt whose step never recorded its end."""
_BLOCK = 1 << 20
_WRITEBACK = 32 << 20
"""Bytes of a large output left to the final sync: the older part is handed to the disk as it comes."""


@dataclass(frozen=True, slots=True)
class PartialOutput:
    """What a command of an attempt that never finished had written, for the in-doubt screen."""

    name: str
    """The file's name (`000012-2.3-1-1.partial`)."""
    data: bytes
    """Its last bytes (at most the size asked for)."""
    command: int = 0
    """The command it is the output of (1-based; the name's last number)."""


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
        return open(self.directory / f"{self.name}{PARTIAL}", "wb", buffering=0)

    def write(self, data: bytes) -> None:
        """Add a chunk of the command's output.

        Raises:
            StorageError: it cannot be written (a full disk): the command is stopped.
        """
        if not data:
            return
        try:
            if self.handle is None:
                self.handle = self._open()
            view = memoryview(data)
            while view:
                view = view[self.handle.write(view) or 0 :]
        except OSError as exc:
            raise _failed(self.directory, exc) from None
        self.digest.update(data)
        self.size += len(data)
        if self.size - self._written_back >= 2 * _WRITEBACK and hasattr(os, "posix_fadvise"):
            # Large output: start writing the older part to disk now, in the background, so the
            # sync at the end waits for the last few megabytes only, not for a gigabyte.
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
        partial = self.directory / f"{self.name}{PARTIAL}"
        fresh = self.directory / f"{self.name}.rewrite"
        self.digest, self.size = hashlib.sha256(), 0
        try:
            with open(partial, "rb") as source, open(fresh, "wb") as target:
                while block := source.read(_BLOCK):
                    self._put(target, feed(block))
                self._put(target, flush())
            os.replace(fresh, partial)
            self.handle = open(partial, "ab", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise _failed(self.directory, exc) from None

    def _put(self, target: IO[bytes], data: bytes) -> None:
        target.write(data)
        self.digest.update(data)
        self.size += len(data)

    def finish(self) -> dict[str, Any]:
        """Close the file, name it by its hash; returns the step.finished event's `output` object.

        Raises:
            StorageError: it cannot be written (a full disk).
        """
        try:
            return self._finish()
        except OSError as exc:
            raise _failed(self.directory, exc) from None

    def _finish(self) -> dict[str, Any]:
        sha = self.digest.hexdigest()
        final = self.directory / f"{sha}.log"
        if self.handle is None:
            # No output: one empty file per run serves every silent command.
            if not final.exists():
                self.directory.mkdir(parents=True, exist_ok=True)
                final.touch()
            return {"file": f"outputs/{final.name}", "sha256": sha, "bytes": 0}
        datasync(self.handle.fileno())
        self.handle.close()
        # The partial name stays until the step is recorded finished (see RunJournal.settle), so a
        # kill mid-step leaves every output of the attempt for the in-doubt screen.
        if not final.exists():
            os.link(self.directory / f"{self.name}{PARTIAL}", final)
        if self.on_finish is not None:
            self.on_finish(final, f"outputs/{final.name}")
        return {"file": f"outputs/{final.name}", "sha256": sha, "bytes": self.size}


def _failed(directory: Path, exc: OSError) -> StorageError:
    return StorageError(
        f"{directory}: cannot write a command's output: {exc.strerror}; the command is stopped",
        "free the space (or fix the folder); the step is in doubt for `runbook resume`",
    )


def datasync(fd: int) -> None:
    """Make a file's data durable: fdatasync where there is one (Linux). It writes what reading
    the data back needs (the blocks, the new size) and skips the modification time, which fsync
    also writes: a third of the cost of an fsync here, and nothing a crash could lose."""
    getattr(os, "fdatasync", os.fsync)(fd)


def partial_outputs(directory: Path, step: str, attempt: int, limit: int) -> list[PartialOutput]:
    """The partial outputs of one attempt of a step in an outputs folder, each cut to its last
    `limit` bytes, in the order the commands ran."""
    found = []
    paths = directory.glob(f"*-{glob.escape(step)}-{attempt}-*{PARTIAL}") if directory.is_dir() else []
    for command, path in sorted((_command_of(p.name), p) for p in paths):  # command 10 after 9
        try:
            # Never through a symlink, never blocking on a FIFO planted in the folder.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            continue
        with os.fdopen(fd, "rb") as handle:
            handle.seek(max(0, info.st_size - limit))
            found.append(PartialOutput(path.name, handle.read(limit), command))
    return found


def _command_of(name: str) -> int:
    """The command number at the end of a partial output's name; 0 when it has none."""
    number = name.removesuffix(PARTIAL).rpartition("-")[2]
    return int(number) if number.isdecimal() else 0


def settle(directory: Path, *prefixes: str) -> None:
    """Drop the partial names of attempts (`prefix` = `SEQ-STEP-ATTEMPT-`) once they are recorded."""
    # A plain listing, not glob: glob builds a new pattern for every step's prefix.
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(prefixes) and name.endswith(PARTIAL):
            (directory / name).unlink(missing_ok=True)
