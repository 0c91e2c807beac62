"""Results kept between runs in the user's cache folder, by content hash: shared by concurrent runs,
written atomically, and a damaged entry is a miss, never an error."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["ENV", "ResultCache", "cache_root"]

ENV = "RUNBOOK_CACHE_DIR"
"""Where the cache lives instead of `$XDG_CACHE_HOME/runbook` (`~/.cache/runbook`); empty: no cache."""

_SHARD_LIMIT = 1000
"""Entries a shard keeps (the oldest written go first): the cache stays under 256,000 entries."""


def cache_root() -> Path | None:
    """The cache folder: `$RUNBOOK_CACHE_DIR`, else `$XDG_CACHE_HOME/runbook`, else `~/.cache/runbook`;
    None when `$RUNBOOK_CACHE_DIR` is set empty (caching off)."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    # The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "runbook"


class ResultCache:
    """JSON values by key (a hex digest), in 256 shard files under `folder` (`ab.json` holds the
    keys that start with `ab`): a run reads the shards of the keys it asks about, and at `flush`,
    holding the folder's lock, writes each shard it added to, merged with what is on disk then, to
    a file of its own renamed into place. So runs at the same time never see half a file, nor
    lose each other's entries (where locks are not to be had, a lost entry is checked again).

    A shard that cannot be read is empty; when the folder cannot be written the run goes on
    uncached. The cache never fails a run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._shards: dict[str, dict[str, Any]] = {}
        self._added: dict[str, dict[str, Any]] = {}

    def _read(self, shard: str) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / f"{shard}.json").read_bytes())
        except (OSError, ValueError):
            return {}  # missing, unreadable or damaged: every key in it is a miss
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Any | None:
        """The value stored under `key`, or None."""
        shard = key[:2]
        if shard not in self._shards:
            self._shards[shard] = self._read(shard)
        return self._shards[shard].get(key)

    def put(self, key: str, value: Any) -> None:
        """Store `value` under `key`; it reaches the disk at `flush`."""
        shard = key[:2]
        self._shards.setdefault(shard, {})[key] = value
        self._added.setdefault(shard, {})[key] = value

    def flush(self) -> None:
        """Write the shards that were added to (best effort: a failure leaves the cache as it was)."""
        added, self._added = self._added, {}
        if not added:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # read-only home, a file in the way: stay correct, just slower
        try:
            if _locked(lock):
                self._merge(added)
        finally:
            os.close(lock)  # and with it the lock

    def _merge(self, added: dict[str, dict[str, Any]]) -> None:
        for shard, entries in sorted(added.items()):
            merged = self._read(shard)
            for key in entries:
                merged.pop(key, None)  # re-added entries move to the young end
            merged.update(entries)
            kept = dict(list(merged.items())[-_SHARD_LIMIT:])
            path = self.folder / f"{shard}.json"
            temporary = path.with_name(f".{shard}.{os.getpid()}.tmp")
            try:
                temporary.write_text(json.dumps(kept, ensure_ascii=False, separators=(",", ":")), "utf-8")
                os.replace(temporary, path)
            except OSError:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)
                return


def _locked(handle: int, patience: float = 5.0) -> bool:
    """Hold the cache's lock (the site's workers, and runs started together, flush at the same
    time: without it one's new entries would be lost); False when another holds it too long."""
    try:
        import fcntl
    except ImportError:  # not POSIX: merge unlocked; a lost entry is checked again next time
        return True
    import time

    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        except OSError:
            return True  # a file system without locks
