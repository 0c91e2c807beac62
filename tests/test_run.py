"""Running procedures for real: bash, process groups, the journal, secrets, failures, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest
from click.testing import CliRunner
from support.paths import ROOT, runbook_command
from support.runs import finished, journal, run, sleepers, spawn, start_in_background, write

from interpreter.cli import main
from interpreter.journal.files import read_events

DEMO = ROOT / "runbooks" / "demo-rollback.md"


def test_the_demo_rolls_back_to_the_previous_tag_for_real(tmp_path: Path) -> None:
    result = run(tmp_path, str(DEMO), "--procedure", "1", "--yes", env={"DEMO_DIR": str(tmp_path / "demo")})
    assert result.exit_code == 0, result.output
    service = tmp_path / "demo" / "service"
    described = subprocess.run(["git", "describe", "--tags"], cwd=service, capture_output=True, text=True)
    assert described.stdout.strip() == "v1.0"
    events = journal(tmp_path)
    checks = [(e["step"], e["data"]["result"]) for e in events if e["type"] == "expectation.checked"]
    assert checks == [("1.2", "passed"), ("1.5", "passed")]
    [announced] = [e for e in events if e["type"] == "template.announced"]
    assert "rolled back to v1.0" in announced["data"]["text"]
    assert finished(events, "1.3")["exports"]["STABLE_TAG"] == "v1.0"
    assert events[0]["data"]["runbook"]["commit"]  # provenance from git
    assert events[-1]["data"] == {"status": "ok", "exit_code": 0, "reason": ""}


def test_variables_and_directory_carry_from_block_to_block(tmp_path: Path) -> None:
    (tmp_path / "place").mkdir()
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Carry
        1. **Set things**
           ```bash
           cd place
           export GREETING=hello
           NAME=world
           ```
        2. **Use them**
           ```bash
           echo "$GREETING $NAME from $(basename "$PWD")" > ../carried.txt
           ```
        3. **Pipes fail when any part fails**
           ```bash
           false | true
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert (tmp_path / "carried.txt").read_text() == "hello world from place\n"
    assert result.exit_code == 1  # set -o pipefail: `false | true` fails step 3
    assert finished(journal(tmp_path), "1.3")["exit_code"] == 1


def test_a_value_can_never_run_as_a_command(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Echo
        1. **Echo the target**
           ```bash
           echo "target: $TARGET" > out1.txt
           echo <release> > out2.txt
           bash -c 'echo <release>' > out3.txt
           echo "<release>" > out4.txt
           ```
        """,
    )
    attacks = [
        f"x; touch {pwned}",
        f"$(touch {pwned})",
        f"`touch {pwned}`",
        f"x\ntouch {pwned}",
        f"'; touch {pwned}; '",
        "--upload-pack=touch",
        "*",
    ]
    for attack in attacks:
        # Variables reach commands as environment variables: data, whatever they hold.
        result = run(
            tmp_path,
            str(rb),
            "-p",
            "1",
            "--yes",
            "--var",
            f"TARGET={attack}",
            "--answer",
            "placeholder:<release>=v1.2.0",
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out1.txt").read_text() == f"target: {attack}\n"
        for name in ("out2.txt", "out3.txt", "out4.txt"):
            assert (tmp_path / name).read_text() == "v1.2.0\n"
        # A placeholder's value is written into the command (even into `bash -c '…'`), so only
        # plain values are accepted; anything else is refused before a command runs.
        for name in ("out1.txt", "out2.txt", "out3.txt", "out4.txt"):
            (tmp_path / name).unlink()
        refused = run(
            tmp_path,
            str(rb),
            "-p",
            "1",
            "--yes",
            "--var",
            "TARGET=ok",
            "--answer",
            f"placeholder:<release>={attack}",
        )
        assert refused.exit_code == 2 and "cannot fill <release>" in refused.stderr
        assert not (tmp_path / "out1.txt").exists()
    assert not pwned.exists()


def test_a_prompted_value_can_never_run_as_a_command(tmp_path: Path, monkeypatch: Any) -> None:
    """The same through the terminal prompter (its input function scripted)."""
    from rich.console import Console

    from interpreter.run.launch import RunRequest, start_run
    from interpreter.run.questions import TerminalPrompter
    from interpreter.run.runner import RunOptions
    from interpreter.run.view import TerminalView

    pwned = tmp_path / "pwned"
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Deploy
        1. **Check out**
           ```bash
           echo "$RELEASE" > out.txt
           echo <tag> >> out.txt
           ```
        """,
    )
    attack = f"v1; touch {pwned}"
    replies = iter([attack, attack, "v1", "r"])  # the second attack is refused, then v1 is given
    prompter = TerminalPrompter(write=lambda text: None, read=lambda prompt: next(replies))
    request = RunRequest(RunOptions(interactive=True), {}, {}, {}, str(tmp_path / "runs"), cwd=str(tmp_path))
    with open(os.devnull, "w") as text, open(os.devnull, "wb") as raw:
        view = TerminalView(Console(file=text), raw=raw)
        code, _ = start_run(str(rb), "1", request, view, prompter, subprocess.Popen)
    assert code == 0 and not pwned.exists()
    assert (tmp_path / "out.txt").read_text() == f"{attack}\nv1\n"


def test_a_secret_is_absent_from_every_file_of_the_run(tmp_path: Path) -> None:
    secret = "hunter2-very-secret"
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Use a secret
        1. **Log in**
           ```bash
           echo "logging in with $DB_PASSWORD"
           printf 'token=%s\\n' "$DB_PASSWORD" | tr a-z a-z
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--var", f"DB_PASSWORD={secret}")
    assert result.exit_code == 0, result.output
    assert secret not in result.output and "logging in with ••••" in result.output
    files = [p for p in (tmp_path / "runs").rglob("*") if p.is_file()]
    assert len(files) >= 3
    for path in files:
        assert secret.encode() not in path.read_bytes(), path
    outputs = b"".join(p.read_bytes() for p in files if p.suffix == ".log")
    assert b"token=\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" in outputs


def test_a_timeout_kills_the_command(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Slow
        1. **Wait too long**
           ```bash {timeout=1}
           sleep 30
           ```
        """,
    )
    started = time.monotonic()
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 1
    assert time.monotonic() - started < 20
    data = finished(journal(tmp_path), "1.1")
    assert data["status"] == "timeout" and data["commands"][0]["status"] == "timeout"


def test_a_failed_literal_expectation_fails_the_step(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Health
        1. **Check health**
           ```bash
           echo '{"status": "down", "version": "v2"}'
           # Expected: {"status": "healthy"}
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 1
    events = journal(tmp_path)
    [check] = [e for e in events if e["type"] == "expectation.checked"]
    assert check["data"]["result"] == "failed"
    assert events[-1]["data"]["status"] == "failed"


def test_destructive_steps_need_more_than_yes(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Wipe
        1. **Wipe the data**
           ```bash
           rm -rf data
           ```
        """,
    )
    refused = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert refused.exit_code == 2 and (tmp_path / "data").exists()
    assert "unanswered question 1.1:confirm" in refused.stderr and "--allow-destructive" in refused.stderr
    allowed = run(tmp_path, str(rb), "-p", "1", "--yes", "--allow-destructive")
    assert allowed.exit_code == 0 and not (tmp_path / "data").exists()
    journals = [read_events(d / "journal.jsonl")[0] for d in (tmp_path / "runs").iterdir()]
    [events] = [e for e in journals if e[0]["data"]["mode"]["allow_destructive"]]
    [confirmed] = [e for e in events if e["type"] == "step.confirmed"]
    assert confirmed["data"] == {"kind": "typed", "word": "wipe", "by": "allow-destructive"}


def test_dry_run_shows_the_plan_and_every_question(tmp_path: Path) -> None:
    from support.paths import SEED

    runs = tmp_path / "runs"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SEED),
            "-p",
            "2",
            "--dry-run",
            "--answer",
            "placeholder:abc123f=v1.2.0",
            "--runs-dir",
            str(runs),
        ],
    )
    assert result.exit_code == 0
    text = result.output
    assert "asks 2:start" in text and "asks 2.prerequisites.1" in text and "asks 2.3=a|b" in text
    assert "$ git checkout v1.2.0  # Commit before migration" in text
    assert "asks var:STAGING_DATABASE_URL — $STAGING_DATABASE_URL (--var STAGING_DATABASE_URL=VALUE)" in text
    assert "asks severity=P0|P1|P2|P3|skip" in text  # asked by the real run too
    assert not runs.exists()  # nothing journaled, nothing run


def test_ctrl_c_stops_the_command_and_its_children_not_the_run(tmp_path: Path) -> None:
    seconds = 4000 + os.getpid() % 1000  # sleeps no other test starts
    marker = f"^sleep {seconds}[12]$"
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Hang
        1. **Hang with children**
           ```bash
           sleep {seconds}1 & sleep {seconds}2; wait
           ```
        2. **Afterwards**
           ```bash
           echo after > after.txt
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb), "-p", "1", "--yes")
    try:
        child.expect_exact(f"$ sleep {seconds}1")
        deadline = time.monotonic() + 10
        while len(sleepers(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(sleepers(marker)) == 2
        child.sendintr()
        child.expect_exact("What now")  # back at the prompt: the run goes on
        assert sleepers(marker) == []  # the whole group is gone: no orphan
    finally:
        subprocess.run(["pkill", "-f", marker], check=False)
    child.sendline("s")  # skip the interrupted step
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "after.txt").exists()
    events = journal(tmp_path)
    assert finished(events, "1.1")["status"] == "interrupted"


def test_a_never_ending_command_stopped_by_the_operator_is_not_a_failure(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Follow
        1. **Follow the log**
           ```bash
           touch app.log
           tail -f app.log
           ```
        2. **Next**
           ```bash
           echo next > next.txt
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb), "-p", "1", "--yes")
    child.expect_exact("$ tail -f app.log")
    time.sleep(0.5)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "next.txt").exists()
    assert finished(journal(tmp_path), "1.1")["status"] == "stopped"


def test_kill_9_then_resume_settles_the_step_in_doubt(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Three steps
        1. **One**
           ```bash
           echo one >> one.txt
           ```
        2. **Two**
           ```bash
           echo started >> two.txt
           echo "halfway there"
           if [ ! -f two.done ]; then touch two.done; sleep 4244; fi
           ```
        3. **Three**
           ```bash
           echo three >> three.txt
           ```
        """,
    )
    process = start_in_background(tmp_path, rb, "^sleep 4244$")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    for pid in sleepers("^sleep 4244$"):
        os.kill(int(pid), signal.SIGKILL)  # the command outlives the interpreter; tidy up
    [directory] = sorted((tmp_path / "runs").iterdir())
    journal_path = directory / "journal.jsonl"
    with open(journal_path, "ab") as handle:
        handle.write(b'{"v":1,"seq":99,"run":"torn')  # a write cut by the kill
    events, torn = read_events(journal_path)
    # The journal names the command that was running (the third), after the two that finished.
    assert torn and (events[-1]["type"], events[-1]["step"], events[-1]["data"]["index"]) == (
        "command.started",
        "1.2",
        3,
    )
    timeline = CliRunner().invoke(main, ["timeline", directory.name, "--runs-dir", str(tmp_path / "runs")])
    assert timeline.exit_code == 0 and "torn" in timeline.stderr

    # Resumed from anywhere (here /): the journal knows the runbook and the directory.
    stopped = subprocess.run(
        runbook_command("resume", directory.name, "--runs-dir", str(tmp_path / "runs")),
        cwd="/",
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert stopped.returncode == 2 and "unanswered question 1.2:in-doubt" in stopped.stderr
    assert "halfway there" in stopped.stdout  # the partial output of the step in doubt is shown
    # Each output is named by its command and what the journal knows of it, not a file name alone.
    assert "--- output of command 2, it ended ok (" in stopped.stdout
    resumed = CliRunner().invoke(
        main,
        # --yes is the resuming operator's own choice: it is not inherited from the first run.
        [
            "resume",
            directory.name,
            "--runs-dir",
            str(tmp_path / "runs"),
            "--answer",
            "1.2:in-doubt=rerun",
            "--yes",
        ],
    )
    assert resumed.exit_code == 0, resumed.output
    assert (tmp_path / "one.txt").read_text() == "one\n"  # finished steps never run again
    # The step goes on from its unfinished command: what finished before the kill is not repeated.
    assert (tmp_path / "two.txt").read_text() == "started\n"
    assert (tmp_path / "three.txt").read_text() == "three\n"
    events, torn = read_events(journal_path)
    assert not torn  # the torn tail was cut before appending
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    kinds = [e["type"] for e in events]
    assert kinds.count("run.resumed") == 2 and "step.in-doubt" in kinds
    assert json.dumps(events[-1]["data"]) == json.dumps({"status": "ok", "exit_code": 0, "reason": ""})
    # The timeline's line for the rerun names what it ran: from command 3, not the step's first.
    timeline = CliRunner().invoke(main, ["timeline", directory.name, "--runs-dir", str(tmp_path / "runs")])
    assert "started (attempt 2, from command 3): if [ ! -f two.done ]" in timeline.output


@pytest.mark.parametrize("flag", ["--non-interactive", None])
def test_gate_refused_stops_the_run_with_the_reason(tmp_path: Path, flag: str | None) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Gated
        #### Prerequisites
        - [ ] Backup taken
        #### Steps
        1. **Do it**
           ```bash
           echo done > done.txt
           ```
        """,
    )
    args = ["-p", "1", "--yes", "--answer", "1.prerequisites.1=no"] + ([flag] if flag else [])
    result = run(tmp_path, str(rb), *args)
    assert result.exit_code == 1 and not (tmp_path / "done.txt").exists()
    events = journal(tmp_path)
    kinds = [e["type"] for e in events if e["type"] != "environment.snapshot"]
    assert kinds[-2:] == ["gate.refused", "run.finished"]
    assert events[-1]["data"]["reason"] == "prerequisite not met: Backup taken"


def test_note_shell_and_edit_before_a_step(tmp_path: Path, monkeypatch: Any) -> None:
    """The operator's answers before a step: a note, a shell in the run's environment, an edit."""
    from rich.console import Console

    from interpreter.run.launch import RunRequest, start_run
    from interpreter.run.questions import TerminalPrompter
    from interpreter.run.runner import RunOptions
    from interpreter.run.view import TerminalView

    rb = write(
        tmp_path,
        """
        ## Procedure 1: Edit me
        1. **Write a word**
           ```bash
           cd sub
           echo one > ../out.txt
           ```
        2. **Later step**
           ```bash
           echo later > ../later.txt
           ```
        """,
    )
    (tmp_path / "sub").mkdir()
    shell = write(tmp_path, '#!/bin/sh\necho "$PWD $GREETING" > "$OUT_DIR/shell.txt"\n', "fakeshell.sh")
    shell.chmod(0o755)
    editor = write(tmp_path, "#!/bin/sh\nsed -i 's/one/two/' \"$1\"\n", "editor.sh")
    editor.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("OUT_DIR", str(tmp_path))
    replies = iter(["n", "checked with the DBA", "e", "r"])
    asked: list[str] = []

    def read(prompt: str) -> str:
        asked.append(prompt)
        return next(replies)

    prompter = TerminalPrompter(write=lambda text: None, read=read)
    request = RunRequest(
        RunOptions(interactive=True, from_step=None),
        {},
        {"GREETING": "hi"},
        {},
        str(tmp_path / "runs"),
        cwd=str(tmp_path),
    )
    with open(os.devnull, "w") as text, open(os.devnull, "wb") as raw:
        code, _ = start_run(
            str(rb), "1", request, TerminalView(Console(file=text), raw=raw), prompter, subprocess.Popen
        )
    assert code == 0
    assert (tmp_path / "out.txt").read_text() == "two\n"  # the edited text is what ran
    events = journal(tmp_path)
    [note] = [e for e in events if e["type"] == "note.added"]
    assert note["step"] == "1.1" and note["data"]["text"] == "checked with the DBA"
    started = next(e for e in events if e["type"] == "step.started" and e["step"] == "1.1")["data"]
    assert started["commands"] == ["cd sub", "echo two > ../out.txt"]
    assert "echo one > ../out.txt" in started["edited"]["original"]

    # The shell opens in the run's directory and environment; `exit` comes back to the run.
    replies = iter(["h", "r"])
    request = RunRequest(
        RunOptions(interactive=True, from_step="1.2"),
        {},
        {"GREETING": "hi"},
        {},
        str(tmp_path / "runs2"),
        cwd=str(tmp_path),
    )
    with open(os.devnull, "w") as text, open(os.devnull, "wb") as raw:
        code, _ = start_run(
            str(rb), "1", request, TerminalView(Console(file=text), raw=raw), prompter, subprocess.Popen
        )
    assert code == 0
    assert (tmp_path / "shell.txt").read_text() == f"{tmp_path} hi\n"
    assert (tmp_path.parent / "later.txt").exists()
    (tmp_path.parent / "later.txt").unlink()


def test_from_step_starts_there(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Steps
        1. **First**
           ```bash
           echo first > first.txt
           ```
        2. **Second**
           ```bash
           echo second > second.txt
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--from-step", "1.2")
    assert result.exit_code == 0
    assert not (tmp_path / "first.txt").exists() and (tmp_path / "second.txt").exists()
    unknown = run(tmp_path, str(rb), "-p", "1", "--yes", "--from-step", "9.9")
    assert unknown.exit_code == 2 and "no step '9.9'" in unknown.stderr


def test_in_a_terminal_commands_can_read_it(tmp_path: Path) -> None:
    """docker-compose exec, sudo and ssh need a terminal on their input; they get the operator's."""
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Terminal
        1. **Check the input**
           ```bash
           if [ -t 0 ]; then echo "input is a terminal"; else echo "input is not a terminal"; fi
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb), "-p", "1", "--yes")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "input is a terminal" in child.before
    piped = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert "input is not a terminal" in piped.output
