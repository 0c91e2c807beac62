"""The folder store (the default): each run a folder, `RUN_ID/journal.jsonl` and `RUN_ID/outputs/SHA.log`."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import UsageError
from ..policy.paths import (
    OUTPUT_LIMIT,
    OUTPUT_NAME,
    check_output_name,
    check_run_id,
    read_regular,
    real_folder,
)
from .checked import check_events
from .contract import OutputReader, Store
from .events import Event, encode
from .files import JOURNAL, Journal, append_event, read_events, run_directory
from .folds import recorded_outputs

__all__ = ["DirectoryStore"]


class DirectoryStore(Store):
    """Runs as folders under one root (`.runbook/runs`, `--runs-dir`, RUNBOOK_RUNS_DIR)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.where = str(root)

    def _folder(self, run_id: str) -> Path:
        """A run's folder: its id checked (never a path), the folder itself no symlink."""
        return real_folder(self.root / check_run_id(run_id, self.where), "run folder")

    def create(self, run_id: str) -> Journal:
        return Journal(self._folder(run_id))

    def open(self, run_id: str) -> Journal:
        return Journal(self._folder(run_id))

    def resolve(self, run_id: str) -> str:
        return run_directory(self.root, run_id).name

    def events(self, run_id: str) -> tuple[list[Event], bool]:
        return read_events(self._folder(run_id) / JOURNAL, run_id)

    def append(self, run_id: str, event: Event) -> Event:
        return append_event(self._folder(run_id), event)

    def run_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / JOURNAL).is_file())

    def label(self, run_id: str) -> str:
        return str(self.root / run_id / JOURNAL)

    def is_live(self, run_id: str) -> bool:
        # The run's process holds an exclusive lock on `.lock` (see Journal) for as long as it works.
        lock = self._folder(run_id) / ".lock"
        try:
            # Read-only, never through a symlink: `runbook runs` works on a read-only runs folder.
            fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return False  # no lock file: no process ever held the run here
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
        return False

    def output(self, run_id: str, name: str) -> bytes | None:
        # Only `outputs/SHA256.log`, only a regular file in the run's own outputs folder, never
        # through a symlink: a journal names its outputs, and nothing else is ours to read.
        check_output_name(name, self.label(run_id))
        folder = real_folder(self._folder(run_id) / "outputs", "outputs folder")
        try:
            return read_regular(folder / name.partition("/")[2], OUTPUT_LIMIT, "an output file", follow=False)
        except OSError:
            return None  # not kept (an empty output need not be), or unreadable

    def output_names(self, run_id: str) -> list[str]:
        outputs = self._folder(run_id) / "outputs"
        names = (f"outputs/{p.name}" for p in outputs.glob("*.log")) if outputs.is_dir() else ()
        return sorted(n for n in names if OUTPUT_NAME.fullmatch(n))

    def put_run(self, run_id: str, events: list[Event], outputs: OutputReader) -> bool:
        directory = self._folder(run_id)
        events = check_events(run_id, list(events), f"run {run_id} to copy into {self.where}")
        if (directory / JOURNAL).exists():
            mine, _ = read_events(directory / JOURNAL, run_id)
            if mine == events:
                return False
            raise UsageError(
                f"run {run_id} is already in {self.root} with different events",
                "remove one copy, or import into another folder",
            )
        directory.mkdir(parents=True, exist_ok=True)
        folder = real_folder(directory / "outputs", "outputs folder")
        for name in sorted(recorded_outputs(events)):  # each `outputs/SHA256.log` (the schema says)
            data = outputs(name)
            if data is not None:
                folder.mkdir(exist_ok=True)
                _write_durably(folder / name.partition("/")[2], data)
        # The journal appears whole or not at all: written aside, fsynced, then renamed.
        _write_durably(directory / JOURNAL, b"".join(encode(e) for e in events))
        return True


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    # A fresh file (O_EXCL after clearing a leftover), never through a symlink planted beside it.
    temporary.unlink(missing_ok=True)
    with os.fdopen(
        os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "wb"
    ) as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
