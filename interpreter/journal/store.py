"""Where runs are kept: a directory of journals (the default) or a shared PostgreSQL database.

Both keep the same events (schemas/events.json), numbered 1, 2, 3… per run with no gap, each one
durable before the action it announces proceeds, and the same output files, named by their hash.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import jsonschemas
from ..errors import RunbookError, UsageError
from .files import JOURNAL, Journal, OutputFile, append_event, default_runs_dir, read_events, run_directory

__all__ = ["DirectoryStore", "PostgresStore", "RunSummary", "Store", "masked_url", "open_store"]

CHUNK = 1 << 20


def masked_url(url: str) -> str:
    """A database URL with its password masked, for anything that is printed or written."""
    from ..run.database import redact

    return redact(url)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One line of `runbook runs`."""

    id: str
    runbook: str
    procedure: str
    operator: str
    started: str
    duration: float | None
    status: str
    exit_code: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "runbook": self.runbook,
            "procedure": self.procedure,
            "operator": self.operator,
            "started": self.started,
            "duration": self.duration,
            "status": self.status,
            "exit_code": self.exit_code,
        }


def summarise(run_id: str, events: list[dict[str, Any]], live: bool) -> RunSummary:
    started = next((e for e in events if e["type"] == "run.started"), None)
    finished = next((e for e in reversed(events) if e["type"] in ("run.finished", "run.resumed")), None)
    if finished is not None and finished["type"] == "run.finished":
        status, code = str(finished["data"]["status"]), finished["data"]["exit_code"]
    else:
        status, code = ("running" if live else "killed"), None
    data = started["data"] if started else {}
    duration = events[-1]["elapsed"] if events else None
    return RunSummary(
        id=run_id,
        runbook=str(data.get("runbook", {}).get("path", "?")),
        procedure=str(data.get("procedure", {}).get("title", "?")),
        operator=str(data.get("operator", events[0]["actor"] if events else "?")),
        started=str(started["time"] if started else (events[0]["time"] if events else "")),
        duration=duration,
        status=status,
        exit_code=code,
    )


class Store(ABC):
    """What the commands need from wherever runs are kept (a folder, or PostgreSQL)."""

    where: str

    @abstractmethod
    def create(self, run_id: str) -> Any:
        """The journal of a new run, held by this process alone."""
        ...

    @abstractmethod
    def open(self, run_id: str) -> Any:
        """The journal of an existing run, to resume it (held by this process alone)."""
        ...

    @abstractmethod
    def resolve(self, run_id: str) -> str:
        """The full id of a run given by id or unique prefix."""
        ...

    @abstractmethod
    def events(self, run_id: str) -> tuple[list[dict[str, Any]], bool]:
        """A run's events, and whether the last was torn by a kill."""
        ...

    @abstractmethod
    def append(self, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """Add an event beside whoever else writes to the run (a note); returns it numbered."""
        ...

    @abstractmethod
    def run_ids(self) -> list[str]: ...

    @abstractmethod
    def is_live(self, run_id: str) -> bool: ...

    @abstractmethod
    def output(self, run_id: str, name: str) -> bytes | None:
        """An output file (`outputs/SHA.log`) of a run, or None when it is not kept."""
        ...

    @abstractmethod
    def output_names(self, run_id: str) -> list[str]: ...

    @abstractmethod
    def put_run(
        self, run_id: str, events: list[dict[str, Any]], outputs: Callable[[str], bytes | None]
    ) -> bool:
        """Store a whole run brought from elsewhere; False when it is already here, identical.

        Raises:
            UsageError: a run with that id is here with different events.
        """
        ...

    def follow(
        self, run_id: str, after: int, stop: Callable[[], bool], poll: float = 0.25
    ) -> Iterator[dict[str, Any]]:
        """Events with a seq above `after`, as they are written, until `stop()` says, when nothing
        new came, that no process works on the run any more. A run.finished event does not end
        it: a run that was stopped may be resumed, and its later events belong to it too."""
        seen, stopping = after, False
        with self._waiter() as wait:
            while True:
                fresh = self._events_after(run_id, seen)
                for event in fresh:
                    seen = event["seq"]
                    yield event
                if stopping:
                    return
                if not fresh and stop():
                    stopping = True  # read once more: the last events may have landed just before
                    continue
                wait(poll)

    def _events_after(self, run_id: str, seq: int) -> list[dict[str, Any]]:
        return [e for e in self.events(run_id)[0] if e["seq"] > seq]

    @contextmanager
    def _waiter(self) -> Iterator[Callable[[float], None]]:
        """How `follow` waits for more: a pause here, a notification in PostgreSQL."""
        yield time.sleep

    def runs(self) -> list[RunSummary]:
        result = []
        for run_id in self.run_ids():
            try:
                events, _ = self.events(run_id)
            except RunbookError:
                continue
            result.append(summarise(run_id, events, self.is_live(run_id)))
        return sorted(result, key=lambda r: r.started)

    def close(self) -> None:
        return None


class DirectoryStore(Store):
    """Runs as folders: `RUN_ID/journal.jsonl` and `RUN_ID/outputs/SHA.log`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.where = str(root)

    def create(self, run_id: str) -> Journal:
        return Journal(self.root / run_id)

    def open(self, run_id: str) -> Journal:
        return Journal(self.root / run_id)

    def resolve(self, run_id: str) -> str:
        return run_directory(self.root, run_id).name

    def events(self, run_id: str) -> tuple[list[dict[str, Any]], bool]:
        return read_events(self.root / run_id / JOURNAL)

    def append(self, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return append_event(self.root / run_id, event)

    def run_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / JOURNAL).is_file())

    def is_live(self, run_id: str) -> bool:
        lock = self.root / run_id / ".lock"
        if not lock.exists():
            return False
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False

    def output(self, run_id: str, name: str) -> bytes | None:
        path = self.root / run_id / name
        try:
            return path.read_bytes()
        except OSError:
            return None

    def output_names(self, run_id: str) -> list[str]:
        outputs = self.root / run_id / "outputs"
        return sorted(f"outputs/{p.name}" for p in outputs.glob("*.log")) if outputs.is_dir() else []

    def put_run(
        self, run_id: str, events: list[dict[str, Any]], outputs: Callable[[str], bytes | None]
    ) -> bool:
        directory = self.root / run_id
        if (directory / JOURNAL).exists():
            mine, _ = read_events(directory / JOURNAL)
            if mine == events:
                return False
            raise UsageError(
                f"run {run_id} is already in {self.root} with different events",
                "remove one copy, or import into another folder",
            )
        directory.mkdir(parents=True, exist_ok=True)
        names = {
            c["output"]["file"] for e in events if e["type"] == "step.finished" for c in e["data"]["commands"]
        }
        for name in sorted(names):
            data = outputs(name)
            if data is not None:
                target = directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_durably(target, data)
        body = b"".join(
            json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for e in events
        )
        # The journal appears whole or not at all: written aside, fsynced, then renamed.
        _write_durably(directory / JOURNAL, body)
        return True


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


# -- PostgreSQL ------------------------------------------------------------------------------

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


def _lock_key(run_id: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(f"runbook:{run_id}".encode()).digest()[:8], "big", signed=True)


class PostgresStore(Store):
    """Runs in PostgreSQL: every event committed before the action it announces proceeds."""

    def __init__(self, url: str, runs_dir: Path) -> None:
        self.url = url
        self.where = masked_url(url)
        self.runs_dir = runs_dir  # partial outputs of a running step stay local
        self._conn = self.connect()
        self._migrate()

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

    def _migrate(self) -> None:
        import psycopg

        try:
            self._upgrade()
        except psycopg.Error as exc:
            raise UsageError(
                f"the run store {self.where} cannot be set up: {str(exc).strip().splitlines()[0]}",
                "point --store at a database (or a schema, with ?options=-csearch_path%3DNAME) "
                "that holds no other runbook_* tables",
            ) from None

    def _upgrade(self) -> None:
        with self._conn.transaction():
            # One process creates or upgrades the schema; the others wait for it.
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key("schema"),))
            self._conn.execute("CREATE TABLE IF NOT EXISTS runbook_schema (version integer NOT NULL)")
            row = self._conn.execute("SELECT max(version) FROM runbook_schema").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                raise UsageError(
                    f"the run store {self.where} has schema version {current}; this runbook knows "
                    f"{SCHEMA_VERSION}",
                    "upgrade runbook",
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    self._conn.execute(statement)
                self._conn.execute("INSERT INTO runbook_schema (version) VALUES (%s)", (version,))

    def close(self) -> None:
        self._conn.close()

    def create(self, run_id: str) -> PostgresJournal:
        return PostgresJournal(self, run_id)

    def open(self, run_id: str) -> PostgresJournal:
        return PostgresJournal(self, run_id)

    def resolve(self, run_id: str) -> str:
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

    def events(self, run_id: str) -> tuple[list[dict[str, Any]], bool]:
        rows = self._conn.execute(
            "SELECT event FROM runbook_events WHERE run_id = %s ORDER BY seq", (run_id,)
        ).fetchall()
        return [r[0] for r in rows], False

    def insert(self, conn: Any, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """Number and insert one event in one transaction, and tell followers."""
        from psycopg.types.json import Jsonb

        with conn.transaction():
            row = conn.execute(
                "INSERT INTO runbook_runs (run_id, last_seq) VALUES (%s, 1) ON CONFLICT (run_id) "
                "DO UPDATE SET last_seq = runbook_runs.last_seq + 1 RETURNING last_seq",
                (run_id,),
            ).fetchone()
            event["seq"] = row[0]
            problem = jsonschemas.first_error("events", event)
            if problem:
                raise RunbookError(
                    f"internal error: journal event breaks schemas/events.json at {problem}",
                    "please report this with the runbook attached",
                )
            conn.execute(
                "INSERT INTO runbook_events (run_id, seq, type, event) VALUES (%s, %s, %s, %s)",
                (run_id, event["seq"], event["type"], Jsonb(event)),
            )
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{run_id}:{event['seq']}"))
        return event

    def append(self, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return self.insert(self._conn, run_id, event)

    def run_ids(self) -> list[str]:
        return [
            r[0] for r in self._conn.execute("SELECT run_id FROM runbook_runs ORDER BY run_id").fetchall()
        ]

    def is_live(self, run_id: str) -> bool:
        key = _lock_key(run_id)
        got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        if got:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
        return not got

    def output(self, run_id: str, name: str) -> bytes | None:
        rows = self._conn.execute(
            "SELECT data FROM runbook_outputs WHERE run_id = %s AND name = %s ORDER BY chunk", (run_id, name)
        ).fetchall()
        return b"".join(bytes(r[0]) for r in rows) if rows else None

    def output_names(self, run_id: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT name FROM runbook_outputs WHERE run_id = %s ORDER BY name", (run_id,)
        ).fetchall()
        return [r[0] for r in rows]

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

    def put_run(
        self, run_id: str, events: list[dict[str, Any]], outputs: Callable[[str], bytes | None]
    ) -> bool:
        from psycopg.types.json import Jsonb

        mine, _ = self.events(run_id)
        if mine:
            if mine == events:
                return False
            raise UsageError(
                f"run {run_id} is already in {self.where} with different events",
                "remove one copy, or import into another store",
            )
        names = {
            c["output"]["file"] for e in events if e["type"] == "step.finished" for c in e["data"]["commands"]
        }
        with self._conn.transaction():
            # The whole run lands in one transaction: nothing half-imported.
            self._conn.execute(
                "INSERT INTO runbook_runs (run_id, last_seq) VALUES (%s, %s)", (run_id, len(events))
            )
            for number, event in enumerate(events, start=1):
                if event["seq"] != number:
                    raise UsageError(
                        f"run {run_id}: event {number} has seq {event['seq']}; the journal has a gap"
                    )
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

    def _events_after(self, run_id: str, seq: int) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT event FROM runbook_events WHERE run_id = %s AND seq > %s ORDER BY seq", (run_id, seq)
        ).fetchall()
        return [r[0] for r in rows]

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


class PostgresJournal:
    """A running run's journal in PostgreSQL; its outputs are written locally, then stored too."""

    def __init__(self, store: PostgresStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.directory = store.runs_dir / run_id
        self.outputs = self.directory / "outputs"
        self._conn = store.connect()
        # One process per run, across machines: a session-level advisory lock.
        got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(run_id),)).fetchone()[0]
        if not got:
            self._conn.close()
            raise UsageError(
                f"run {run_id} is in use by another runbook process", "wait for it to end, or stop it first"
            )

    def events(self) -> list[dict[str, Any]]:
        return self.store.events(self.run_id)[0]

    def append(self, event: dict[str, Any], sync: bool = True) -> None:
        self.store.insert(self._conn, self.run_id, event)  # each insert commits: always durable

    def sync(self) -> None:
        """Nothing to do: every append is committed."""

    def output(self, name: str) -> OutputFile:
        return OutputFile(
            self.outputs,
            name,
            on_finish=lambda path, name: self.store.upload(self._conn, self.run_id, name, path),
        )

    def settle(self, prefix: str) -> None:
        for partial in self.outputs.glob(f"{prefix}*.partial"):
            partial.unlink(missing_ok=True)

    def close(self) -> None:
        self._conn.close()


def open_store(runs_dir: str | None, url: str | None) -> Store:
    """`--store URL` (or RUNBOOK_STORE) when given, else the runs directory.

    Raises:
        UsageError: the URL is not a PostgreSQL one, or the database cannot be reached.
    """
    url = url or os.environ.get("RUNBOOK_STORE") or None
    root = default_runs_dir(runs_dir)
    if not url:
        return DirectoryStore(root)
    if not url.startswith(("postgresql://", "postgres://")):
        raise UsageError(
            f"--store {masked_url(url)!r} is not a PostgreSQL URL",
            "use postgresql://USER@HOST:PORT/DATABASE, or leave it out to keep runs in a folder",
        )
    return PostgresStore(url, root)
