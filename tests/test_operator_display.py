"""Issue 14, findings 5, 7 and 13: what the operator sees. Commands exactly as they run, every line;
the step shown before its questions; a clock and how to stop a long command; waiting for a
condition with a countdown; `HEAD~1` as a value; nothing folded mid-word at 80 columns."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support.operator import environment, finish, journal, plain, processes, runbook, spawn, wait_for
from support.runs import write


def test_a_command_of_several_lines_is_shown_and_echoed_whole_without_doubled_backslashes(
    tmp_path: Path,
) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Lines
        1. **Write two lines**
           ```bash
           printf '%s\\n' first \\
             second > lines.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Run 1.1:")
    shown = plain(child.before)
    child.sendline("r")
    status, ran = finish(child)
    assert status == 0 and (tmp_path / "lines.txt").read_text() == "first\nsecond\n"
    # Before the fix: `first \\` in the preview, and only the first line echoed when it ran.
    assert "  $ printf '%s\\n' first \\\n  >   second > lines.txt\n" in shown
    assert "\\\\" not in shown
    assert "  $ printf '%s\\n' first \\\n  >   second > lines.txt\n" in plain(ran)


def test_the_step_is_shown_before_its_questions_and_a_git_revision_is_a_value(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Release
        1. **Record the release to go back to**
           ```bash
           echo <release-tag> > tag.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Value for <release-tag>")
    before = plain(child.before)
    # Before the fix, the value was asked before the step's title and commands were shown.
    assert "▶ 1.1 Record the release to go back to" in before and "$ echo <release-tag> > tag.txt" in before
    child.expect_exact(": ")
    child.sendline("HEAD~1")  # refused before the fix, although v1.2.0-rc1 passed
    child.expect_exact("? Run 1.1:")
    assert "$ echo HEAD~1 > tag.txt" in plain(child.before)  # as it will run
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0 and (tmp_path / "tag.txt").read_text() == "HEAD~1\n"


def test_a_value_that_is_not_plain_is_refused_with_the_rule_as_it_is(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Release
        1. **Record**
           ```bash
           echo <release-tag> > tag.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Value for <release-tag>")
    child.expect_exact(": ")
    child.sendline("v1; rm -rf ~")
    child.expect_exact("cannot fill <release-tag>")
    child.expect_exact("? Value for <release-tag>")
    refusal = plain(child.before)
    # The message says what is allowed: a dash (not first) and a git revision's ~N are.
    assert "- (a dash not first)" in refusal and "HEAD~1" in refusal
    child.expect_exact(": ")
    child.sendline("v1.2.0-rc1")
    child.expect_exact("? Run 1.1:")
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0 and (tmp_path / "tag.txt").read_text() == "v1.2.0-rc1\n"


def test_a_long_command_shows_a_clock_and_how_to_stop_it(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Slow
        1. **Wait for the drain**
           ```bash
           sleep 6
           ```
        2. **Follow the log**
           ```bash
           touch app.log
           tail -f app.log
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--yes", "--runs-dir", "runs", cwd=tmp_path)
    # Before the fix, nothing moved during a long command.
    child.expect(r"⏱ 0:0\d running — Ctrl-C stops it, the run goes on")
    child.expect_exact("tail -f app.log")
    child.expect_exact("(it runs until stopped: Ctrl-C stops it, the run goes on)")
    wait_for(lambda: processes("^tail -f app.log$"))
    child.sendintr()
    status, _ = finish(child)
    assert status == 0
    [end] = [e for e in journal(tmp_path / "runs") if e["type"] == "step.finished" and e["step"] == "1.2"]
    assert end["data"]["status"] == "stopped"


def test_waiting_for_a_condition_checks_again_with_a_countdown_until_it_holds(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Wait for it
        1. **Wait until healthy**
           ```bash
           cat status.json
           # Expected within 1m: {"status": "healthy"}
           ```
        """,
    )
    (tmp_path / "status.json").write_text('{"status": "starting"}\n')
    later = subprocess.Popen(
        ["bash", "-c", """sleep 4; echo '{"status": "healthy"}' > status.json"""], cwd=tmp_path
    )
    try:
        child = spawn("run", str(rb), "-p", "1", "--yes", "--runs-dir", "runs", cwd=tmp_path)
        child.expect(r"waiting for \{\"status\": \"healthy\"\}: 0:\d\d left, checked 1 time")
        status, _ = finish(child)
    finally:
        later.wait()
    assert status == 0
    events = journal(tmp_path / "runs")
    [done] = [e["data"] for e in events if e["type"] == "command.finished"]
    [check] = [e["data"] for e in events if e["type"] == "expectation.checked"]
    assert done["status"] == "ok" and done["checks"] >= 2 and check["result"] == "passed"


def test_at_80_columns_runs_timeline_and_menus_break_between_words(tmp_path: Path) -> None:
    long_title = "Restore the primary database from the most recent verified nightly snapshot"
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: {long_title}
        1. **{long_title}**
           ```bash
           echo "restoring the primary database from the most recent verified nightly snapshot now" > r.txt
           ```
        """,
        name="a-runbook-with-a-rather-long-file-name-in-a-deep-folder.md",
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path, columns=80)
    child.expect_exact("? Run 1.1:")
    menu = plain(child.before)
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0
    [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
    shown = {}
    for name, args in {"runs": ("runs",), "timeline": ("timeline", run_id)}.items():
        child = spawn(*args, "--runs-dir", "runs", cwd=tmp_path, columns=80)
        _, shown[name] = finish(child)
    shown = {k: plain(v) for k, v in shown.items()}
    for name, text in {"menu": menu, **shown}.items():
        # Before the fix, lines ran past 80 columns and the terminal folded them mid-word. Only a
        # word longer than a line may (a path, printed whole to be copied).
        too_long = [line for line in text.splitlines() if len(line) > 80 and max(map(len, line.split())) < 60]
        assert not too_long, (name, too_long)
    assert run_id in shown["runs"].split()  # the id, whole
    words = " ".join(shown["timeline"].split())
    assert "verified nightly snapshot" in words and "restoring the primary" in words
    # A command folded to fit is still the command: its pieces, joined, are what ran.
    command = (
        'echo "restoring the primary database from the most recent verified nightly snapshot now" > r.txt'
    )
    lines = [line for line in menu.splitlines() if line.startswith(("  $ ", "      "))]
    assert "".join(line[4:] if line.startswith("  $ ") else line[6:] for line in lines) == command
    listed = json.loads(
        runbook("runs", "--runs-dir", "runs", "--json", cwd=tmp_path, env=environment()).stdout
    )
    assert [r["id"] for r in listed] == [run_id]


def test_an_optional_step_is_shown_before_it_is_asked_whether_it_applies(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Release
        1. **Try it on staging first (if available)**
           ```bash
           echo staging > where.txt
           ```
        """,
    )
    child = spawn("run", str(rb), "-p", "1", "--runs-dir", "runs", cwd=tmp_path)
    child.expect_exact("? Does 1.1 apply?")
    before = plain(child.before)
    # Asked blind before: the operator could not see what "1.1" was about.
    assert "▶ 1.1 Try it on staging first" in before and "$ echo staging > where.txt" in before
    child.expect_exact(": ")
    child.sendline("y")
    child.expect_exact("? Run 1.1:")
    assert "▶ 1.1" not in plain(child.before)  # shown once, not again
    child.sendline("r")
    status, _ = finish(child)
    assert status == 0 and (tmp_path / "where.txt").read_text() == "staging\n"
