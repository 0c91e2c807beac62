"""Journal events have one owner: the catalogue, the envelope, the time format, and the folds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from support.paths import ROOT

from interpreter import jsonschemas
from interpreter.errors import RunbookError
from interpreter.journal import events as ev
from interpreter.journal.folds import InDoubt, ending, open_steps, resume_state
from interpreter.journal.summary import STATUSES, RunSummary
from interpreter.report.timeline import summary as sentence

RUN = "20261128-223536-3fa2c1"
T0 = datetime(2026, 11, 28, 22, 35, 36, 250000, tzinfo=timezone.utc)


def test_the_catalogue_is_the_schema_s_list_of_types() -> None:
    assert list(ev.CATALOGUE) == jsonschemas.load("events")["properties"]["type"]["enum"]
    assert all(meaning.endswith(".") and "\n" not in meaning for meaning in ev.CATALOGUE.values())


TYPE_LITERAL = re.compile(
    r"""["']((?:run|step|command|shell|gate|choice|input|decision|expectation|note|template|environment|session)"""
    r"""\.(?!html|md|json|py)[a-z-]+)["']"""
)
"""A string that names an event type (and not a file: `run.html`)."""


def test_every_event_type_the_code_names_is_in_the_catalogue() -> None:
    """A reader folding on a misspelt type would silently see nothing: every literal is checked."""
    named = {
        (path.relative_to(ROOT).as_posix(), match)
        for path in (ROOT / "interpreter").rglob("*.py")
        for match in TYPE_LITERAL.findall(path.read_text("utf-8"))
    }
    assert named, "the pattern finds nothing: the test proves nothing"
    assert sorted((where, kind) for where, kind in named if kind not in ev.CATALOGUE) == []


def test_the_timeline_has_a_sentence_for_every_type() -> None:
    data: dict[str, dict[str, Any]] = {
        "run.started": {"procedure": {"title": "P"}, "runbook": {"path": "r.md"}},
        "run.finished": {"status": "ok", "exit_code": 0},
        "step.started": {"attempt": 1, "commands": ["true"]},
        "step.finished": {"status": "ok", "exit_code": 0, "duration": 1.0},
        "choice.made": {"branch": "a"},
        "gate.item": {"answer": "yes", "text": "t"},
        "gate.passed": {"items": 1},
        "gate.refused": {"reason": "r"},
        "input.set": {"name": "N", "value": "v", "source": "--var"},
        "step.skipped": {"reason": "r"},
        "step.confirmed": {"word": "DROP", "by": "operator"},
        "expectation.checked": {"text": "t", "result": "passed"},
        "template.announced": {"text": "t"},
        "decision.made": {"severity": "P1"},
        "note.added": {"text": "t"},
        "step.in-doubt": {"decision": "done"},
        "environment.snapshot": {"error": None, "when": "start", "containers": []},
        "run.resumed": {},
        "command.started": {"index": 1, "text": "true", "group": 4242},
        "command.finished": {"index": 1, "status": "ok", "exit_code": 0, "duration": 0.1},
        "step.back": {"to": "2.3"},
        "shell.opened": {"shell": "/bin/bash"},
        "shell.closed": {"exit_code": 0, "duration": 12.0},
        "session.opened": {"command": "ssh db-1", "session": "ssh db-1", "typed": ["uptime"]},
        "session.closed": {"session": "ssh db-1", "exit_code": 0, "duration": 12.5, "done": True},
    }
    assert set(data) == set(ev.CATALOGUE)
    for kind, payload in data.items():
        event = ev.envelope(RUN, kind, None, payload, at=T0, started=T0, actor="a@h")
        assert sentence(event) != kind, f"the timeline has no sentence for {kind}"


@pytest.mark.parametrize(
    ("text", "micro"),
    [
        ("2026-11-28T22:35:36.250000Z", 250000),
        ("2026-11-28T22:35:36Z", 0),  # the schema allows a time without a fraction
        ("2026-11-28T22:35:36.25Z", 250000),
        ("2026-11-28T22:35:36.250000999Z", 250000),
    ],
)
def test_a_time_reads_with_any_fraction_or_none(text: str, micro: int) -> None:
    assert ev.parse_time(text) == T0.replace(microsecond=micro)


@pytest.mark.parametrize(
    "text", ["2026-11-28T22:35:36", "2026-11-28 22:35:36Z", "2026-11-28T22:35:36.Z", "soon"]
)
def test_a_time_that_is_not_a_journal_time_is_a_clear_error(text: str) -> None:
    with pytest.raises(RunbookError, match="not a journal time"):
        ev.parse_time(text)


def test_the_envelope_is_a_valid_event_and_its_time_reads_back() -> None:
    at = T0 + timedelta(seconds=61.2345)
    event = ev.envelope(
        RUN, "note.added", "2.1", {"text": "hello"}, at=at, started=T0, actor="ana@laptop", seq=4
    )
    assert ev.problem(event) is None
    assert (event["time"], event["elapsed"], event["seq"]) == ("2026-11-28T22:36:37.484500Z", 61.234, 4)
    assert ev.parse_time(event["time"]) == at
    earlier = ev.envelope(RUN, "note.added", None, {"text": "x"}, at=T0, started=at, actor="a@h")
    assert earlier["elapsed"] == 0.0  # a clock stepped back never gives a negative time


def test_numbering_checks_the_event_before_it_is_written() -> None:
    event = ev.envelope(RUN, "note.added", None, {"text": "x"}, at=T0, started=T0, actor="a@h")
    assert ev.numbered(event, 9, "a" * 64)["seq"] == 9
    assert event["prev"] == "a" * 64 and len(event["hash"]) == 64  # chained to the event before
    assert ev.encode(event).endswith(b"\n") and b"\n" not in ev.encode(event)[:-1]
    bad = ev.envelope(RUN, "note.typo", None, {}, at=T0, started=T0, actor="a@h")
    with pytest.raises(RunbookError, match=r"internal error: journal event breaks schemas/events\.json"):
        ev.numbered(bad, 1, "0" * 64)


def _stream(*items: tuple[str, str | None, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        ev.envelope(RUN, kind, step, data, at=T0 + timedelta(seconds=n), started=T0, actor="a@h", seq=n + 1)
        for n, (kind, step, data) in enumerate(items)
    ]


STARTED = (
    "run.started",
    None,
    {
        "procedure": {"id": "2", "title": "Roll back"},
        "runbook": {"path": "r.md", "sha256": "0" * 64},
        "operator": "ana@laptop",
    },
)


def test_the_folds_say_which_steps_are_open_and_how_the_last_attempt_ended() -> None:
    events = _stream(
        STARTED,
        ("step.started", "2.1", {"attempt": 1, "commands": []}),
        ("step.finished", "2.1", {"status": "failed", "exit_code": 1, "duration": 0.1, "commands": []}),
        ("run.finished", None, {"status": "failed", "exit_code": 1}),
        ("run.resumed", None, {}),
        ("step.started", "2.1", {"attempt": 2, "commands": []}),
    )
    assert open_steps(events) == ["2.1"]
    assert ending(events) is None  # the resumed attempt recorded no end
    assert ending(events[:4]) is events[3]
    summary = RunSummary.of(RUN, events, live=False)
    assert (summary.status, summary.exit_code, summary.procedure, summary.operator) == (
        "killed",
        None,
        "Roll back",
        "ana@laptop",
    )
    assert RunSummary.of(RUN, events, live=True).status == "running"
    assert RunSummary.of(RUN, events[:4], live=False).status == "failed"
    assert {"ok", "failed", "killed", "running", "interrupted"} <= set(STATUSES)


def test_a_resume_rebuilds_what_the_run_had_decided_and_done() -> None:
    events = _stream(
        STARTED,
        ("gate.item", "2.prerequisites", {"item": "2.prerequisites.1", "answer": "override", "text": "t"}),
        ("gate.item", "2.prerequisites", {"item": "2.prerequisites.2", "answer": "no", "text": "t"}),
        ("gate.passed", "2.prerequisites", {"items": 2}),
        ("decision.made", None, {"severity": "P1", "response_minutes": 15}),
        ("choice.made", "2.3", {"choice": "2.3", "branch": "2.3.a"}),
        (
            "input.set",
            None,
            {"name": "placeholder:abc123f", "value": "v1.2.0", "secret": False, "source": "prompt"},
        ),
        ("input.set", None, {"name": "TOKEN", "value": "••••", "secret": True, "source": "prompt"}),
        ("input.set", None, {"name": "REGION", "value": "eu", "secret": False, "source": "--var"}),
        ("step.started", "2.1", {"attempt": 1, "commands": []}),
        (
            "step.finished",
            "2.1",
            {
                "status": "ok",
                "exit_code": 0,
                "duration": 1,
                "commands": [],
                "exports": {"TAG": "v1"},
                "unset": ["REGION"],
                "cwd": "/srv/a",
            },
        ),
        ("step.skipped", "2.2", {"reason": "not applicable"}),
        ("step.started", "2.4", {"attempt": 1, "commands": []}),
        (
            "step.finished",
            "2.4",
            {"status": "failed", "exit_code": 1, "duration": 1, "commands": [], "cwd": "/srv/gone"},
        ),
        ("step.started", "2.4", {"attempt": 2, "commands": []}),
        ("step.started", "2.5", {"attempt": 1, "commands": []}),
        ("step.in-doubt", "2.5", {"decision": "done", "attempt": 1}),
    )
    state = resume_state(events)
    assert state.answers == {"2.prerequisites.1": "yes", "2.prerequisites.2": "no", "2.3": "2.3.a"}
    assert state.done == {
        "2.prerequisites": "ok",
        "2.3": "ok",
        "2.1": "ok",
        "2.2": "step.skipped",
        "2.5": "done",
    }
    assert state.placeholders == {"abc123f": "v1.2.0"}
    assert (dict(state.exports), state.unset) == ({"TAG": "v1"}, frozenset({"REGION"}))
    assert state.target_minutes == 15
    assert state.attempts == {"2.1": 1, "2.4": 2, "2.5": 1}
    assert state.in_doubt == {"2.4": InDoubt(attempt=2, seq=15)}
    assert state.cwd(lambda path: path != "/srv/gone") == "/srv/a"
    assert (state.started, state.last_seq) == (T0, len(events))
