"""What git knows about a runbook: its commit, whether it has local changes, and previous tags."""

from __future__ import annotations

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
    import git  # lazy: GitPython costs start-up time no other command should pay

    try:
        return git.Repo(directory.resolve(), search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
        return None


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
