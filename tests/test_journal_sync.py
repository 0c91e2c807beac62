"""One fsync per step boundary: a step's end reaches the disk with the next step's start, and
every event is on disk before the command it announces starts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from support.runs import run, write

from interpreter.journal.files import Journal, read_events


def test_an_unsynced_event_is_readable_at_once_and_synced_with_the_next(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "20261201-000000-abcdef")  # a run's folder is named by its id
    synced: list[int] = []
    real = os.fdatasync
    try:
        os.fdatasync = lambda fd: synced.append(fd) or real(fd)  # type: ignore[assignment]
        journal.append(_note("an end"), sync=False)
        assert not synced  # written, not yet synced ...
        assert read_events(journal.path)[0][-1]["data"]["text"] == "an end"  # ... but readable at once
        journal.append(_note("a start"))
        assert len(synced) == 1  # one fsync for the boundary
        journal.append(_note("another end"), sync=False)
        journal.close()  # closing syncs what is left
        assert len(synced) == 2
    finally:
        os.fdatasync = real  # type: ignore[assignment]


def test_a_run_fsyncs_its_journal_once_per_step_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = 6
    body = "".join(
        f"{n}. **Step {n}**\n   ```bash\n   echo step {n} >> done.txt\n   ```\n" for n in range(1, steps + 1)
    )
    rb = write(tmp_path, f"## Procedure 1: Steps\n{body}")
    # At each fsync of the journal: the events on disk, and the commands that had run by then.
    seen: list[tuple[list[str], int]] = []
    real = os.fdatasync

    def fsync(fd: int) -> None:
        real(fd)
        if os.readlink(f"/proc/self/fd/{fd}").endswith("journal.jsonl"):
            lines = Path(os.readlink(f"/proc/self/fd/{fd}")).read_text("utf-8").splitlines()
            done = tmp_path / "done.txt"
            seen.append(
                ([_type(line) for line in lines], len(done.read_text().splitlines()) if done.exists() else 0)
            )

    monkeypatch.setattr(os, "fdatasync", fsync)
    monkeypatch.delenv("DOCKER_HOST", raising=False)  # no container snapshots: only the steps' events
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 0, result.output
    # run.started, then each command's start (carrying its step's start, and the previous
    # command's and step's ends), then run.finished.
    assert len(seen) == steps + 2, [s[0][-1] for s in seen]
    for number, (types, commands_run) in enumerate(seen[1:-1], start=1):
        assert types[-1] == "command.started" and types.count("step.started") == number
        assert types.count("step.finished") == number - 1  # the previous end, synced with this start
        assert commands_run == number - 1  # synced before its command ran, never after
    assert seen[-1][0][-2:] == ["step.finished", "run.finished"]


def _type(line: str) -> str:
    import json

    return str(json.loads(line)["type"])


def _note(text: str) -> dict[str, Any]:
    return {
        "v": 1,
        "seq": 1,
        "run": "20261201-000000-abcdef",
        "type": "note.added",
        "time": "2026-12-01T00:00:00.000000Z",
        "elapsed": 0.0,
        "actor": "tester@host",
        "step": "1.1",
        "data": {"text": text},
    }
