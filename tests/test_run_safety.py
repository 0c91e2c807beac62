"""What a second, adversarial look at `runbook run` and `resume` found, each kept fixed by a test."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import ROOT, runbook_command
from support.runs import finished, journal, run, sleepers, start_in_background, write

from interpreter.cli import main


def _resume(tmp: Path, run_id: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["resume", run_id, "--runs-dir", str(tmp / "runs"), *args])


def _run_id(tmp: Path) -> str:
    [directory] = list((tmp / "runs").iterdir())
    return directory.name


def test_resume_confirms_a_high_risk_procedure_again(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Risky
        **Risk**: HIGH - production data
        1. **Do it**
           ```bash
           echo done > done.txt
           ```
        """,
    )
    first = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", "1:start=risky", "--answer", "1.1:run=a")
    assert first.exit_code == 1  # aborted at the step
    again = _resume(tmp_path, _run_id(tmp_path), "--yes")
    assert again.exit_code == 2 and "unanswered question 1:start" in again.stderr
    assert not (tmp_path / "done.txt").exists()


def test_resume_does_not_inherit_allow_destructive(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Wipe
        1. **First**
           ```bash
           false
           ```
        2. **Wipe**
           ```bash
           rm -rf data
           ```
        """,
    )
    first = run(tmp_path, str(rb), "-p", "1", "--yes", "--allow-destructive")
    assert first.exit_code == 1
    again = _resume(tmp_path, _run_id(tmp_path), "--yes", "--answer", "1.1:failed=s")
    assert again.exit_code == 2 and "1.2:confirm" in again.stderr and (tmp_path / "data").exists()


def test_a_failed_expectation_is_a_failed_step_for_resume_too(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Health
        1. **Check**
           ```bash
           echo '{"status": "failing"}'
           # Expected: {"status": "healthy"}
           ```
        2. **Deploy**
           ```bash
           echo deployed > deployed.txt
           ```
        """,
    )
    assert run(tmp_path, str(rb), "-p", "1", "--yes").exit_code == 1
    events = journal(tmp_path)
    assert finished(events, "1.1")["status"] == "failed"
    again = _resume(tmp_path, _run_id(tmp_path), "--yes")
    assert again.exit_code == 1 and not (tmp_path / "deployed.txt").exists()


def test_secrets_from_every_door_stay_masked(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Tokens
        1. **Make a token**
           ```bash
           export API_TOKEN=$(printf 'tok-made-%s' by-a-step-123)
           ```
        2. **Use them**
           ```bash
           echo "$API_TOKEN $GITHUB_TOKEN $DB_PASSWORD"
           ```
        """,
    )
    result = run(
        tmp_path,
        str(rb),
        "-p",
        "1",
        "--yes",
        "--var",
        "GITHUB_TOKEN=ghp-given-by-var-456",
        "--answer",
        "var:DB_PASSWORD=pw-given-by-answer-789",
    )
    assert result.exit_code == 0, result.output
    secrets = ["tok-made-by-a-step-123", "ghp-given-by-var-456", "pw-given-by-answer-789"]
    for path in (tmp_path / "runs").rglob("*"):
        if path.is_file():
            for secret in secrets:
                assert secret.encode() not in path.read_bytes(), (path, secret)
    for secret in secrets:
        assert secret not in result.output


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_signal_stops_the_command_and_records_the_end(tmp_path: Path, signum: int, code: int) -> None:
    """SIGTERM, a closed terminal (SIGHUP), or Ctrl-C without a terminal: the command's group is
    stopped, the journal says the run was interrupted, and the exit code says by what."""
    seconds = 5000 + os.getpid() % 1000 + signum
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Hang
        1. **Hang**
           ```bash
           sleep {seconds}
           ```
        """,
    )
    process = start_in_background(tmp_path, rb, f"^sleep {seconds}$")
    try:
        process.send_signal(signum)
        assert process.wait(timeout=20) == code
        assert sleepers(f"^sleep {seconds}$") == []
        events = journal(tmp_path)
        assert events[-1]["type"] == "run.finished"
        assert events[-1]["data"]["status"] == "interrupted" and events[-1]["data"]["exit_code"] == code
    finally:
        subprocess.run(["pkill", "-f", f"^sleep {seconds}$"], check=False)


def test_one_process_per_run(tmp_path: Path) -> None:
    from interpreter.errors import UsageError
    from interpreter.journal.files import Journal

    first = Journal(tmp_path / "run")
    try:
        import pytest

        with pytest.raises(UsageError, match="in use by another runbook process"):
            Journal(tmp_path / "run")
    finally:
        first.close()
    Journal(tmp_path / "run").close()  # free again once the first is gone


def test_a_background_child_does_not_block_the_step(tmp_path: Path) -> None:
    seconds = 6000 + os.getpid() % 1000
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Serve
        1. **Start a server**
           ```bash
           sleep {seconds} &
           echo started
           ```
        """,
    )
    try:
        result = run(tmp_path, str(rb), "-p", "1", "--yes")
        assert result.exit_code == 0
        assert finished(journal(tmp_path), "1.1")["duration"] < 20
    finally:
        subprocess.run(["pkill", "-f", f"^sleep {seconds}$"], check=False)


def test_answers_given_in_advance_are_used_once(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: One
        1. **Step**
           ```bash
           false
           ```
        """,
    )
    notes = run(tmp_path, str(rb), "-p", "1", "--answer", "1.1:run=n", "--answer", "1.1:note=hi")
    assert notes.exit_code == 2 and "unanswered question 1.1:run" in notes.stderr
    retries = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", "1.1:failed=r")
    assert retries.exit_code == 1  # one retry, then the failure stops the run


def test_misspelled_answers_are_refused_before_anything_runs(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: One
        1. **Step**
           ```bash
           echo ran > ran.txt
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", "1.1.run=s")
    assert result.exit_code == 2 and "did you mean 1.1:run" in result.stderr
    assert not (tmp_path / "ran.txt").exists() and not (tmp_path / "runs").exists()


def test_from_step_asks_for_what_skipped_steps_would_have_set(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Clean
        1. **Pick**
           ```bash
           export BACKUP_DIR=/srv/backups
           ```
        2. **Clean**
           ```bash
           echo "cleaning $BACKUP_DIR" > cleaned.txt
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--from-step", "1.2")
    assert result.exit_code == 2 and "var:BACKUP_DIR" in result.stderr
    given = run(tmp_path, str(rb), "-p", "1", "--yes", "--from-step", "1.2", "--var", "BACKUP_DIR=/b")
    assert given.exit_code == 0 and (tmp_path / "cleaned.txt").read_text() == "cleaning /b\n"


def test_from_step_asks_the_prerequisites_and_records_the_steps_it_passes_over(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Gated
        #### Prerequisites
        - [ ] Backup taken
        #### Steps
        1. **Stop**
           ```bash
           echo stopped > stopped.txt
           ```
        2. **Restore**
           ```bash
           echo restored > restored.txt
           ```
        """,
    )
    # Issue 17, item 10: --from-step went past the prerequisite gate without a word.
    unasked = run(tmp_path, str(rb), "-p", "1", "--yes", "--from-step", "1.2")
    assert unasked.exit_code == 2 and "unanswered question 1.prerequisites.1" in unasked.stderr
    assert not (tmp_path / "restored.txt").exists()
    answered = run(
        tmp_path, str(rb), "-p", "1", "--yes", "--from-step", "1.2", "--answer", "1.prerequisites.1=yes"
    )
    assert answered.exit_code == 0, answered.output
    assert (tmp_path / "restored.txt").exists() and not (tmp_path / "stopped.txt").exists()
    runs = [
        [json.loads(line) for line in (d / "journal.jsonl").read_text().splitlines()]
        for d in (tmp_path / "runs").iterdir()
    ]
    [events] = [r for r in runs if r[-1]["data"].get("status") == "ok"]
    assert [(e["type"], e["step"]) for e in events if e["type"].startswith(("gate.", "step.skipped"))] == [
        ("gate.item", "1.prerequisites"),
        ("gate.passed", "1.prerequisites"),
        ("step.skipped", "1.1"),
    ]
    [passed_over] = [e["data"]["reason"] for e in events if e["type"] == "step.skipped"]
    assert passed_over == "not run: the run started at 1.2 (--from-step)"


def test_destructive_work_by_hand_needs_the_typed_word(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Drop
        1. **Drop the old table**
           ```sql
           DROP TABLE old_orders;
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 2 and "1.1:confirm" in result.stderr


def test_answers_files_keep_values_as_written(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Deploy
        1. **Deploy**
           ```bash
           echo <release> > release.txt
           ```
        """,
    )
    answers = tmp_path / "answers.yaml"
    answers.write_text('answers:\n  "placeholder:<release>": 1.10\n')
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--answers", str(answers))
    assert result.exit_code == 0 and (tmp_path / "release.txt").read_text() == "1.10\n"


def test_deep_output_against_a_json_expectation(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Deep
        1. **Print**
           ```bash
           printf '%.0s[' $(seq 1 5000)
           # Expected: {"status": "healthy"}
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert journal(tmp_path)[-1]["type"] == "run.finished"


def test_a_journal_line_that_is_not_an_event_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "runs" / "20261128-000000-abcdef"
    directory.mkdir(parents=True)
    (directory / "journal.jsonl").write_text(json.dumps({"hello": "world"}) + "\n")
    result = CliRunner().invoke(main, ["timeline", directory.name, "--runs-dir", str(tmp_path / "runs")])
    # Exit 3: the journal cannot be trusted as read (issue 17); it names the run and the event.
    assert result.exit_code == 3 and "event 1 breaks schemas/events.json" in result.stderr


def test_method_comments_split_alternatives_and_rm_r_is_destructive(tmp_path: Path) -> None:
    from interpreter.infer.load import load
    from interpreter.plan.graph import graph_json

    rb = write(
        tmp_path,
        """
        ## Procedure 1: Clean
        1. **Clean up**
           ```bash
           # Method 1: remove the folder
           rm -r /srv/app/cache
           # Method 2: empty it
           find /srv/app/cache -mindepth 1 -print
           ```
        """,
    )
    unit = graph_json(load(rb))["procedures"][0]
    choice = next(n for n in unit["nodes"] if n["id"] == "1.1")
    assert choice["kind"] == "choice" and [b["key"] for b in choice["choice"]["branches"]] == ["1", "2"]
    assert next(n for n in unit["nodes"] if n["id"] == "1.1.1")["flags"]["destructive"]


def test_a_closed_output_pipe_does_not_stop_the_run(tmp_path: Path) -> None:
    """`runbook run … | head -3`: the screen goes away, the rollback must not stop half way."""
    rb = tmp_path / "loud.md"
    rb.write_text(
        "# Loud\n\n## Procedure 1: Loud\n\n1. **Loud**\n   ```bash\n   seq 1 200000\n   ```\n"
        "2. **After**\n   ```bash\n   echo after > after.txt\n   ```\n"
    )
    process = subprocess.Popen(
        runbook_command("run", str(rb), "-p", "1", "--yes", "--runs-dir", str(tmp_path / "runs")),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None and process.stderr is not None
    for _ in range(3):
        process.stdout.readline()
    process.stdout.close()  # as `head -3` does
    assert process.wait(timeout=60) == 0
    assert "the output was closed; the run goes on" in process.stderr.read().decode()
    assert (tmp_path / "after.txt").read_text() == "after\n"
    [run_dir] = (tmp_path / "runs").iterdir()
    events = [json.loads(line) for line in (run_dir / "journal.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "run.finished" and events[-1]["data"]["status"] == "ok"


def test_an_answer_its_question_would_refuse_is_refused_before_anything_runs(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Two
        1. **First**
           ```bash
           touch first-ran
           ```
        2. **Second**
           ```bash
           false
           ```
        """,
    )
    refused = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", "1.2:failed=again")
    assert refused.exit_code == 2
    assert "--answer 1.2:failed='again' is not an answer it takes" in refused.output
    assert not (tmp_path / "first-ran").exists() and not (tmp_path / "runs").exists()
    # The option's word is understood as its key.
    taken = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", "1.2:failed=skip")
    assert taken.exit_code == 0, taken.output
