"""The PostgreSQL store: runs shared by a team, each event committed before the action it announces.

Events are numbered per run inside the transaction that writes them, so a run and any number of
`runbook note`s never lose, duplicate or reorder one; `follow` is woken by LISTEN/NOTIFY; one
process works on a run at a time (a session-level advisory lock). The tables: postgres_schema.py.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ..errors import StorageError, UsageError
from ..policy.paths import OUTPUT_NAME, check_output_name, check_run_id, check_run_prefix, real_folder
from . import outputs as output_files
from .chain import GENESIS, hash_of
from .checked import check_events
from .contract import PARTIAL_TAIL, OutputReader, RunJournal, Store
from .events import Event, numbered
from .folds import recorded_outputs
from .outputs import OutputFile, PartialOutput
from .postgres_schema import CHANNEL, lock_key, migrate

__all__ = ["PostgresJournal", "PostgresStore", "masked_url"]

CHUNK = 1 << 20
"""Output files are kept in chunks of this many bytes."""


_T = TypeVar("_T")


def _guarded(method: Callable[..., _T]) -> Callable[..., _T]:
    """A store method whose database error (a connection the server ended, a full disk on the
    server) becomes one line naming the store, and the run stops: what was committed stays."""

    @functools.wraps(method)
    def guarded(self: PostgresStore, *args: Any, **kwargs: Any) -> _T:
        import psycopg

        try:
            return method(self, *args, **kwargs)
        except psycopg.Error as exc:
            text = (str(exc).strip().splitlines() or [type(exc).__name__])[0].replace(self.url, self.where)
            raise StorageError(
                f"run store {self.where}: {text}",
                "what was committed is kept: when the store is back, `runbook resume RUN_ID` goes on",
            ) from None

    return guarded


def masked_url(url: str) -> str:
    """A database URL with its password masked, for anything that is printed or written."""
    from ..run.database import redact

    return redact(url)


class PostgresStore(Store):
    """Runs in PostgreSQL: every event committed before the action it announces proceeds."""

    def __init__(self, url: str, runs_dir: Path) -> None:
        self.url = url
        self.where = masked_url(url)
        self.runs_dir = runs_dir  # partial outputs of a running step stay local
        self._conn = self.connect()
        migrate(self._conn, self.where)

    def connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(
                f"cannot reach the run store {self.where}: {message.replace(self.url, self.where)}",
                "check --store (or RUNBOOK_STORE) and that PostgreSQL is running",
            ) from None

    def close(self) -> None:
        self._conn.close()

    def create(self, run_id: str) -> PostgresJournal:
        return PostgresJournal(self, check_run_id(run_id, self.where))

    def open(self, run_id: str) -> PostgresJournal:
        return PostgresJournal(self, check_run_id(run_id, self.where))

    @_guarded
    def resolve(self, run_id: str) -> str:
        check_run_prefix(run_id)
        rows = self._conn.execute(
            "SELECT run_id FROM runbook_runs WHERE run_id = %s OR run_id LIKE %s ORDER BY run_id",
            (run_id, run_id.replace("%", "").replace("_", "") + "%"),
        ).fetchall()
        exact = [r[0] for r in rows if r[0] == run_id]
        if exact:
            return str(exact[0])
        if len(rows) == 1:
            return str(rows[0][0])
        if not rows:
            raise UsageError(
                f"no run {run_id!r} in {self.where}", "--store (or RUNBOOK_STORE) picks the store"
            )
        raise UsageError(
            f"{run_id!r} matches {len(rows)} runs in {self.where}: " + ", ".join(r[0] for r in rows),
            "give more of the id",
        )

    @_guarded
    def events(self, run_id: str) -> tuple[list[Event], bool]:
        check_run_id(run_id, self.where)
        rows = self._conn.execute(
            "SELECT event FROM runbook_events WHERE run_id = %s ORDER BY seq", (run_id,)
        ).fetchall()
        return check_events(run_id, [r[0] for r in rows], self.label(run_id)), False

    @_guarded
    def insert(self, conn: Any, run_id: str, event: Event) -> Event:
        """Number and insert one event in one transaction, and tell followers."""
        from psycopg.types.json import Jsonb

        with conn.transaction():
            row = conn.execute(
                "INSERT INTO runbook_runs (run_id, last_seq) VALUES (%s, 1) ON CONFLICT (run_id) "
                "DO UPDATE SET last_seq = runbook_runs.last_seq + 1 RETURNING last_seq",
                (run_id,),
            ).fetchone()
            # The row lock taken above orders writers: the event before this one is committed,
            # and this statement (read committed) sees it, so the chain links across processes.
            seq = row[0]
            prev = self._hash_at(conn, run_id, seq - 1) if seq > 1 else GENESIS
            # A bad event raises here, and the transaction takes its number back.
            numbered(event, seq, prev)
            conn.execute(
                "INSERT INTO runbook_events (run_id, seq, type, event) VALUES (%s, %s, %s, %s)",
                (run_id, event["seq"], event["type"], Jsonb(event)),
            )
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{run_id}:{event['seq']}"))
        return event

    @staticmethod
    def _hash_at(conn: Any, run_id: str, seq: int) -> str:
        row = conn.execute(
            "SELECT event->>'hash' FROM runbook_events WHERE run_id = %s AND seq = %s", (run_id, seq)
        ).fetchone()
        if row is not None and row[0]:
            return str(row[0])
        whole = conn.execute(
            "SELECT event FROM runbook_events WHERE run_id = %s AND seq = %s", (run_id, seq)
        ).fetchone()
        return hash_of(whole[0]) if whole is not None else GENESIS

    def append(self, run_id: str, event: Event) -> Event:
        return self.insert(self._conn, check_run_id(run_id, self.where), event)

    @_guarded
    def run_ids(self) -> list[str]:
        return [
            r[0] for r in self._conn.execute("SELECT run_id FROM runbook_runs ORDER BY run_id").fetchall()
        ]

    @_guarded
    def is_live(self, run_id: str) -> bool:
        key = lock_key(run_id)
        got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        if got:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
        return not got

    @_guarded
    def live_runs(self) -> list[str]:
        # One query for every run: the advisory locks other sessions hold, matched with the keys
        # of the runs (a bigint key is held as classid, the high half, and objid, the low one).
        held = {
            (int(r[0]) << 32) | int(r[1])
            for r in self._conn.execute(
                "SELECT classid, objid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            ).fetchall()
        }
        return [run_id for run_id in self.run_ids() if lock_key(run_id) % (1 << 64) in held]

    @_guarded
    def output(self, run_id: str, name: str) -> bytes | None:
        check_output_name(name, self.label(run_id))
        rows = self._conn.execute(
            "SELECT data FROM runbook_outputs WHERE run_id = %s AND name = %s ORDER BY chunk", (run_id, name)
        ).fetchall()
        return b"".join(bytes(r[0]) for r in rows) if rows else None

    @_guarded
    def output_names(self, run_id: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT name FROM runbook_outputs WHERE run_id = %s ORDER BY name", (run_id,)
        ).fetchall()
        return [r[0] for r in rows if OUTPUT_NAME.fullmatch(r[0])]

    @_guarded
    def upload(self, conn: Any, run_id: str, name: str, path: Path) -> None:
        with conn.transaction(), open(path, "rb") as handle:
            conn.execute("DELETE FROM runbook_outputs WHERE run_id = %s AND name = %s", (run_id, name))
            chunk = 0
            while data := handle.read(CHUNK):
                conn.execute(
                    "INSERT INTO runbook_outputs (run_id, name, chunk, data) VALUES (%s, %s, %s, %s)",
                    (run_id, name, chunk, data),
                )
                chunk += 1

    @_guarded
    def put_run(self, run_id: str, events: list[Event], outputs: OutputReader) -> bool:
        from psycopg.types.json import Jsonb

        events = check_events(check_run_id(run_id, self.where), list(events), f"run {run_id} to copy")
        mine, _ = self.events(run_id)
        if mine:
            if mine == events:
                return False
            raise UsageError(
                f"run {run_id} is already in {self.where} with different events",
                "remove one copy, or import into another store",
            )
        names = recorded_outputs(events)
        with self._conn.transaction():
            # The whole run lands in one transaction: nothing half-imported.
            self._conn.execute(
                "INSERT INTO runbook_runs (run_id, last_seq) VALUES (%s, %s)", (run_id, len(events))
            )
            for number, event in enumerate(events, start=1):
                self._conn.execute(
                    "INSERT INTO runbook_events (run_id, seq, type, event) VALUES (%s, %s, %s, %s)",
                    (run_id, number, event["type"], Jsonb(event)),
                )
            for name in sorted(names):
                data = outputs(name)
                if data is None:
                    continue
                for chunk, start in enumerate(range(0, max(len(data), 1), CHUNK)):
                    self._conn.execute(
                        "INSERT INTO runbook_outputs (run_id, name, chunk, data) VALUES (%s, %s, %s, %s)",
                        (run_id, name, chunk, data[start : start + CHUNK]),
                    )
        return True

    @_guarded
    def _events_after(self, run_id: str, seq: int) -> list[Event]:
        rows = self._conn.execute(
            "SELECT event FROM runbook_events WHERE run_id = %s AND seq > %s ORDER BY seq", (run_id, seq)
        ).fetchall()
        return check_events(run_id, [r[0] for r in rows], self.label(run_id), after=seq)

    @contextmanager
    def _waiter(self) -> Iterator[Callable[[float], None]]:
        # LISTEN before the first read, so nothing committed between the two is missed.
        listener = self.connect()
        try:
            listener.execute(f"LISTEN {CHANNEL}")

            def wait(poll: float) -> None:
                for _ in listener.notifies(timeout=max(poll, 1.0), stop_after=1):
                    pass

            yield wait
        finally:
            listener.close()


class PostgresJournal(RunJournal):
    """A running run's journal in PostgreSQL; its outputs are written locally, then stored too."""

    def __init__(self, store: PostgresStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        # Outputs are written to a local folder first: a partial output must survive a lost
        # connection, and the in-doubt screen of a resume on this machine reads it from there.
        self._outputs = (
            real_folder(store.runs_dir / check_run_id(run_id, store.where), "run folder") / "outputs"
        )
        self._conn = store.connect()
        # One process per run, across machines: a session-level advisory lock.
        got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(run_id),)).fetchone()[0]
        if not got:
            self._conn.close()
            raise UsageError(
                f"run {run_id} is in use by another runbook process", "wait for it to end, or stop it first"
            )

    def events(self) -> list[Event]:
        return self.store.events(self.run_id)[0]

    def append(self, event: Event, sync: bool = True) -> Event:
        return self.store.insert(self._conn, self.run_id, event)  # each insert commits: always durable

    def written_since(self, seq: int) -> list[Event]:
        return self.store._events_after(self.run_id, seq)

    def output(self, name: str) -> OutputFile:
        return OutputFile(
            self._outputs,
            name,
            on_finish=lambda path, name: self.store.upload(self._conn, self.run_id, name, path),
        )

    def settle(self, prefix: str) -> None:
        output_files.settle(self._outputs, prefix)

    def partial_outputs(self, step: str, attempt: int) -> list[PartialOutput]:
        return output_files.partial_outputs(self._outputs, step, attempt, PARTIAL_TAIL)

    def close(self) -> None:
        import psycopg

        # Unlock before closing: closing returns before the server ends the session and frees its
        # locks, and in that moment `runbook runs` or a resume would find the run still held.
        with contextlib.suppress(psycopg.Error):
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(self.run_id),))
        self._conn.close()
