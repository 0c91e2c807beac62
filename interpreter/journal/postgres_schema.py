"""The PostgreSQL store's tables, created on first use and upgraded in place, and its lock keys."""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import UsageError

__all__ = ["CHANNEL", "MIGRATIONS", "SCHEMA_VERSION", "lock_key", "migrate"]

SCHEMA_VERSION = 1
MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE runbook_runs (
            run_id text PRIMARY KEY,
            last_seq integer NOT NULL,
            created timestamptz NOT NULL DEFAULT now())""",
        """CREATE TABLE runbook_events (
            run_id text NOT NULL REFERENCES runbook_runs (run_id) ON DELETE CASCADE,
            seq integer NOT NULL CHECK (seq >= 1),
            type text NOT NULL,
            event jsonb NOT NULL,
            PRIMARY KEY (run_id, seq))""",
        """CREATE TABLE runbook_outputs (
            run_id text NOT NULL REFERENCES runbook_runs (run_id) ON DELETE CASCADE,
            name text NOT NULL,
            chunk integer NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (run_id, name, chunk))""",
    ],
}
CHANNEL = "runbook_events"


def lock_key(run_id: str) -> int:
    """The advisory lock a run's process holds (one process per run, across machines)."""
    return int.from_bytes(hashlib.sha256(f"runbook:{run_id}".encode()).digest()[:8], "big", signed=True)


def migrate(conn: Any, where: str) -> None:
    """Create or upgrade the tables on `conn` (autocommit), one process at a time.

    Raises:
        UsageError: the database holds other tables of those names, or a newer schema.
    """
    import psycopg

    try:
        with conn.transaction():
            # One process creates or upgrades the schema; the others wait for it.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("schema"),))
            conn.execute("CREATE TABLE IF NOT EXISTS runbook_schema (version integer NOT NULL)")
            current = conn.execute("SELECT max(version) FROM runbook_schema").fetchone()[0] or 0
            if current > SCHEMA_VERSION:
                raise UsageError(
                    f"the run store {where} has schema version {current}; "
                    f"this runbook knows {SCHEMA_VERSION}",
                    "upgrade runbook",
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute("INSERT INTO runbook_schema (version) VALUES (%s)", (version,))
    except psycopg.Error as exc:
        raise UsageError(
            f"the run store {where} cannot be set up: {str(exc).strip().splitlines()[0]}",
            "point --store at a database (or a schema, with ?options=-csearch_path%3DNAME) "
            "that holds no other runbook_* tables",
        ) from None
