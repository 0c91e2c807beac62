"""Events checked on read in every store (issue 17): a hostile or damaged journal is refused, named.

A journal is data: anyone who can write the runs folder or the shared store can edit it, and a
resume restores variables from it. So the folder and PostgreSQL check what they read as they
check what they write: each event against schemas/events.json (names in `exports` and `inputs`
plain identifiers, output names `outputs/SHA256.log`, run ids of one form), filed under its own
run, numbered 1, 2, 3. The refusal names the run, the event and what is wrong; `runbook
timeline` still shows the events before the damage. Rows here are written with SQL or by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from support.hostile import RUN, T0, event, finished_step, insert_rows, output_name, started, write_journal
from support.services import empty_database  # noqa: F401 (a fixture)

from interpreter.cli import main
from interpreter.errors import DamagedJournalError
from interpreter.journal.folder import DirectoryStore
from interpreter.journal.postgres import PostgresStore

RUNBOOK = "# T\n\n## Procedure 1: Do it\n\n1. **Step one**\n\n   ```bash\n   echo one\n   ```\n\n2. **Step two**\n\n   ```bash\n   echo two\n   ```\n"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _runbook(tmp_path: Path) -> Path:
    path = tmp_path / "rb.md"
    path.write_text(RUNBOOK)
    return path


def _hostile_events(runbook: Path) -> list[dict[str, Any]]:
    """A killed run whose step 1 exported an exported function: code for whoever resumes."""
    from interpreter.parse.source import read_source

    first = started(path=str(runbook))
    first["data"]["runbook"]["sha256"] = read_source(runbook).sha256
    return [
        first,
        event(2, "step.started", {"attempt": 1, "commands": ["echo one"], "title": "Step one"}, step="1.1"),
        finished_step(3, [output_name(b"one\n")], exports={"BASH_FUNC_echo%%": "() { touch /tmp/owned; }"}),
    ]


def test_resume_from_a_postgresql_row_with_an_exported_function_is_refused(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    runbook = _runbook(tmp_path)
    insert_rows(empty_database, RUN, _hostile_events(runbook), {output_name(b"one\n"): b"one\n"})
    owned = Path("/tmp/owned")
    owned.unlink(missing_ok=True)

    resumed = cli("resume", RUN, "--store", empty_database, "--yes", "--runs-dir", str(tmp_path / "runs"))
    shown = cli("timeline", RUN, "--store", empty_database)

    assert resumed.exit_code == 3 and not owned.exists()
    assert (
        f"run {RUN} event 3 exports 'BASH_FUNC_echo%%', refused: bash reads it as a function"
        in resumed.stderr
    )
    assert "Traceback" not in resumed.output
    # The timeline shows the two events before the damage, then names it.
    assert shown.exit_code == 3 and "run started" in shown.output and "started (attempt 1)" in shown.output
    assert "event 3" in shown.stderr


def test_resume_from_a_folder_journal_with_an_exported_function_is_refused(tmp_path: Path) -> None:
    runbook = _runbook(tmp_path)
    write_journal(tmp_path / "runs", RUN, _hostile_events(runbook))
    resumed = cli("resume", RUN, "--runs-dir", str(tmp_path / "runs"), "--yes")
    assert resumed.exit_code == 3 and "event 3 exports 'BASH_FUNC_echo%%', refused" in resumed.stderr


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (lambda e: {**e, "run": "20261129-999999-ffffff"}, "belongs to run 20261129-999999-ffffff"),
        (lambda e: {**e, "seq": 7}, "is numbered 7 where 2 comes next"),
        (lambda e: [e], "not a JSON object but list"),
        (lambda e: {**e, "data": {**e["data"], "inputs": {"A B": "x"}}}, "has the input 'A B', refused"),
        (lambda e: {**e, "data": {**e["data"], "inputs": {"BASH_ENV": "/tmp/x"}}}, "'BASH_ENV', refused"),
        (lambda e: {**e, "time": "yesterday"}, "breaks schemas/events.json at 'time"),
    ],
)
def test_every_store_names_the_run_the_event_and_the_fault(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    spoil: Any,
    said: str,
) -> None:
    note = event(2, "note.added", {"text": "hello"})
    events = [started(), spoil(note)]
    if "refused" in said or said.startswith("breaks"):
        events = [spoil(started())]
    insert_rows(empty_database, RUN, events)
    write_journal(tmp_path / "runs", RUN, events)
    for store in (PostgresStore(empty_database, tmp_path / "runs"), DirectoryStore(tmp_path / "runs")):
        with pytest.raises(DamagedJournalError, match=said) as raised, store:
            store.events(RUN)
        assert f"run {RUN} event" in raised.value.message
        assert raised.value.exit_code == 3


def test_import_refuses_a_hostile_run_whole_and_copies_the_others(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    runbook = _runbook(tmp_path)
    write_journal(tmp_path / "runs", RUN, _hostile_events(runbook))
    good = "20261129-101012-abcdef"
    write_journal(tmp_path / "runs", good, [started(run=good)])

    imported = cli("runs", "import", str(tmp_path / "runs"), "--store", empty_database)

    assert imported.exit_code == 3
    assert "1 run(s) copied" in imported.stderr and "1 refused" in imported.stderr
    with PostgresStore(empty_database, tmp_path) as store:
        assert store.run_ids() == [good]


def test_runs_lists_the_readable_runs_and_names_the_damaged_ones(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_journal(runs, RUN, [started(), "{not json", event(3, "note.added", {"text": "x"})])
    good = "20261129-101012-abcdef"
    write_journal(runs, good, [started(run=good)])
    (runs / "not-a-run").mkdir()
    (runs / "not-a-run" / "journal.jsonl").write_text(json.dumps(started()) + "\n")

    listed = cli("runs", "--runs-dir", str(runs))
    shown = cli("timeline", RUN, "--runs-dir", str(runs))

    assert listed.exit_code == 3 and good in listed.output
    assert f"{RUN}/journal.jsonl:2: damaged journal line (not JSON)" in listed.stderr
    assert "'not-a-run' is not a run id" in listed.stderr
    assert (
        shown.exit_code == 3 and "run started" in shown.output and ":2: damaged journal line" in shown.stderr
    )


def test_a_journal_ending_in_valid_json_that_is_not_an_event_is_reported_not_a_traceback(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    # Without a final newline, the last line is read as a torn write: left out, and said so.
    write_journal(runs, RUN, [started(), "[]"], tail="")
    torn = cli("timeline", RUN, "--runs-dir", str(runs))
    assert torn.exit_code == 0 and "run started" in torn.output and "torn" in torn.stderr
    # With one, it is damage: named, exit 3. A note is refused rather than appended after it.
    write_journal(runs, RUN, [started(), '{"seq": "x"}'])
    damaged = cli("postmortem", RUN, "--runs-dir", str(runs))
    noted = cli("note", RUN, "hello", "--runs-dir", str(runs))
    assert damaged.exit_code == 3 and "event 2" in damaged.stderr and "Traceback" not in damaged.output
    assert noted.exit_code == 3 and "Traceback" not in noted.output


def test_an_event_time_without_a_fraction_of_a_second_reads_everywhere(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    whole = T0.replace(".000000Z", "Z")
    finished = event(2, "run.finished", {"status": "ok", "exit_code": 0})
    write_journal(runs, RUN, [{**started(), "time": whole}, {**finished, "time": "2026-11-29T10:10:12Z"}])
    for args in (("timeline", RUN), ("postmortem", RUN), ("postmortem", RUN, "--format", "html"), ("runs",)):
        result = cli(*args, "--runs-dir", str(runs))
        assert result.exit_code == 0, (args, result.stderr)
    assert "0:02" in cli("runs", "--runs-dir", str(runs)).output


def test_the_names_a_step_exports_are_journaled_only_when_plain(tmp_path: Path) -> None:
    """A step that exports a function still runs and is journaled; the function is not kept
    (a resume must never read code from a journal)."""
    runbook = tmp_path / "fn.md"
    runbook.write_text(
        "# F\n\n## Procedure 1: P\n\n1. **Define**\n\n   ```bash\n   greet() { echo hi; }; export -f greet; export PLAIN=1\n   ```\n"
    )
    result = cli("run", str(runbook), "-p", "1", "--yes", "--runs-dir", str(tmp_path / "runs"))
    assert result.exit_code == 0, result.stderr
    [run] = (tmp_path / "runs").iterdir()
    events = [json.loads(line) for line in (run / "journal.jsonl").read_text().splitlines()]
    [step] = [e for e in events if e["type"] == "step.finished"]
    assert step["data"]["exports"].get("PLAIN") == "1"
    assert not [name for name in step["data"]["exports"] if not name.isidentifier()]
