"""Hostile runs for the issue-17 tests: journals and store rows written by hand, not by runbook.

A shared store or a runs folder is data anyone with access can write. These helpers write what
such a person could: events of any shape, run ids that are paths, output names that leave the
run, straight into PostgreSQL with SQL or into a folder as files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

RUN = "20261129-101010-abcdef"
T0 = "2026-11-29T10:10:10.000000Z"


def event(
    seq: int, kind: str, data: dict[str, Any], *, run: str = RUN, step: str | None = None
) -> dict[str, Any]:
    """An event as runbook would write it (the caller may spoil any part of it)."""
    return {
        "v": 1,
        "seq": seq,
        "run": run,
        "type": kind,
        "time": T0,
        "elapsed": float(seq),
        "actor": "mallory@evil",
        "step": step,
        "data": data,
    }


def started(run: str = RUN, path: str = "rb.md") -> dict[str, Any]:
    return event(
        1,
        "run.started",
        {
            "runbook": {"path": path, "sha256": "0" * 64, "commit": None, "dirty": None, "title": "T"},
            "procedure": {"id": "1", "title": "Do it"},
            "operator": "mallory@evil",
            "host": "evil",
            "inputs": {},
            "mode": {},
        },
        run=run,
    )


def finished_step(seq: int, files: list[str], run: str = RUN, **extra: Any) -> dict[str, Any]:
    commands = [
        {"text": "cat x", "status": "ok", "exit_code": 0, "duration": 0.1,
         "output": {"file": name, "sha256": "0" * 64, "bytes": 5}}
        for name in files
    ]  # fmt: skip
    data = {"status": "ok", "exit_code": 0, "duration": 0.1, "commands": commands, **extra}
    return event(seq, "step.finished", data, run=run, step="1.1")


def output_name(data: bytes) -> str:
    return f"outputs/{hashlib.sha256(data).hexdigest()}.log"


def insert_rows(url: str, run_id: str, events: list[Any], outputs: dict[str, bytes] | None = None) -> None:
    """Put a run into a PostgreSQL store with SQL, as any operator with write access could."""
    import psycopg
    from psycopg.types.json import Jsonb

    from interpreter.journal.postgres import PostgresStore

    PostgresStore(url, Path("/nonexistent")).close()  # the tables, made as runbook makes them
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO runbook_runs (run_id, last_seq) VALUES (%s, %s)", (run_id, len(events)))
        for number, item in enumerate(events, start=1):
            kind = item.get("type", "?") if isinstance(item, dict) else "?"
            conn.execute(
                "INSERT INTO runbook_events (run_id, seq, type, event) VALUES (%s, %s, %s, %s)",
                (run_id, number, kind, Jsonb(item)),
            )
        for name, data in (outputs or {}).items():
            conn.execute(
                "INSERT INTO runbook_outputs (run_id, name, chunk, data) VALUES (%s, %s, 0, %s)",
                (run_id, name, data),
            )


def write_journal(folder: Path, run_id: str, lines: list[Any], tail: str = "\n") -> Path:
    """A run's folder with a journal of these lines (events, or raw text), as anyone could write it."""
    directory = folder / run_id
    directory.mkdir(parents=True, exist_ok=True)
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    (directory / "journal.jsonl").write_text(text + tail, "utf-8")
    return directory
