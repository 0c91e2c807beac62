"""sql blocks against the real PostgreSQL: transactions, destructive statements, Ctrl-C, capture."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.paths import FIXTURES, runbook_command
from support.runs import finished, journal, run, write

from interpreter.infer.sql import destructive_sql

PASSWORD = "Sw0rdfish-7731"


def _with_password(url: str) -> str:
    # Trust authentication ignores the password: it is here to prove it is never written.
    return url.replace("postgres@", f"postgres:{PASSWORD}@")


def _scalar(url: str, query: str) -> object:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(query)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def test_back_up_damage_restore_and_count_end_to_end(tmp_path: Path, database: str) -> None:
    runbook = tmp_path / "restore.md"
    runbook.write_text((FIXTURES / "sql-backup-restore.md").read_text("utf-8"), "utf-8")
    # pg_restore --clean is destructive: its typed word is given in advance, as an operator would type it.
    word = "1.4:confirm=restore-the-orders-table-from-a-backup"
    result = run(
        tmp_path, str(runbook), "-p", "1", "--yes", "--answer", word, "--db", _with_password(database)
    )
    assert result.exit_code == 0, result.output
    assert "restored: 5 rows" in result.output
    assert "(1 row)" in result.output and "count" in result.output  # results print as a table
    events = journal(tmp_path)
    damage = finished(events, "1.3")["commands"][0]["sql"]
    assert [s["status"] for s in damage["statements"]] == ["DELETE 3", "UPDATE 1"]
    checks = [e["data"] for e in events if e["type"] == "expectation.checked"]
    assert [(c["text"], c["result"]) for c in checks] == [
        ("5", "passed"),
        ("DELETE 3", "passed"),
        ("5", "passed"),
        ("apple", "passed"),
    ]
    assert _scalar(database, "SELECT count(*) FROM orders") == 5
    assert _scalar(database, "SELECT item FROM orders WHERE id = 1") == "apple"
    # The password is nowhere: not on screen, not in the journal or the outputs.
    assert PASSWORD not in result.output
    for file in (tmp_path / "runs").rglob("*"):
        if file.is_file():
            assert PASSWORD not in file.read_text("utf-8", "replace"), file
    assert "postgres:••••@" in finished(events, "1.1")["commands"][0]["sql"]["database"]
    _scalar(database, "DROP TABLE orders")


def test_no_partial_output_is_left_when_a_sql_check_precedes_a_command(tmp_path: Path, database: str) -> None:
    """A sql block's checks are events inside its step; the output files after them still settle."""
    runbook = write(
        tmp_path,
        "## Procedure 1: Check then report\n\n1. **Check and report**\n"
        "   ```sql\n   SELECT 1;\n   -- Expected: 1\n   ```\n"
        "   ```bash\n   echo reported\n   ```\n",
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", "--db", database)
    assert result.exit_code == 0, result.output
    outputs = [p.name for p in (tmp_path / "runs").rglob("outputs/*")]
    assert len(outputs) == 2 and not [n for n in outputs if n.endswith(".partial")], outputs


def test_a_failing_statement_rolls_its_whole_block_back(tmp_path: Path, database: str) -> None:
    runbook = write(
        tmp_path,
        """
        ## Procedure 1: Half done
        1. **Three statements, the last fails**
           ```sql
           CREATE TABLE half (id int);
           INSERT INTO half VALUES (1);
           SELECT 1 / 0;
           ```
        """,
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", "--db", database)
    assert result.exit_code == 1
    assert "line 6: division by zero" in result.output and "nothing was committed" in result.output
    step = finished(journal(tmp_path), "1.1")
    assert step["status"] == "failed"
    assert _scalar(database, "SELECT to_regclass('public.half')::text") is None


def test_a_commit_inside_a_block_is_refused_and_an_empty_capture_fails(tmp_path: Path, database: str) -> None:
    runbook = write(
        tmp_path,
        """
        ## Procedure 1: Sneaky
        1. **Commit half way**
           ```sql
           CREATE TABLE sneaky (id int);
           COMMIT;
           SELECT 1 / 0;
           ```
        """,
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", "--db", database)
    assert result.exit_code == 1 and "COMMIT would end the block's transaction early" in result.output
    assert _scalar(database, "SELECT to_regclass('public.sneaky')::text") is None  # nothing ran
    empty = write(
        tmp_path,
        """
        ## Procedure 1: Nothing to capture
        1. **Capture from no rows**
           ```sql {capture=ORDER_ID}
           CREATE TABLE kept_back (id int);
           SELECT id FROM kept_back;
           ```
        2. **Use it**
           ```bash
           echo "order $ORDER_ID"
           ```
        """,
    )
    result = run(tmp_path, str(empty), "-p", "1", "--yes", "--db", database)
    assert result.exit_code == 1 and "capture=ORDER_ID: the block's results hold no value" in result.output
    assert "order " not in result.output  # the next step never ran with an empty value
    assert _scalar(database, "SELECT to_regclass('public.kept_back')::text") is None  # rolled back


def test_a_destructive_statement_is_refused_under_yes_alone(tmp_path: Path, database: str) -> None:
    _scalar(database, "CREATE TABLE victim (id int)")
    runbook = write(
        tmp_path,
        """
        ## Procedure 1: Drop it
        1. **Drop the table**
           ```sql
           DROP TABLE victim;
           ```
        """,
    )
    refused = run(tmp_path, str(runbook), "-p", "1", "--yes", "--db", database)
    assert refused.exit_code == 2, refused.output
    assert "1.1:confirm" in refused.output  # names the question and how to answer it
    assert _scalar(database, "SELECT to_regclass('public.victim')::text") == "victim"
    allowed = run(tmp_path, str(runbook), "-p", "1", "--yes", "--allow-destructive", "--db", database)
    assert allowed.exit_code == 0, allowed.output
    assert _scalar(database, "SELECT to_regclass('public.victim')::text") is None


@pytest.mark.parametrize(
    ("statement", "destructive"),
    [
        ("DROP TABLE orders;", True),
        ("TRUNCATE orders;", True),
        ("DELETE FROM orders;", True),
        ("UPDATE orders SET item = 'x';", True),
        ("ALTER TABLE orders DROP COLUMN item;", True),
        ("WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone;", True),
        ("DELETE FROM orders WHERE id > 2;", False),
        ("UPDATE orders SET item = 'x' WHERE id = 1;", False),
        ("SELECT 'DROP TABLE orders' AS text; -- DELETE FROM orders", False),
        ("CREATE TABLE lines (order_id int REFERENCES orders ON DELETE CASCADE);", False),
        ("SELECT * FROM orders FOR UPDATE;", False),
    ],
)
def test_destructive_statements_are_read_from_tokens(statement: str, destructive: bool) -> None:
    assert bool(destructive_sql(statement)) is destructive


def test_ctrl_c_cancels_the_query_on_the_server(tmp_path: Path, database: str) -> None:
    marker = f"runbook-sleep-{os.getpid()}"
    runbook = write(
        tmp_path,
        f"""
        ## Procedure 1: Slow
        1. **A long query**
           ```sql
           SELECT pg_sleep(60) AS "{marker}";
           ```
        """,
    )
    watch = f"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' AND pid <> pg_backend_pid()"
    process = subprocess.Popen(
        runbook_command(
            "run", str(runbook), "-p", "1", "--yes", "--db", database, "--runs-dir", str(tmp_path / "runs")
        ),
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while _scalar(database, watch) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _scalar(database, watch) == 1, "the query never started"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 130
        # Cancelled on the server, not merely abandoned by the client.
        deadline = time.monotonic() + 5
        while _scalar(database, watch) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _scalar(database, watch) == 0
    finally:
        process.kill()
        process.wait()
    step = finished(journal(tmp_path), "1.1")
    assert step["status"] == "interrupted"


def test_a_statement_timeout_stops_the_query_and_commits_nothing(tmp_path: Path, database: str) -> None:
    runbook = write(
        tmp_path,
        """
        ## Procedure 1: Too slow
        1. **Insert, then wait too long**
           ```sql {timeout=0.5}
           CREATE TABLE slow (id int);
           SELECT pg_sleep(30);
           ```
        """,
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", "--db", database)
    assert result.exit_code == 1
    assert "statement timeout (0.5s)" in result.output
    assert finished(journal(tmp_path), "1.1")["status"] == "timeout"
    assert _scalar(database, "SELECT to_regclass('public.slow')::text") is None
