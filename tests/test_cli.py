"""One test per command: exit code and output, as a user sees them."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from support.paths import ROOT, SEED

from interpreter.cli import main

SEED_PATH = str(SEED)


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, list(args), env=env)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("runbook, version ")


@pytest.mark.parametrize("command", [[], ["parse"], ["list"], ["graph"]])
def test_help_has_an_example_and_exit_codes(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "runbook " in result.stdout
    assert "3  invalid runbook" in result.stdout


def test_parse_json_is_the_schema_valid_graph() -> None:
    result = run("parse", SEED_PATH, "--json")
    assert result.exit_code == 0, result.stderr
    graph = json.loads(result.stdout)
    # Checked against the schema file in the repository, independently of how the package loads it.
    schemas = {
        name: json.loads((ROOT / "schemas" / f"{name}.json").read_text()) for name in ("graph", "annotations")
    }
    registry = (
        __import__("referencing")
        .Registry()
        .with_resources(
            (s["$id"], __import__("referencing").Resource.from_contents(s)) for s in schemas.values()
        )
    )
    jsonschema.Draft202012Validator(schemas["graph"], registry=registry).validate(graph)
    assert [p["number"] for p in graph["procedures"]] == [1, 2, 3, 4, 5]
    assert result.stderr == ""


def test_parse_text_summary_and_warnings() -> None:
    result = run("parse", SEED_PATH)
    assert result.exit_code == 0
    assert "5 procedures, 3 runnable sections, 3 decision tables" in result.stdout
    assert "owner: Engineering Team" in result.stdout
    # The seed sends "$ADMIN_PASSWORD" inside single quotes: said, with file and line.
    assert f"{SEED_PATH}:506:" in result.stderr and "inputs/single-quoted-variable" in result.stderr


def test_list_shows_ids_kinds_and_flags() -> None:
    result = run("list", SEED_PATH)
    assert result.exit_code == 0
    lines = result.stdout.split("\n")

    def row(node_id: str) -> str:
        return next(line for line in lines if line.strip().startswith(node_id + " "))

    assert "Procedure 2: Database Migration Rollback" in result.stdout
    assert "optional" in row("2.2") and "input $STAGING_DATABASE_URL" in row("2.2")
    assert "destructive" in row("2.3.b") and "destructive" not in row("2.3.a")
    assert "never-ending" in row("1.docker-compose-deployment.2")
    assert "secret $ADMIN_API_KEY" in row("4.2")
    assert "template" in row("5.3") and "[Date/Time]" in row("5.3")
    assert "gate" in row("2.prerequisites") and "3 to acknowledge" in row("2.prerequisites")
    assert row("2.3.a").startswith("    2.3.a")  # indented under its choice
    assert "Section: Post-Rollback Validation Checklist" in result.stdout
    assert "\x1b[" not in result.stdout  # piped: plain text


def test_list_json() -> None:
    result = run("list", SEED_PATH, "--json")
    data = json.loads(result.stdout)
    units = {u["id"]: u for u in data["units"]}
    p2 = [(n["id"], n["kind"], n["depth"]) for n in units["2"]["nodes"]]
    assert p2[:4] == [
        ("2.prerequisites", "gate", 0),
        ("2.1", "step", 0),
        ("2.2", "step", 0),
        ("2.3", "choice", 0),
    ]
    assert ("2.3.b", "step", 1) in p2
    assert "destructive" in next(n for n in units["2"]["nodes"] if n["id"] == "2.3.b")["flags"]


def test_list_respects_no_color_even_when_forced() -> None:
    forced = run("list", SEED_PATH, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[31m" in forced.stdout or "\x1b[33m" in forced.stdout  # colour when asked for
    plain = run("list", SEED_PATH, env={"FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[3" not in plain.stdout


@pytest.mark.parametrize(
    "query",
    [
        "2",
        "database-migration-rollback",
        "Database Migration Rollback",
        "DATABASE MIGRATION",
        "database",
        "procedure-2-database-migration-rollback",
    ],
)
def test_graph_selects_a_procedure_by_number_slug_title_or_prefix(query: str) -> None:
    result = run("graph", SEED_PATH, "--procedure", query, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Database Migration Rollback"


def test_graph_selects_a_runnable_section_by_slug() -> None:
    result = run("graph", SEED_PATH, "-p", "post-rollback", "--format", "json")
    assert json.loads(result.stdout)["id"] == "post-rollback-validation-checklist"


def test_ambiguous_and_unknown_procedures_list_the_candidates() -> None:
    ambiguous = run("graph", SEED_PATH, "--procedure", "p")
    assert ambiguous.exit_code == 2
    assert "'p' matches 7 procedures or sections" in ambiguous.stderr  # "procedure-N-…" anchors too
    assert "4  partial-rollback-feature-flag  Partial Rollback (Feature Flag)" in ambiguous.stderr
    assert (
        "pre-rollback-checklist" in ambiguous.stderr
        and "post-rollback-validation-checklist" in ambiguous.stderr
    )
    unknown = run("graph", SEED_PATH, "--procedure", "7")
    assert unknown.exit_code == 2 and "no procedure or section '7'" in unknown.stderr
    assert "1  application-code-rollback-no-database-changes" in unknown.stderr


def test_graph_mermaid_and_dot() -> None:
    mermaid = run("graph", SEED_PATH, "--procedure", "2").stdout
    assert mermaid.startswith("flowchart TD\n")
    assert '{"2.3: Execute Production Downgrade"}' in mermaid  # a choice is a diamond
    assert ' -- "b" --> ' in mermaid and "class n5 destructive" in mermaid and "class n2 optional" in mermaid
    dot = run("graph", SEED_PATH, "--procedure", "4", "--format", "dot").stdout
    assert dot.startswith('digraph "Partial Rollback (Feature Flag)" {')
    assert '"4.1-3" -> "4.2" [label="2"];' in dot and '"4.3" -> "4.4";' in dot


def test_graph_needs_a_procedure() -> None:
    result = run("graph", SEED_PATH)
    assert result.exit_code == 2 and "Missing option '--procedure'" in result.stderr
