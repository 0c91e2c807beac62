"""Where runs are kept when no folder is named, so that any terminal finds them.

A second terminal usually opens in `~`, not where the run was started. So, with no `--runs-dir`
and no RUNBOOK_RUNS_DIR, the runs folder is found as git finds `.git`: the nearest `.runbook/`
in this directory or one above it (`.runbook/runs`), else a per-user folder in the XDG state
directory (`$XDG_STATE_HOME/runbook/runs`, `~/.local/state/runbook/runs`). A run kept in a
project's `.runbook/` is also listed in the per-user folder's index (one small file per run naming
the folder), so `runbook runs`, `resume`, `note` and `follow` find it from anywhere too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Located", "index", "locate", "remember", "state_home", "user_runs"]

_RUN_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")


def state_home() -> Path:
    """runbook's folder in the XDG state directory."""
    base = os.environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "runbook"


def user_runs() -> Path:
    """The per-user runs folder: runs started where no `.runbook/` is found go here."""
    return state_home() / "runs"


def _index_folder() -> Path:
    return state_home() / "elsewhere"


@dataclass(frozen=True, slots=True)
class Located:
    """The runs folder a command works on, and the others where it also looks for a run."""

    root: Path
    """Where new runs go, absolute."""
    named: bool
    """True when the operator named it (--runs-dir, RUNBOOK_RUNS_DIR): nothing else is searched."""
    also: tuple[Path, ...] = ()
    """Other runs folders holding this user's runs (the per-user folder, the indexed ones)."""


def locate(option: str | None, cwd: Path | None = None) -> Located:
    """`--runs-dir`, else RUNBOOK_RUNS_DIR, else the nearest `.runbook/` upward, else the per-user
    folder; with the other folders this user's runs are in, when none was named."""
    named = option or os.environ.get("RUNBOOK_RUNS_DIR")
    if named:
        return Located(Path(named).absolute(), True)
    here = (cwd or Path.cwd()).absolute()
    root = next((d / ".runbook" / "runs" for d in (here, *here.parents) if (d / ".runbook").is_dir()), None)
    mine = user_runs()
    root = root or mine
    others = dict.fromkeys(p for p in (mine, *index().values()) if p != root)
    return Located(root, False, tuple(others))


def remember(root: Path, run_id: str) -> None:
    """Note in the per-user index that `run_id` is kept in `root` (not the per-user folder), so a
    terminal anywhere finds it. Best effort: a run never fails for its index."""
    if root == user_runs() or not _RUN_ID.match(run_id):
        return
    try:
        folder = _index_folder()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / run_id).write_text(str(root.absolute()) + "\n", "utf-8")
    except OSError:
        return


def index() -> dict[str, Path]:
    """Run id → the runs folder the index says keeps it (entries whose journal is gone are left
    out)."""
    folder = _index_folder()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return {}
    found = {}
    for entry in entries:
        if not _RUN_ID.match(entry.name):
            continue
        try:
            root = Path(entry.read_text("utf-8").strip())
        except (OSError, UnicodeDecodeError):
            continue
        if root.is_absolute() and (root / entry.name / "journal.jsonl").is_file():
            found[entry.name] = root
    return found
