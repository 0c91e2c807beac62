"""Golden tests: runbooks of other shapes, `.md` in, step graph `.json` out.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/test_golden.py`, then read
the diff: the JSON is the contract every later stage consumes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from support.graphs import commands, node
from support.paths import FIXTURES

from interpreter.infer.load import load_text
from interpreter.plan.graph import graph_json

GOLDEN = FIXTURES / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.md"))


def _graph(name: str) -> dict[str, Any]:
    path = GOLDEN / f"{name}.md"
    return graph_json(load_text(path.read_text("utf-8"), path=f"{name}.md"))


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    expected_path: Path = GOLDEN / f"{name}.json"
    got = _graph(name)
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert got == json.loads(expected_path.read_text("utf-8"))


def test_heading_steps_console_caution_and_closing_checklist() -> None:
    graph = _graph("heading-steps")
    [proc] = graph["procedures"]
    assert (proc["title"], proc["number"]) == ("Promote the replica", 1)
    check = node(proc, "1.1")
    # Only `$ ` lines are commands; the others are the output to expect.
    assert commands(check) == [
        'redis-cli -h "$REPLICA_HOST" -a "$REDIS_PASSWORD" info replication | grep role',
        'redis-cli -h "$REPLICA_HOST" ping',
    ]
    assert [e["text"] for c in check["blocks"][0]["commands"] for e in c["expectations"]] == [
        "role:slave",
        "PONG",
    ]
    promote = node(proc, "promote")  # the fence's {id=promote} names the step
    assert promote["flags"]["destructive"] and promote["flags"]["timeout"] == 30
    assert any("[!CAUTION]" in r for r in promote["flags"]["reasons"])
    clients = node(proc, "1.3")
    expected = [
        [(e["text"], e["literal"]) for e in c["expectations"]]
        for b in clients["blocks"]
        for c in b["commands"]
    ]
    # `# Expected:` comments, an "Expected output:" block and an "Expected:" line all attach to their command.
    assert expected == [
        [],
        [('"successfully rolled out"', True), ('{"connected_clients": 0}', True)],
        [("connected_clients grows back within a minute", False)],
    ]
    assert not [r for r in graph["reference"] if r["block"]["lang"] == "json"]  # the output block is not code
    closing = [n for n in proc["nodes"] if n["kind"] == "check"]
    assert [n["id"] for n in closing] == ["1.verification.1", "1.verification.2"]
    variables = {v["name"]: v for v in graph["runbook"]["variables"]}
    assert (
        variables["REPLICA_HOST"]["default"] == "cache-2.internal" and variables["REPLICA_HOST"]["declared"]
    )
    assert variables["REDIS_PASSWORD"]["secret"]
    assert graph["runbook"]["metadata"]["next_review"] == "2027-03-01"


def test_numbered_sections_options_warning_and_details() -> None:
    graph = _graph("numbered-sections")
    assert [(p["number"], p["title"]) for p in graph["procedures"]] == [
        (1, "Drain traffic"),
        (2, "Restore the database"),
    ]
    drain = graph["procedures"][0]
    assert node(drain, "1.2")["flags"]["never_ending"]
    restore = graph["procedures"][1]
    choose = node(restore, "2.1")
    assert [b["key"] for b in choose["choice"]["branches"]] == ["1", "2"]
    assert node(restore, "2.1.2")["blocks"][0]["placeholders"][0]["text"] == "<snapshot-id>"
    drop = node(restore, "2.2")
    assert drop["flags"]["destructive"] and drop["flags"]["confirm"] == "typed"
    assert any("Why not fail over" in p for p in drop["prose"])  # the <details> block is kept
    assert graph["runbook"]["metadata"]["contacts"] == ["Payments on-call: #payments-oncall"]


def test_no_procedures_parses_and_says_so() -> None:
    graph = _graph("no-procedures")
    assert graph["procedures"] == [] and graph["sections"] == []
    assert [f["rule"] for f in graph["findings"]] == ["structure/no-procedures"]
    assert graph["decisions"][0]["rows"][0]["response_minutes"] == 15


def test_annotations_take_effect() -> None:
    graph = _graph("annotated")
    [proc] = graph["procedures"]
    backup = node(proc, "backup")
    assert backup["flags"]["optional"] and backup["flags"]["when"] == "a fresh backup is needed"
    assert backup["flags"]["timeout"] == 300 and "BACKUP_FILE" in backup["sets"]
    restore = node(proc, "1.2")
    assert restore["flags"]["confirm_word"] == "RESTORE"
    assert {"name": "BACKUP_FILE", "from": "backup", "secret": False} in restore["uses"]
    count = node(proc, "1.3")
    assert count["blocks"][0]["kind"] == "sql" and count["blocks"][0]["annotation"] == {"db": "app"}
    assert node(proc, "1.4")["flags"]["timeout"] == 60
    assert graph["runbook"]["front_matter"]["database"] == "postgresql://app@db.internal/app"
