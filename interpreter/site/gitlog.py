"""The last commit that changed a runbook, through GitPython; nothing outside a git repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["LastChange", "last_changes"]


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


def _last_change(repo: Any, path: Path) -> LastChange | None:
    relative = path.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    commit = next(iter(repo.iter_commits(paths=relative, max_count=1)), None)
    dirty = bool(repo.git.status("--porcelain", "--", relative).strip())
    if commit is None:
        return None
    return LastChange(
        commit.authored_datetime.strftime("%Y-%m-%d %H:%M %z"),
        str(commit.author.name),
        commit.hexsha[:7],
        str(commit.summary),
        dirty,
    )


def last_changes(paths: list[Path]) -> dict[Path, LastChange | None]:
    """For each file, its last change in the repository holding it; never raises (git
    information is decoration: a broken repository must not stop the site)."""
    import git  # lazy: GitPython costs start-up time the other commands should not pay

    repos: dict[Path, Any] = {}
    result: dict[Path, LastChange | None] = {}
    for path in paths:
        result[path] = None
        try:
            folder = path.resolve().parent
            if folder not in repos:
                try:
                    repos[folder] = git.Repo(folder, search_parent_directories=True)
                except (git.InvalidGitRepositoryError, git.NoSuchPathError):
                    repos[folder] = None
            if repos[folder] is not None:
                result[path] = _last_change(repos[folder], path)
        except Exception:
            result[path] = None
    return result
