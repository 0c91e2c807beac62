"""The folder store (the default): each run a folder, `RUN_ID/journal.jsonl` and `RUN_ID/outputs/SHA.log`."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import UsageError
from ..policy.paths import (
    OUTPUT_LIMIT,
    OUTPUT_NAME,
    RUN_ID,
    check_output_name,
    check_run_id,
    check_run_prefix,
    read_regular,
    real_folder,
)
from .checked import check_events
from .contract import OutputReader, Store
from .events import Event, encode
from .files import JOURNAL, Journal, append_event, read_events, run_directory
from .folds import recorded_outputs
from .locate import remember

__all__ = ["DirectoryStore"]


class DirectoryStore(Store):
    """Runs as folders under one root (`.runbook/runs`, `--runs-dir`, RUNBOOK_RUNS_DIR), and, when
    no folder was named, the other folders this user's runs are kept in (locate.py)."""

    def __init__(self, root: Path, also: tuple[Path, ...] = (), remember: bool = False) -> None:
        self.root = root.absolute()
        self.also = tuple(p.absolute() for p in also)
        self.where = str(self.root)
        self._remember = remember
        """New runs are noted in the per-user index (a folder found, not named)."""

    def _roots(self) -> tuple[Path, ...]:
        return (self.root, *self.also)

    def _folder(self, run_id: str) -> Path:
        """A run's folder: its id checked (never a path), under the root or one of the other
        folders that keeps it, the folder itself no symlink."""
        name = check_run_id(run_id, self.where)
        found = next((r / name for r in self.also if (r / name / JOURNAL).is_file()), None)
        if found is None or (self.root / name / JOURNAL).is_file():
            found = self.root / name
        return real_folder(found, "run folder")

    def create(self, run_id: str) -> Journal:
        journal = Journal(real_folder(self.root / check_run_id(run_id, self.where), "run folder"))
        if self._remember:
            remember(self.root, run_id)
        return journal

    def open(self, run_id: str) -> Journal:
        return Journal(self._folder(run_id))

    def resolve(self, run_id: str) -> str:
        if not self.also:
            return run_directory(self.root, run_id).name
        check_run_prefix(run_id)  # digits, a-f and dashes: no `..`, no `/`, no glob
        for root in self._roots():
            if (root / run_id / JOURNAL).is_file():
                return run_directory(root, run_id).name
        matches = sorted(
            {
                p.name
                for r in self._roots()
                if r.is_dir()
                for p in r.glob(f"{run_id}*")
                if RUN_ID.fullmatch(p.name) and (p / JOURNAL).is_file()
            }
        )
        if len(matches) == 1:
            return matches[0]
        if not matches:
            searched = ", ".join(str(r) for r in self._roots())
            raise UsageError(
                f"no run {run_id!r} in {searched}", "--runs-dir (or RUNBOOK_RUNS_DIR) picks the folder"
            )
        raise UsageError(
            f"{run_id!r} matches {len(matches)} runs: " + ", ".join(matches), "give more of the id"
        )

    def events(self, run_id: str) -> tuple[list[Event], bool]:
        return read_events(self._folder(run_id) / JOURNAL, run_id)

    def append(self, run_id: str, event: Event) -> Event:
        return append_event(self._folder(run_id), event)

    def run_ids(self) -> list[str]:
        found = {p.name for r in self._roots() if r.is_dir() for p in r.iterdir() if (p / JOURNAL).is_file()}
        return sorted(found)

    def label(self, run_id: str) -> str:
        # Names a run in a message, whatever its folder's name: nothing is opened through it.
        name = Path(run_id).name
        found = next((r / name for r in self._roots() if (r / name / JOURNAL).is_file()), self.root / name)
        return str(found / JOURNAL)

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
