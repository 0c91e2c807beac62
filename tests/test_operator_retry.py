"""Issue 14, finding 1: a retry goes on from the command that failed; a destructive command asks for
its word every time it is about to run; a cancelled or unchanged edit runs nothing."""

from __future__ import annotations

from pathlib import Path

from support.operator import environment, finish, journal, kinds, spawn
from support.runs import write

RELOAD = """
    ## Procedure 1: Load the table
    1. **Reload the table**
       ```bash
       cp table table.bak
       : > table
       cat new >> table
       ```
    2. **Count**
       ```bash
       wc -l < table > count
       ```
    """


def test_a_retry_goes_on_from_the_failed_command_and_the_backup_stays_whole(tmp_path: Path) -> None:
    rb = write(tmp_path, RELOAD)
    (tmp_path / "table").write_text("row 1\nrow 2\n")
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("? 1.1 failed. What now:")  # `new` is missing: command 3 failed
    menu = child.before
    (tmp_path / "new").write_text("row 3\n")  # the cause, fixed
    child.sendline("r")
    child.expect_exact("again from [failed]:")
    listing = child.before
    child.sendline("")  # the default: from the failed command
    child.expect_exact("? Run 1.2:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    # The failure menu is the step's menu: note and shell are on it, with the same numbers.
    assert "4) [n] note" in menu and "5) [h] shell" in menu and "7) [a] abort" in menu
    assert "commands 1-2 succeeded already" in listing and "the start (runs commands 1-2 again)" in listing
    # Before the fix, `r` ran all three again: the backup was overwritten with the emptied table.
    assert (tmp_path / "table.bak").read_text() == "row 1\nrow 2\n"
    assert (tmp_path / "table").read_text() == "row 3\n"
    events = journal(tmp_path / "runs")
    second = [e for e in events if e["type"] == "command.started" and e["data"]["attempt"] == 2]
    assert [e["data"]["index"] for e in second] == [3]
    [retry] = [e for e in events if e["type"] == "step.started" and e["data"]["attempt"] == 2]
    assert retry["data"]["from_command"] == 3


def test_a_retry_from_the_start_runs_every_command_again_when_asked(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Twice
        1. **Count and check**
           ```bash
           echo run >> counted
           test -f ready
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("What now:")
    (tmp_path / "ready").touch()
    child.sendline("1")  # the menu's numbers are its letters: 1 is run
    child.expect_exact("again from [failed]:")
    child.sendline("start")
    status, _ = finish(child)
    assert status == 0
    assert (tmp_path / "counted").read_text() == "run\nrun\n"


DESTRUCTIVE = """
    ## Procedure 1: Wipe
    1. **Wipe the scratch space** (WARNING: destructive)
       ```bash
       rm -r scratch
       ```
    """


def test_a_second_attempt_of_a_destructive_command_asks_for_its_word_again(tmp_path: Path) -> None:
    rb = write(tmp_path, DESTRUCTIVE)
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect(r"type (\S+) to go on, Enter to go back\): ")
    word = child.match.group(1)
    child.sendline(word)
    child.expect_exact("What now:")  # there was no scratch to remove
    (tmp_path / "scratch").mkdir()
    child.sendline("r")
    # Before the fix, the retry ran `rm -r` again with no word asked.
    child.expect(r"type (\S+) to go on, Enter to go back\): ")
    child.sendline("")  # Enter: back to the menu, nothing run
    child.expect_exact("What now:")
    assert (tmp_path / "scratch").is_dir()
    child.sendline("r")
    child.expect_exact("to go on, Enter to go back): ")
    child.sendline(word)
    status, _ = finish(child)
    assert status == 0 and not (tmp_path / "scratch").exists()
    events = journal(tmp_path / "runs")
    # Each run of the destructive command follows its own confirmation.
    order = [t for t, _ in kinds(events) if t in ("step.confirmed", "command.started")]
    assert order == ["step.confirmed", "command.started", "step.confirmed", "command.started"]


def test_a_cancelled_edit_runs_nothing_before_or_after_a_failure(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Edit
        1. **Mark and check**
           ```bash
           echo ran >> marks
           test -f ready
           ```
        """,
    )
    editor = environment(EDITOR="false", VISUAL="")  # an editor that fails: the edit is cancelled
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path, env=editor)
    child.expect_exact("? Run 1.1:")
    child.sendline("e")
    child.expect_exact("the editor exited with 1: the edit is cancelled, nothing was run")
    child.expect_exact("? Run 1.1:")
    assert not (tmp_path / "marks").exists()
    child.sendline("r")
    child.expect_exact("What now:")
    child.sendline("e")
    child.expect_exact("again from [failed]:")
    child.sendline("")
    # Before the fix, a cancelled edit after a failure ran every command again.
    child.expect_exact("the editor exited with 1: the edit is cancelled, nothing was run")
    child.expect_exact("What now:")
    child.sendline("s")
    status, _ = finish(child)
    assert status == 0
    assert (tmp_path / "marks").read_text() == "ran\n"  # the one run the operator asked for
    started = [e for e in journal(tmp_path / "runs") if e["type"] == "step.started"]
    assert len(started) == 1 and "edited" not in started[0]["data"]


def test_an_edit_that_changes_nothing_is_not_recorded_as_edited(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Edit
        1. **Mark**
           ```bash
           echo ran >> marks
           ```
        """,
    )
    editor = environment(EDITOR="true", VISUAL="")  # saves the file as it was
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path, env=editor)
    child.expect_exact("? Run 1.1:")
    child.sendline("e")
    child.expect_exact("nothing changed: nothing is recorded as edited, and nothing was run")
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    [started] = [e for e in journal(tmp_path / "runs") if e["type"] == "step.started"]
    assert "edited" not in started["data"]
