"""Issue 14, finding 4: a run is found from any directory (a second terminal opens in `~`), and every
hint names it by an absolute path."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support.operator import finish, plain, runbook, spawn
from support.runs import write

TWO = """
    ## Procedure 1: Two
    1. **One**
       ```bash
       echo one > one.txt
       ```
    2. **Two**
       ```bash
       echo two > two.txt
       ```
    """


def _stop_at_the_second_step(rb: Path, cwd: Path) -> str:
    """Start a run in `cwd` with no runs folder named, leave it at 1.2; its id."""
    child = spawn("run", str(rb), "-p", "1", cwd=cwd)
    child.expect_exact("? Run 1.1:")
    header = plain(child.before)
    child.sendline("r")
    child.expect_exact("? Run 1.2:")
    child.sendeof()
    status, rest = finish(child)
    assert status == 130
    line = next(text for text in header.splitlines() if "journal:" in text)
    journal = Path(line.split("journal:", 1)[1].strip())
    assert journal.is_absolute() and journal.is_file(), line  # the header names it absolutely
    assert str(journal) in plain(rest)  # and so does the hint at the end
    return journal.parent.name


def test_runs_and_resume_from_another_directory_find_the_run(tmp_path: Path) -> None:
    here, home = tmp_path / "work", tmp_path / "home"
    here.mkdir()
    home.mkdir()
    rb = write(here, TWO)
    run_id = _stop_at_the_second_step(rb, here)
    # Before the fix: `no runs in .runbook/runs`, from anywhere but the directory it started in.
    listed = runbook("runs", "--json", cwd=home)
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)] == [run_id]
    noted = runbook("note", run_id[:15], "looked at it from home", cwd=home)
    assert noted.returncode == 0, noted.stderr
    child = spawn("resume", run_id, cwd=home)
    child.expect_exact("? Run 1.2:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    assert (here / "two.txt").exists()  # the run goes on where it started, not where it is resumed
    assert not (here / ".runbook").exists() and not (home / ".runbook").exists()
    kept = Path(os.environ["XDG_STATE_HOME"]) / "runbook" / "runs" / run_id / "journal.jsonl"
    assert kept.is_file()  # no `.runbook/` up the tree: the per-user folder


def test_a_project_runs_folder_is_found_upward_and_from_anywhere(tmp_path: Path) -> None:
    project, home = tmp_path / "project", tmp_path / "home"
    (project / ".runbook").mkdir(parents=True)
    (project / "ops" / "db").mkdir(parents=True)
    home.mkdir()
    rb = write(project / "ops", TWO)
    run_id = _stop_at_the_second_step(rb, project / "ops" / "db")
    assert (project / ".runbook" / "runs" / run_id / "journal.jsonl").is_file()  # found upward, as git does
    listed = runbook("runs", "--json", cwd=home)
    assert [r["id"] for r in json.loads(listed.stdout)] == [run_id]  # and from `~`, through the index
    timeline = runbook("timeline", run_id, cwd=project)
    assert timeline.returncode == 0 and "run started" in timeline.stdout
    child = spawn("resume", run_id[:15], cwd=home)
    child.expect_exact("? Run 1.2:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0 and (project / "ops" / "db" / "two.txt").exists()
