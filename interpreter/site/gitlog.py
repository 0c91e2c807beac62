"""The last commit that changed each runbook, from one `git log` and one `git status` a repository;
nothing outside a git repository."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["LastChange", "last_changes"]

# One record a commit: a record separator, then the fields split by unit separators; git's -z ends
# the format with a NUL and every file name after it with one.
_FORMAT = "%x1e%H%x1f%ad%x1f%an%x1f%B%x1f"
_DATE = "format:%Y-%m-%d %H:%M %z"
"""The author's date in the author's own time zone, `2026-11-28 22:44 +0000`."""


@dataclass(frozen=True, slots=True)
class LastChange:
    """The newest commit touching a file, and whether the file has changed since."""

    date: str
    """The commit's author date, `2026-11-28 22:44 +0000`."""
    author: str
    commit: str
    """Abbreviated hash."""
    summary: str
    dirty: bool
    """True when the file has uncommitted changes."""

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "author": self.author,
            "commit": self.commit,
            "summary": self.summary,
            "dirty": self.dirty,
        }


def _root(folder: Path, roots: dict[Path, Path | None]) -> Path | None:
    """The working tree holding `folder` (a `.git` folder, or a file for worktrees and submodules)."""
    seen = []
    for candidate in (folder, *folder.parents):
        if candidate in roots:
            found = roots[candidate]
            break
        seen.append(candidate)
        if (candidate / ".git").exists():
            found = candidate
            break
    else:
        found = None
    for candidate in seen:
        roots[candidate] = found
    return found


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, check=True, stdin=subprocess.DEVNULL
    )
    return done.stdout.decode("utf-8", "replace")


def _newest(root: Path, wanted: set[str]) -> dict[str, tuple[str, str, str, str]]:
    """For each path (relative to `root`), its newest commit: abbreviated hash, date, author,
    summary. One walk through the history those paths have, newest first, as `git rev-list --
    PATH` sees it (merges that changed a file themselves, `--cc`, included)."""
    log = _git(
        root, "log", "-z", "--cc", "--name-only", f"--format={_FORMAT}", f"--date={_DATE}", "--", *wanted
    )
    found: dict[str, tuple[str, str, str, str]] = {}
    for record in log.split("\x1e")[1:]:
        head, _, names = record.partition("\x00")
        fields = head.split("\x1f", 3)
        if len(fields) < 4:
            continue
        full, date, author, message = fields
        summary = message.removesuffix("\x1f").split("\n", 1)[0]
        for name in names.lstrip("\n").split("\x00"):
            if name in wanted and name not in found:
                found[name] = (full[:7], date, author, summary)
        if len(found) == len(wanted):
            break
    return found


def _dirty(root: Path, wanted: set[str]) -> set[str]:
    """The paths with uncommitted changes (a rename names both its paths)."""
    entries = _git(root, "status", "--porcelain", "-z", "--", *wanted).split("\x00")
    dirty: set[str] = set()
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        dirty.add(entry[3:])
        if entry[0] in "RC" and index < len(entries):
            dirty.add(entries[index])
            index += 1
    return dirty


def last_changes(paths: list[Path]) -> dict[Path, LastChange | None]:
    """For each file, its last change in the repository holding it; never raises (git
    information is decoration: a broken repository, or no git at all, must not stop the site).
    Two git commands a repository, not two a file: a thousand runbooks took seven seconds."""
    result: dict[Path, LastChange | None] = dict.fromkeys(paths)
    roots: dict[Path, Path | None] = {}
    by_root: dict[Path, dict[str, Path]] = {}
    for path in paths:
        try:
            resolved = path.resolve()
            root = _root(resolved.parent, roots)
            if root is not None:
                by_root.setdefault(root, {})[resolved.relative_to(root.resolve()).as_posix()] = path
        except (OSError, ValueError):
            continue
    for root, files in by_root.items():
        try:
            newest = _newest(root, set(files))
            dirty = _dirty(root, set(files))
        except (OSError, subprocess.SubprocessError):
            continue  # not a repository after all, git missing or failing: no git information
        for relative, path in files.items():
            if relative in newest:
                commit, date, author, summary = newest[relative]
                result[path] = LastChange(date, author, commit, summary, relative in dirty)
    return result
