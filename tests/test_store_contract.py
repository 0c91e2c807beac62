"""The store contract (journal/contract.py), one battery run against every kind of store.

Each kind keeps the same runs the same way: the folder, and PostgreSQL in databases this module
creates and drops on the real server at 127.0.0.1:5432. A new kind of store joins KINDS and passes
all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from interpreter.errors import RunbookError, UnsafeDataError, UsageError
from interpreter.journal.contract import RunJournal, Store
from interpreter.journal.events import Event, envelope, problem
from interpreter.journal.folder import DirectoryStore
from interpreter.journal.outputs import PartialOutput
from interpreter.journal.postgres import PostgresStore
from interpreter.journal.store import copy_runs

KINDS = ["folder", "postgresql"]
RUN = "20261129-010203-abcdef"
OTHER = "20261129-010204-fedcba"
T0 = datetime(2026, 11, 29, 1, 2, 3, tzinfo=timezone.utc)

Maker = Callable[[str], Store]


@pytest.fixture
def make(tmp_path: Path, new_database: Callable[[], str]) -> Iterator[Maker]:
    """Makes empty stores of a kind: a new folder, or a new database (dropped afterwards)."""
    made: list[Store] = []

    def new(kind: str) -> Store:
        local = tmp_path / f"store{len(made)}"
        store: Store = DirectoryStore(local) if kind == "folder" else PostgresStore(new_database(), local)
        made.append(store)
        return store

    yield new
    for store in made:
        store.close()


def event(kind: str, data: dict[str, Any], step: str | None = None, run: str = RUN, at: float = 0) -> Event:
    return envelope(run, kind, step, data, at=T0 + timedelta(seconds=at), started=T0, actor="ana@laptop")


def started(run: str = RUN) -> Event:
    return event(
        "run.started",
        {
            "runbook": {"path": "/srv/rb.md", "sha256": "a" * 64, "commit": None, "dirty": None},
            "procedure": {"id": "1", "title": "Roll back"},
            "operator": "ana@laptop",
            "host": "laptop",
            "inputs": {},
            "mode": {},
        },
        run=run,
    )


def finished(status: str = "ok", code: int = 0, run: str = RUN) -> Event:
    return event("run.finished", {"status": status, "exit_code": code}, run=run, at=5)


def note(text: str, run: str = RUN) -> Event:
    return event("note.added", {"text": text}, run=run, at=1)


def write_run(journal: RunJournal, output: bytes = b"hello\n") -> dict[str, Any]:
    """A run with one step whose command printed `output`; returns the output's journal entry."""
    journal.append(started(journal.run_id))
    journal.append(event("step.started", {"attempt": 1, "commands": ["echo hello"]}, "1.1", journal.run_id))
    file = journal.output("000002-1.1-1-1")
    file.write(output)
    kept = file.finish()
    command = {"text": "echo hello", "status": "ok", "exit_code": 0, "duration": 0.1, "output": kept}
    data = {"status": "ok", "exit_code": 0, "duration": 0.1, "commands": [command]}
    journal.append(event("step.finished", data, "1.1", journal.run_id, at=2))
    journal.settle("000002-1.1-1-")
    journal.append(finished(run=journal.run_id))
    return kept


@pytest.mark.parametrize("kind", KINDS)
def test_events_are_numbered_checked_and_read_back_whole(kind: str, make: Maker) -> None:
    store = make(kind)
    with store.create(RUN) as journal:
        numbers = [journal.append(e)["seq"] for e in (started(), note("one"), note("two"))]
        assert numbers == [1, 2, 3]
        assert journal.events() == store.events(RUN)[0]
    events, torn = store.events(RUN)
    assert not torn and [e["seq"] for e in events] == [1, 2, 3]
    assert [e["data"].get("text") for e in events[1:]] == ["one", "two"]
    assert all(problem(e) is None for e in events)
    with pytest.raises(RunbookError, match=r"breaks schemas/events\.json"), store.open(RUN) as journal:
        journal.append(event("note.added", {}, run=RUN) | {"actor": ""})
    assert len(store.events(RUN)[0]) == 3  # a bad event takes nothing with it, not even a number
    with store.open(RUN) as journal:
        assert journal.append(note("three"))["seq"] == 4


@pytest.mark.parametrize("kind", KINDS)
def test_one_process_holds_a_run_and_others_write_beside_it(kind: str, make: Maker) -> None:
    store = make(kind)
    journal = store.create(RUN)
    try:
        journal.append(started())
        assert store.is_live(RUN)
        with pytest.raises(UsageError, match="in use by another runbook process"):
            store.open(RUN)
        assert store.append(RUN, note("from another terminal"))["seq"] == 2  # a `runbook note`
        assert journal.append(note("the run's own"))["seq"] == 3
    finally:
        journal.close()
    assert not store.is_live(RUN)
    with store.open(RUN) as again:  # a resume
        assert [e["seq"] for e in again.events()] == [1, 2, 3]


@pytest.mark.parametrize("kind", KINDS)
def test_outputs_are_kept_by_hash_and_partial_ones_shown_until_settled(kind: str, make: Maker) -> None:
    store = make(kind)
    with store.create(RUN) as journal:
        journal.append(started())
        file = journal.output("000001-1.1-1-1")
        file.write(b"half of ")
        file.write(b"it")
        assert journal.partial_outputs("1.1", 1) == [
            PartialOutput("000001-1.1-1-1.partial", b"half of it", 1)
        ]
        assert journal.partial_outputs("1.1", 2) == [] and journal.partial_outputs("1.10", 1) == []
        kept = file.finish()
        journal.settle("000001-1.1-1-")
        assert journal.partial_outputs("1.1", 1) == []
    assert kept["bytes"] == 10 and kept["file"] == f"outputs/{kept['sha256']}.log"
    assert store.output(RUN, kept["file"]) == b"half of it"
    assert store.output_names(RUN) == [kept["file"]]
    assert store.output(RUN, "outputs/" + "0" * 64 + ".log") is None


@pytest.mark.parametrize("kind", KINDS)
def test_runs_are_listed_found_by_prefix_and_summarised(kind: str, make: Maker) -> None:
    store = make(kind)
    with store.create(RUN) as journal:
        write_run(journal)
    journal = store.create(OTHER)
    try:
        journal.append(started(OTHER))
        assert store.run_ids() == [RUN, OTHER]
        assert store.resolve(RUN[:16]) == RUN and store.resolve(OTHER) == OTHER
        with pytest.raises(UsageError, match="matches 2 runs"):
            store.resolve("20261129-0102")
        with pytest.raises(UsageError, match="no run '2030'"):
            store.resolve("2030")
        assert [(s.id, s.status) for s in store.runs()] == [(RUN, "ok"), (OTHER, "running")]
    finally:
        journal.close()
    assert store.summary(OTHER).status == "killed"  # no end, and nobody holds it
    summary = store.summary(RUN)
    assert (summary.runbook, summary.procedure, summary.operator, summary.exit_code) == (
        "/srv/rb.md",
        "Roll back",
        "ana@laptop",
        0,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_follow_gives_new_events_until_nobody_holds_the_run(kind: str, make: Maker) -> None:
    store = make(kind)
    journal = store.create(RUN)
    journal.append(started())
    journal.append(note("one"))
    seen: list[int] = []

    def stop() -> bool:
        if len(seen) == 2:
            journal.append(finished())  # written while follow waits
            journal.close()
        return not store.is_live(RUN)

    for followed in store.follow(RUN, 0, stop, poll=0.05):
        seen.append(followed["seq"])
    assert seen == [1, 2, 3]
    assert [e["seq"] for e in store.follow(RUN, 2, lambda: True, poll=0.05)] == [3]


@pytest.mark.parametrize(("source_kind", "target_kind"), [(a, b) for a in KINDS for b in KINDS])
def test_runs_copy_between_stores_whole_once_and_never_over_a_different_run(
    source_kind: str, target_kind: str, make: Maker
) -> None:
    source, target = make(source_kind), make(target_kind)
    with source.create(RUN) as journal:
        kept = write_run(journal, b"x" * (3 << 20))  # bigger than one PostgreSQL chunk
    live = source.create(OTHER)
    try:
        live.append(started(OTHER))
        outcomes = [(c.run_id, c.outcome) for c in copy_runs(source, target, [])]
        assert outcomes == [(RUN, "copied"), (OTHER, "running")]  # a running run is left alone
        assert [(c.run_id, c.outcome) for c in copy_runs(source, target, [RUN[:15]])] == [(RUN, "present")]
    finally:
        live.close()
    assert target.events(RUN)[0] == source.events(RUN)[0]
    assert target.output(RUN, kept["file"]) == b"x" * (3 << 20)
    assert target.run_ids() == [RUN]

    with source.open(RUN) as journal:
        journal.append(note("added after the copy"))
    with pytest.raises(UsageError, match=r"already in .* with different events"):
        list(copy_runs(source, target, [RUN]))
    assert len(target.events(RUN)[0]) == len(source.events(RUN)[0]) - 1  # nothing overwritten


@pytest.mark.parametrize("kind", KINDS)
def test_a_run_brought_from_elsewhere_reaches_nothing_outside_the_store(
    kind: str, make: Maker, tmp_path: Path
) -> None:
    """Output names come from a journal someone else wrote: one that names a file outside its run is
    refused whole, and nothing of it is written."""
    store = make(kind)
    sneaky = "outputs/../../../escaped.log"
    command = {
        "text": "x",
        "status": "ok",
        "exit_code": 0,
        "duration": 0,
        "output": {"file": sneaky, "sha256": "0" * 64, "bytes": 3},
    }
    events = [
        started() | {"seq": 1},
        event("step.finished", {"status": "ok", "exit_code": 0, "duration": 0, "commands": [command]}, "1.1")
        | {"seq": 2},
    ]
    with pytest.raises(UnsafeDataError, match=r"event 2 .*outputs/\.\./\.\./\.\./escaped\.log"):
        store.put_run(RUN, events, lambda name: b"bad")
    assert not list(tmp_path.rglob("escaped.log"))
    assert RUN not in store.run_ids()
    with pytest.raises(UnsafeDataError, match="etc/hostname"):
        store.output(RUN, "../../../../etc/hostname")
