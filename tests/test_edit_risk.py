"""An operator's edited command is judged again by the risk policy before it runs: an edit that
makes a plain step destructive asks for the typed word, which --yes alone never gives (issue 13)."""

from __future__ import annotations

from pathlib import Path

from support.runs import journal, write
from support.terminal import answer, fake_programs, finish, spawn, without_terminal

TIDY = """
    ## Procedure 1: Tidy up

    1. **Say hello**

       ```bash
       echo hello > hello.txt
       ```
    """

EDITOR = """#!/bin/sh
# An editor that saves what EDIT_TO holds.
printf '%s\\n' "$EDIT_TO" > "$1"
"""


def _setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    bin_dir = fake_programs(tmp_path, editor=EDITOR)
    (tmp_path / "victim").mkdir()
    rb = write(tmp_path, TIDY)
    return rb, {"EDITOR": str(bin_dir / "editor"), "VISUAL": "", "EDIT_TO": "rm -rf victim"}


def test_an_edit_that_makes_a_plain_step_destructive_asks_the_word(tmp_path: Path) -> None:
    rb, env = _setup(tmp_path)
    child = spawn(tmp_path, "run", str(rb), env=env)
    answer(child, "? Run 1.1", "e")
    child.expect_exact("⚠ the edit is destructive: rm -r deletes a whole tree of files")
    answer(child, "1.1 as edited is destructive. Run it (type tidy-up to go on", "y")
    child.expect_exact("that is not 'tidy-up'; nothing was run")
    assert (tmp_path / "victim").is_dir()
    child.sendline("tidy-up")
    assert finish(child) == 0
    assert not (tmp_path / "victim").exists()
    confirmed = next(e for e in journal(tmp_path) if e["type"] == "step.confirmed")
    assert confirmed["data"]["edited"] is True and confirmed["data"]["word"] == "tidy-up"


def test_yes_never_gives_the_word_for_an_edit(tmp_path: Path) -> None:
    rb, env = _setup(tmp_path)
    stopped = without_terminal(tmp_path, "run", str(rb), "--yes", "--answer", "1.1:run=e", env=env)
    assert stopped.returncode == 2
    assert "unanswered question 1.1:confirm: 1.1 as edited is destructive" in stopped.stderr
    assert (tmp_path / "victim").is_dir() and not (tmp_path / "hello.txt").exists()
    given = without_terminal(
        tmp_path, "run", str(rb), "--answer", "1.1:run=e", "--answer", "1.1:confirm=tidy-up", env=env
    )
    assert given.returncode == 0, given.stderr
    assert not (tmp_path / "victim").exists()


def test_an_edit_that_stays_plain_asks_nothing_more(tmp_path: Path) -> None:
    rb, env = _setup(tmp_path)
    env["EDIT_TO"] = "echo edited > hello.txt"
    done = without_terminal(tmp_path, "run", str(rb), "--answer", "1.1:run=e", env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "hello.txt").read_text() == "edited\n"
    assert not [e for e in journal(tmp_path) if e["type"] == "step.confirmed"]


def test_an_edit_after_a_failure_is_judged_too(tmp_path: Path) -> None:
    rb, env = _setup(tmp_path)
    (tmp_path / "hello.txt").mkdir()  # `echo hello > hello.txt` fails on a directory
    stopped = without_terminal(
        tmp_path, "run", str(rb), "--answer", "1.1:run=r", "--answer", "1.1:failed=e", env=env
    )
    assert stopped.returncode == 2
    assert "unanswered question 1.1:confirm" in stopped.stderr
    assert (tmp_path / "victim").is_dir()
