"""What the last build wrote and from which inputs, so a rebuild rewrites only what changed."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST", "Manifest", "digest", "write_if_changed"]

MANIFEST = ".runbook-site.json"
_FORMAT = 2
"""2: a page's entry names the images it shows (`media`), so an unchanged page keeps them."""


def digest(*parts: Any) -> str:
    """A stable hash of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write atomically, and only when the content differs; True when the file was written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if _read(path, len(data)) == data:
        return False
    # A name of this process's own beside the target, renamed over it: a reader sees the old file
    # or the new one, never half of one. (mkstemp's random names cost a third of the write.)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        handle = os.open(temporary, flags, 0o644)
    except FileNotFoundError:  # a new folder: made only then, not asked about for every file
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(temporary, flags, 0o644)
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # whatever the umask: a site is for serving
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def _read(path: Path, limit: int) -> bytes | None:
    """A file of the site as it is now, or None when it is not one of ours to compare: missing,
    not a regular file (a FIFO planted in -o must not hang the build), a symlink, or over `limit`."""
    from ..errors import RunbookError
    from ..policy.paths import read_regular

    try:
        return read_regular(path, limit, "a site file", follow=False)
    except (OSError, RunbookError):
        return None


def _inside(out_dir: Path, name: object) -> bool:
    from ..errors import UnsafeDataError
    from ..policy.paths import confined

    if not isinstance(name, str) or not name or "\0" in name or name.startswith("/"):
        return False
    try:
        return confined(out_dir, name, "site file") != out_dir.resolve()
    except UnsafeDataError:
        return False


@dataclass(slots=True)
class Manifest:
    """Per output file: the hash of its inputs, the hash of what was written, and what the
    index and search need from it (so an unchanged runbook is not even parsed again)."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        try:
            data = json.loads(_read(out_dir / MANIFEST, 64 << 20) or b"")
        except ValueError:
            return cls()
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return cls()
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return cls()
        # The manifest is a file in the output folder, and a build deletes what it lists: a
        # name that leads outside the folder (`../x`, `/home/u/x`, through a symlink) is dropped.
        return cls({k: v for k, v in entries.items() if isinstance(v, dict) and _inside(out_dir, k)})

    def fresh(self, out_dir: Path, name: str, key: str) -> dict[str, Any] | None:
        """The recorded entry when `name` was built from the same inputs and is still as written."""
        entry = self.entries.get(name)
        if not entry or entry.get("key") != key:
            return None
        written_bytes = _read(out_dir / name, 1 << 40)
        if written_bytes is None:
            return None
        written = hashlib.sha256(written_bytes).hexdigest()
        return entry if written == entry.get("sha256") else None

    def record(self, name: str, key: str, content: str | bytes, **extra: Any) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.entries[name] = {"key": key, "sha256": hashlib.sha256(data).hexdigest(), **extra}

    def save(self, out_dir: Path) -> None:
        text = json.dumps({"format": _FORMAT, "entries": self.entries}, indent=1, sort_keys=True)
        write_if_changed(out_dir / MANIFEST, text + "\n")
