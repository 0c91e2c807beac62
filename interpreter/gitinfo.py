"""What git knows about a runbook: its commit, whether it has local changes, and previous tags."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Provenance", "previous_tag", "provenance"]


@dataclass(frozen=True, slots=True)
class Provenance:
    commit: str | None
    """HEAD of the repository holding the runbook, or None outside git."""
    dirty: bool | None
    """True when the runbook file itself has uncommitted changes."""
    root: str | None


def _repo(directory: Path) -> Any:
    if not _maybe_in_git(directory):
        return None
    import git  # lazy: GitPython costs start-up time no other command should pay

    try:
        return git.Repo(directory.resolve(), search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
        return None


def _maybe_in_git(directory: Path) -> bool:
    """Whether git could find a repository from `directory`: a `.git` (a folder, or the file of a
    worktree or submodule) in it or a folder above, or GIT_DIR set. Outside one, GitPython (80 ms
    to import) is not loaded to say so."""
    if os.environ.get("GIT_DIR"):
        return True
    try:
        start = directory.resolve()
    except (OSError, RuntimeError):
        return True  # let git say what it makes of it
    return any((folder / ".git").exists() for folder in (start, *start.parents))


def provenance(path: Path) -> Provenance:
    """Where the runbook comes from, for the journal; never raises."""
    try:
        repo = _repo(path.parent)
        if repo is None:
            return Provenance(None, None, None)
        try:
            commit = repo.head.commit.hexsha
        except ValueError:  # a repository with no commit yet
            commit = None
        relative = str(path.resolve().relative_to(Path(repo.working_tree_dir or ".").resolve()))
        dirty = bool(repo.git.status("--porcelain", "--", relative).strip())
        return Provenance(commit, dirty, str(repo.working_tree_dir))
    except Exception:  # provenance is information: a broken repository must not stop a rollback
        return Provenance(None, None, None)


def previous_tag(directory: str | Path) -> str | None:
    """In the repository holding `directory`: the second newest tag by creation date (the release
    before the current one), else the only one."""
    try:
        repo = _repo(Path(directory))
        if repo is None:
            return None
        tags = [t for t in repo.git.tag("--sort=-creatordate").split("\n") if t.strip()]
    except Exception:
        return None
    if not tags:
        return None
    return str(tags[1] if len(tags) > 1 else tags[0])
