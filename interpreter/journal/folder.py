"""The folder store (the default): each run a folder, `RUN_ID/journal.jsonl` and `RUN_ID/outputs/SHA.log`."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import UsageError
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
        """The folder of a run: under the root, or under one of the other folders that keeps it."""
        for root in self._roots():
            if (root / run_id / JOURNAL).is_file():
                return root / run_id
        return self.root / run_id

    def create(self, run_id: str) -> Journal:
        journal = Journal(self.root / run_id)
        if self._remember:
            remember(self.root, run_id)
        return journal

    def open(self, run_id: str) -> Journal:
        return Journal(self._folder(run_id))

    def resolve(self, run_id: str) -> str:
        if not self.also:
            return run_directory(self.root, run_id).name
        for root in self._roots():
            if (root / run_id / JOURNAL).is_file():
                return run_id
        matches = sorted(
            {
                p.name
                for r in self._roots()
                if r.is_dir()
                for p in r.glob(f"{run_id}*")
                if (p / JOURNAL).is_file()
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
        return read_events(self._folder(run_id) / JOURNAL)

    def append(self, run_id: str, event: Event) -> Event:
        return append_event(self._folder(run_id), event)

    def run_ids(self) -> list[str]:
        found = {p.name for r in self._roots() if r.is_dir() for p in r.iterdir() if (p / JOURNAL).is_file()}
        return sorted(found)

    def label(self, run_id: str) -> str:
        return str(self._folder(run_id) / JOURNAL)

    def is_live(self, run_id: str) -> bool:
        # The run's process holds an exclusive lock on `.lock` (see Journal) for as long as it works.
        lock = self._folder(run_id) / ".lock"
        if not lock.exists():
            return False
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False

    def output(self, run_id: str, name: str) -> bytes | None:
        if not _is_output_name(name):
            return None  # a journal names its outputs; anything else is not ours to read
        try:
            return (self._folder(run_id) / name).read_bytes()
        except OSError:
            return None

    def output_names(self, run_id: str) -> list[str]:
        outputs = self._folder(run_id) / "outputs"
        return sorted(f"outputs/{p.name}" for p in outputs.glob("*.log")) if outputs.is_dir() else []

    def put_run(self, run_id: str, events: list[Event], outputs: OutputReader) -> bool:
        directory = self.root / run_id
        if (directory / JOURNAL).exists():
            mine, _ = read_events(directory / JOURNAL)
            if mine == events:
                return False
            raise UsageError(
                f"run {run_id} is already in {self.root} with different events",
                "remove one copy, or import into another folder",
            )
        directory.mkdir(parents=True, exist_ok=True)
        names = recorded_outputs(events)
        for name in sorted(names):
            data = outputs(name)
            if data is not None and _is_output_name(name):
                target = directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_durably(target, data)
        # The journal appears whole or not at all: written aside, fsynced, then renamed.
        _write_durably(directory / JOURNAL, b"".join(encode(e) for e in events))
        return True


def _is_output_name(name: str) -> bool:
    """`outputs/NAME.log`: the only shape of name a journal gives its output files."""
    folder, _, file = name.partition("/")
    return folder == "outputs" and bool(file) and "/" not in file and file not in (".", "..")


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
