"""Issue 14, findings 3 and 9: a resume tells the truth. After kill -9 in the middle of a step it
shows which commands finished and that the step's process group still runs (wait, kill, leave),
then goes on from the first unfinished command; its story lists what ran, was skipped, chosen or
overridden, in order; an overridden prerequisite is recorded once; the menu is the same."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from support.operator import finish, journal, plain, processes, resumed_in_doubt, spawn, wait_for
from support.runs import write


def test_kill_9_mid_step_then_resume_shows_the_live_group_and_goes_on_from_the_unfinished_command(
    tmp_path: Path,
) -> None:
    seconds = 4000 + os.getpid() % 1000  # a sleep no other test starts
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Long
        1. **First**
           ```bash
           echo one >> log
           ```
        2. **Long one**
           ```bash
           echo two-a >> log
           if [ -f second-time ]; then echo two-b >> log; else touch second-time; sleep {seconds}; fi
           echo two-c >> log
           ```
        3. **Last**
           ```bash
           echo three >> log
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("? Run 1.2:")
    child.sendline("r")
    with resumed_in_doubt(child, tmp_path, f"^sleep {seconds}$") as child:  # the run dies; sleep goes on
        seen = plain(child.before)
        # Before the fix: "in doubt", and nothing said of the process still running.
        assert "1.2  in doubt" in seen
        assert "command 2 is STILL RUNNING in process group" in seen and f"sleep {seconds}" in seen
        assert "✓  1." in seen and "▶  2." in seen  # which commands finished, which was running
        child.sendline("k")
        child.expect_exact("is gone")
        child.expect_exact("? What happened to 1.2:")
        menu = plain(child.before)
        assert "1) [r] run the rest, from command 2" in menu and "8) [d] done" in menu
        assert "6) [b] back" in menu  # the same keys as every other menu: `r` is taken
        child.sendline("r")
        child.expect_exact("again from [failed]:")
        child.sendline("")  # the default: the unfinished command
        child.expect_exact("? Run 1.3:")
        child.sendline("r")
        status, _ = finish(child)
        assert status == 0
    # The command that had finished (two-a) is not run again; the rest is.
    assert (tmp_path / "log").read_text() == "one\ntwo-a\ntwo-b\ntwo-c\nthree\n"
    events = journal(tmp_path / "runs")
    [settled] = [e["data"] for e in events if e["type"] == "step.in-doubt"]
    assert settled["decision"] == "rerun" and settled["from_command"] == 2
    assert settled["group"]["action"] == "killed" and settled["finished"] == [1]


def test_a_resume_tells_what_ran_was_skipped_and_overridden_and_records_an_override_once(
    tmp_path: Path,
) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Gated
        #### Prerequisites
        - [ ] Backup taken
        - [ ] Change approved
        #### Steps
        1. **Skip me**
           ```bash
           echo skipped > skipped.txt
           ```
        2. **Run me**
           ```bash
           echo ran > ran.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Acknowledge: Backup taken [y/n]:")
    child.sendline("n")
    child.expect_exact("Type a note to override it")
    child.sendline("the snapshot from 02:00 is the backup")
    child.expect_exact("? Acknowledge: Change approved [y/n]:")
    child.sendeof()  # the operator leaves before the second prerequisite
    status, _ = finish(child)
    assert status == 130
    [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
    child = spawn("resume", run_id, "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Acknowledge: Change approved [y/n]:")  # not the one overridden
    child.sendline("y")
    child.expect_exact("? Run 1.1:")
    child.sendline("s")
    child.expect_exact("? Run 1.2:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    events = journal(tmp_path / "runs")
    items = [(e["data"]["item"], e["data"]["answer"]) for e in events if e["type"] == "gate.item"]
    # Before the fix, a resume recorded the overridden prerequisite again, as a plain yes.
    assert items == [("1.prerequisites.1", "override"), ("1.prerequisites.2", "yes")]
    # Stopped again at the end of nothing: a third process tells the whole story in order.
    child = spawn("resume", run_id, "--runs-dir", "runs", cwd=tmp_path)
    status, rest = finish(child)
    assert status == 2 and "finished successfully; there is nothing to resume" in rest


def test_the_story_lists_skipped_steps_as_skipped_not_done(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Three
        1. **Skip me**
           ```bash
           echo a > a.txt
           ```
        2. **Run me**
           ```bash
           echo b > b.txt
           ```
        3. **Then me**
           ```bash
           echo c > c.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendline("s")
    child.expect_exact("? Run 1.2:")
    child.sendline("r")
    child.expect_exact("? Run 1.3:")
    child.sendeof()
    status, rest = finish(child)
    assert status == 130 and "runbook resume" in rest
    [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
    child = spawn("resume", run_id, "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.3:")
    story = plain(child.before)
    assert "1.1  skipped: skipped by the operator" in story and "1.2  ran: ok" in story
    assert "done 1.1" not in story  # before the fix: "resuming: done 1.1, 1.2"
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0 and not (tmp_path / "a.txt").exists() and (tmp_path / "c.txt").exists()


def test_the_menu_promises_the_typed_word_only_when_what_it_runs_asks_for_it(tmp_path: Path) -> None:
    """Found driving the seed: after a kill, "run the rest, from command 6 (type DROP first)" where
    command 6 was harmless, while the run itself (rightly) asked nothing. The menu and the question
    now follow one rule: the word is promised, and asked, when a destructive command will run."""
    seconds = 5000 + os.getpid() % 1000
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Clean
        1. **Clear and rebuild**
           ```bash
           rm -rf scratch
           sleep {seconds}
           echo built >> log
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    assert "1) [r] run (type clean first)" in plain(child.before)
    child.sendline("r")
    child.expect_exact("to go on, Enter to go back):")
    child.sendline("clean")
    with resumed_in_doubt(child, tmp_path, f"^sleep {seconds}$") as child:  # the run dies; sleep goes on
        child.sendline("k")
        child.expect_exact("? What happened to 1.1:")
        menu = plain(child.before)
        # Before the fix: "run the rest, from command 2 (type clean first)".
        assert "1) [r] run the rest, from command 2\n" in menu
        child.sendline("r")
        child.expect_exact("again from [failed]:")
        child.sendline("")  # the unfinished command: rm does not run again, so no word
        child.expect_exact("$ sleep")
        assert "to go on, Enter to go back)" not in plain(child.before)
        wait_for(lambda: processes(f"^sleep {seconds}$"))
        for pid in processes(f"^sleep {seconds}$"):  # only the rerun's sleep: the first was killed
            os.kill(pid, signal.SIGKILL)
        child.expect_exact("? 1.1 failed. What now:")
        assert "1) [r] run again\n" in plain(child.before)
        child.sendline("r")
        child.expect_exact("again from [failed]:")
        child.sendline("start")  # from the start, rm runs again: the word is asked
        child.expect_exact("to go on, Enter to go back):")
        child.sendline("")  # no word: nothing runs, the menu again
        child.expect_exact("? 1.1 failed. What now:")
        child.sendline("a")
        finish(child)
    assert not (tmp_path / "log").exists()
