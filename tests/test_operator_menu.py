"""Issue 14, findings 2, 8 and 10: one menu everywhere, destructive steps included; back to the
decision before, so a choice can be changed (on resume too); choices show every option's commands
and mark destructive ones; a shell is journaled, marked and reminded."""

from __future__ import annotations

from pathlib import Path

import pexpect
from support.operator import environment, finish, journal, kinds, spawn
from support.runs import write

CHOICE = """
    ## Procedure 1: Clean up
    1. **Look**
       ```bash
       ls data > before.txt
       ```
    2. **Free the space**

       **Option A: Remove the data**
       ```bash
       rm -rf data
       ```

       **Option B: Move it aside**
       ```bash
       mkdir -p aside
       mv data/file aside/
       ```
    3. **Report**
       ```bash
       echo reported > report.txt
       ```
    """

MENU = [
    "1) [r] run",
    "2) [s] skip",
    "3) [e] edit",
    "4) [n] note",
    "5) [h] shell",
    "6) [b] back",
    "7) [a] abort",
]


def _data(tmp: Path) -> None:
    (tmp / "data").mkdir()
    (tmp / "data" / "file").write_text("precious\n")


def test_back_from_a_destructive_step_to_its_choice_and_take_the_other_option(tmp_path: Path) -> None:
    _data(tmp_path)
    rb = write(tmp_path, CHOICE)
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path, columns=100)
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("? Choose for 1.2:")
    options = child.before
    child.sendline("a")
    child.expect_exact("? Run 1.2.a:")
    destructive_menu = child.before
    # Before the fix, a destructive step asked for its word at once: Ctrl-C was the only way out.
    child.sendline("b")
    child.expect_exact("? Choose for 1.2:")
    again = child.before
    child.sendline("b")
    child.expect_exact("? Run 1.2.b:")
    child.sendline("r")
    child.expect_exact("? Run 1.3:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    assert (tmp_path / "aside" / "file").read_text() == "precious\n" and not (
        tmp_path / "data" / "file"
    ).exists()
    # Every option with every command, the destructive one marked.
    assert "Option A: Remove the data  ⚠ DESTRUCTIVE" in options
    assert "mkdir -p aside" in options and "mv data/file aside/" in options
    assert all(item in destructive_menu for item in MENU)
    assert "(type " in destructive_menu  # run is where its word is asked
    assert "(chosen before)" in again
    events = journal(tmp_path / "runs")
    assert ("step.back", "1.2.a") in kinds(events)
    changed = [e["data"] for e in events if e["type"] == "choice.made"]
    assert [(c["branch"], c.get("changed_from")) for c in changed] == [("a", None), ("b", "a")]
    assert not [e for e in events if e["step"] == "1.2.a" and e["type"] == "command.started"]


def test_a_choice_is_changed_with_back_on_resume(tmp_path: Path) -> None:
    _data(tmp_path)
    rb = write(tmp_path, CHOICE)
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("? Choose for 1.2:")
    child.sendline("a")
    child.expect_exact("? Run 1.2.a:")
    child.sendeof()  # Ctrl-D: the operator leaves; the run can be resumed
    status, rest = finish(child)
    assert status == 130 and "continues it" in rest
    [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
    child = spawn("resume", run_id, "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.2.a:")  # the choice made before is taken again
    story = child.before
    child.sendline("b")  # … until the operator goes back to it
    child.expect_exact("? Choose for 1.2:")
    child.sendline("b")
    child.expect_exact("? Run 1.2.b:")
    child.sendline("r")
    child.expect_exact("? Run 1.3:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    assert "1.1  ran: ok" in story and "1.2  chose: a: Option A: Remove the data" in story
    assert (tmp_path / "aside" / "file").exists()


def test_the_failure_menu_takes_a_note_and_opens_a_journaled_marked_shell(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Fails once
        1. **Needs a file**
           ```bash
           test -f ready
           ```
        """,
    )
    child = spawn(
        "run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path, env=environment(SHELL="/bin/bash")
    )
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("What now:")
    child.sendline("4")  # note: the same number as on the step's menu
    child.expect_exact("? Note:")
    child.sendline("ready is made by the deploy job")
    child.expect_exact("What now:")
    child.sendline("h")
    child.expect_exact("changes made there (cd, export, variables) do not carry")
    child.expect_exact("(runbook 1.1)")  # the shell's prompt says where it is
    child.sendline("touch ready; export LOST=1; exit")
    child.expect_exact("Back in the run at 1.1")
    child.expect_exact("What now:")
    child.sendline("r")  # its only command failed: nothing before it to keep, no question where from
    status, _ = finish(child)
    assert status == 0
    events = journal(tmp_path / "runs")
    order = [t for t, _ in kinds(events) if t in ("note.added", "shell.opened", "shell.closed")]
    assert order == ["note.added", "shell.opened", "shell.closed"]
    [note] = [e for e in events if e["type"] == "note.added"]
    assert note["data"]["text"] == "ready is made by the deploy job"


def test_ctrl_c_at_a_prompt_asks_before_it_stops_the_run(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Two
        1. **One**
           ```bash
           echo one > one.txt
           ```
        2. **Two**
           ```bash
           echo two > two.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    child.sendintr()
    child.expect_exact("stop the run here (resume it later)? [y/N]:")
    child.sendline("n")  # not what was meant: back to the question
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    child.expect_exact("? Run 1.2:")
    child.sendintr()
    child.expect_exact("[y/N]:")
    child.sendline("y")
    child.expect(pexpect.EOF)
    rest = child.before
    child.close()
    assert child.exitstatus == 130
    assert "runbook resume" in rest and str(tmp_path / "runs") in rest  # the hint names the folder
    assert (tmp_path / "one.txt").exists() and not (tmp_path / "two.txt").exists()
    end = journal(tmp_path / "runs")[-1]
    assert end["type"] == "run.finished" and end["data"]["status"] == "interrupted"
