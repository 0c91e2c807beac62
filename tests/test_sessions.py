"""A command that opens a session (`ssh host`, `kubectl exec -it … -- bash`, a bare `bash`): the
terminal is handed over in a real pseudo-terminal, the commands to type inside are shown first,
the run waits for the operator to leave, journals it, and asks whether the work was done. Never
run blind: under --yes, or with no terminal, the run stops before the step (issue 13)."""

from __future__ import annotations

import time
from pathlib import Path

import pexpect
from support.runs import journal, write
from support.terminal import FAKE_SSH, answer, fake_programs, finish, spawn, without_terminal

REPAIR = """
    # Node repair

    ## Procedure 1: Repair a node

    1. **Open a shell on the node**

       ```bash
       echo before > before.txt
       ssh <node-host>
       ```

    2. **Restart the kubelet**

       ```bash
       systemctl restart kubelet
       touch /tmp/never-run-here
       ```

    3. **Leave the node**

       ```bash
       exit
       ```

    4. **Check it is back**

       ```bash
       echo after > after.txt
       ```
    """


def _types(folder: Path) -> list[tuple[str, str | None]]:
    return [(e["type"], e["step"]) for e in journal(folder)]


def test_the_terminal_is_handed_over_and_the_run_waits_for_the_operator(tmp_path: Path) -> None:
    fake_programs(tmp_path, ssh=FAKE_SSH)
    rb = write(tmp_path, REPAIR)
    child = spawn(tmp_path, "run", str(rb))
    # Before going in, and before its value is asked: the commands later steps write for inside
    # the session, apart from `$ ` lines.
    child.expect_exact("⇥ opens a session (ssh <node-host>)")
    child.expect_exact("then, still inside it, what the next steps say to type:")
    child.expect_exact("⌨ systemctl restart kubelet")
    answer(child, "? Value for <node-host>", "node-7")
    answer(child, "? Run 1.1", "r")
    child.expect_exact("the terminal is yours in ssh node-7")
    answer(child, "node-7$ ", "systemctl restart kubelet")
    child.expect_exact("ran systemctl restart kubelet on node-7")
    child.expect_exact("node-7$ ")
    child.sendintr()  # Ctrl-C belongs to the session while it has the terminal, not to the run
    child.expect_exact("^C caught by the session")
    child.sendline("exit")
    answer(child, "? Back from ssh <node-host>. Did you do what was needed inside [y/n]", "y")
    child.expect_exact("ok exit 0")
    answer(child, "? Done with 1.2 (Restart the kubelet)", "y")
    answer(child, "? Done with 1.3 (Leave the node)", "y")
    answer(child, "? Run 1.4", "r")
    assert finish(child) == 0
    # What was typed went to the session; nothing written for inside it ran here.
    assert (tmp_path / "typed.log").read_text() == "systemctl restart kubelet\n"
    assert not Path("/tmp/never-run-here").exists()
    assert (tmp_path / "before.txt").exists() and (tmp_path / "after.txt").exists()
    found = journal(tmp_path)
    opened = next(e for e in found if e["type"] == "session.opened")
    assert opened["step"] == "1.1"
    assert opened["data"] == {
        "command": "ssh node-7",
        "session": "ssh <node-host>",
        "typed": ["systemctl restart kubelet", "touch /tmp/never-run-here", "exit"],
    }
    closed = next(e for e in found if e["type"] == "session.closed")
    assert closed["data"]["exit_code"] == 3 and closed["data"]["done"] is True  # the fake's Ctrl-C code
    kinds = _types(tmp_path)
    assert kinds.index(("step.started", "1.1")) < kinds.index(("session.opened", "1.1"))
    assert kinds.index(("session.closed", "1.1")) < kinds.index(("step.finished", "1.1"))


def test_not_done_inside_fails_the_step_and_retry_opens_it_again(tmp_path: Path) -> None:
    fake_programs(tmp_path, ssh=FAKE_SSH)
    rb = write(tmp_path, REPAIR)
    child = spawn(tmp_path, "run", str(rb), "--answer", "placeholder:<node-host>=node-7")
    answer(child, "? Run 1.1", "r")
    answer(child, "node-7$ ", "exit")
    answer(child, "Did you do what was needed inside [y/n]", "n")
    child.expect_exact("not done inside ssh <node-host>, the operator says")
    answer(child, "? 1.1 failed. What now", "r")
    answer(child, "again from [failed]: ", "")  # from the session: what ran before it is not repeated
    answer(child, "node-7$ ", "uptime")
    answer(child, "node-7$ ", "exit")
    answer(child, "Did you do what was needed inside [y/n]", "y")
    answer(child, "? Done with 1.2", "y")
    answer(child, "? Done with 1.3", "y")
    answer(child, "? Run 1.4", "s")
    assert finish(child) == 0
    closed = [e["data"]["done"] for e in journal(tmp_path) if e["type"] == "session.closed"]
    assert closed == [False, True]
    assert (tmp_path / "typed.log").read_text() == "uptime\n"


def test_yes_never_goes_into_a_session(tmp_path: Path) -> None:
    fake_programs(tmp_path, ssh=FAKE_SSH)
    rb = write(tmp_path, REPAIR)
    child = spawn(tmp_path, "run", str(rb), "--yes", "--answer", "placeholder:<node-host>=node-7")
    child.expect_exact("1.1 (Open a shell on the node) opens a session (ssh <node-host>)")
    child.expect_exact("--yes does not work inside a session for you:")
    child.expect_exact("the run stops before it")  # (the line is broken between words to fit)
    child.expect_exact("`runbook resume ")
    child.expect_exact("or skip it with --answer 1.1:run=s")
    assert finish(child) == 2
    assert not (tmp_path / "before.txt").exists()  # stopped before the step: none of it ran
    assert not (tmp_path / "typed.log").exists()
    assert journal(tmp_path)[-1]["data"]["status"] == "unanswered"


def test_without_a_terminal_the_run_stops_before_the_session_and_skip_goes_on(tmp_path: Path) -> None:
    fake_programs(tmp_path, ssh=FAKE_SSH)
    rb = write(tmp_path, REPAIR)
    stopped = without_terminal(tmp_path, "run", str(rb), "--yes", "--answer", "placeholder:<node-host>=n")
    assert stopped.returncode == 2
    assert "opens a session (ssh <node-host>) where you type commands yourself, and there is no terminal" in (
        stopped.stderr
    )
    assert not (tmp_path / "before.txt").exists()
    run_id = journal(tmp_path)[0]["run"]
    # As the message says: skipping it lets the rest run without a terminal.
    resumed = without_terminal(tmp_path, "resume", run_id, "--yes", "--answer", "1.1:run=s")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert (tmp_path / "after.txt").exists() and not (tmp_path / "typed.log").exists()


def test_a_destructive_command_typed_inside_asks_the_word_before_going_in(tmp_path: Path) -> None:
    fake_programs(tmp_path, ssh=FAKE_SSH)
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Clear a node's cache

        1. **Go onto the node and clear the cache**

           ```bash
           ssh cache-1
           rm -rf /var/cache/app
           exit
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb))
    child.expect_exact("⌨ rm -rf /var/cache/app  ⚠ destructive")
    answer(child, "? Run 1.1", "r")  # the step's menu: run is where the word is asked
    answer(child, "1.1 is destructive. Run it (type clear-a-node-s-cache to go on", "yes")
    child.expect_exact("that is not 'clear-a-node-s-cache'; nothing was run")
    child.sendline("clear-a-node-s-cache")
    answer(child, "cache-1$ ", "exit")
    answer(child, "Did you do what was needed inside [y/n]", "y")
    assert finish(child) == 0
    kinds = _types(tmp_path)
    assert kinds.index(("step.confirmed", "1.1")) < kinds.index(("session.opened", "1.1"))


def test_a_real_interactive_bash_session(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Work in a subshell

        1. **Open a shell and record where you are**

           ```bash
           export SEEN_BY_THE_SESSION=yes
           PS1='inside-bash$ ' bash --norc --noprofile
           echo "$SEEN_BY_THE_SESSION $PWD" > inside.txt
           exit
           ```

        2. **Back in the run**

           ```bash
           env > back.txt
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb), "--answer", "1.1:run=r")
    child.expect_exact('⌨ echo "$SEEN_BY_THE_SESSION $PWD" > inside.txt')
    child.expect_exact("inside-bash$ ")
    child.sendline('echo "$SEEN_BY_THE_SESSION $PWD" > inside.txt; export INSIDE_ONLY=1')
    child.expect_exact("inside-bash$ ")
    child.sendline("printf 'sl%s\\n' eeping; sleep 30")
    child.expect_exact("sleeping")  # printed once `sleep` is about to start, unlike the echoed line
    time.sleep(0.3)
    child.sendintr()  # the session's own job control: Ctrl-C stops `sleep`, not the run
    child.expect_exact("inside-bash$ ", timeout=10)
    child.sendline("exit")
    answer(child, "Did you do what was needed inside [y/n]", "y")
    answer(child, "? Run 1.2", "r")
    assert finish(child) == 0
    assert (tmp_path / "inside.txt").read_text() == f"yes {tmp_path}\n"
    # Changes made inside a session stay there, as they would in the operator's terminal.
    back = (tmp_path / "back.txt").read_text()
    assert "SEEN_BY_THE_SESSION=yes" in back and "INSIDE_ONLY" not in back
    closed = next(e for e in journal(tmp_path) if e["type"] == "session.closed")
    assert closed["data"]["done"] is True and closed["data"]["duration"] > 0
    assert pexpect  # the pseudo-terminal library the test drives


def test_a_session_ended_by_ctrl_c_is_journaled_as_a_shell_reports_it_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    fake_programs(tmp_path, ssh="#!/bin/sh\nprintf 'ready$ '\nsleep 30\n")
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Look around

        1. **On the host**

           ```bash
           ssh db-1
           uptime
           exit
           ```

        2. **Here**

           ```bash
           echo here > here.txt
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb), "--answer", "1.1:run=r")
    child.expect_exact("ready$ ")
    time.sleep(0.3)
    child.sendintr()  # ends the session's `sleep`, then the session; not the run
    answer(child, "Did you do what was needed inside [y/n]", "y")
    answer(child, "? Run 1.2", "r")
    assert finish(child) == 0
    assert (tmp_path / "here.txt").exists()
    closed = next(e for e in journal(tmp_path) if e["type"] == "session.closed")
    assert closed["data"]["exit_code"] == 130
