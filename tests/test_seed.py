"""The user's runbook, read with zero annotations: what issue 2's "What it must show" lists."""

from __future__ import annotations

import re
from typing import Any

from support.graphs import commands, node, unit
from support.paths import DAMAGED

from interpreter.infer.load import load
from interpreter.plan.graph import graph_json


def test_five_procedures_with_their_attributes(seed_graph: dict[str, Any]) -> None:
    got = [
        (
            p["number"],
            p["title"],
            p["duration"] and (p["duration"]["min"], p["duration"]["max"]),
            p["risk"] and p["risk"]["level"],
        )
        for p in seed_graph["procedures"]
    ]
    assert got == [
        (1, "Application Code Rollback (No Database Changes)", (5, 10), None),
        (2, "Database Migration Rollback", (15, 30), "high"),
        (3, "Configuration Rollback", (2, 5), "low"),
        (4, "Partial Rollback (Feature Flag)", (0, 1), "very low"),
        (5, "Emergency Full Rollback", (10, 15), "medium"),
    ]
    use_cases = [p["use_case"] for p in seed_graph["procedures"]]
    assert use_cases[1] == "Deployment included Alembic migrations that caused issues"
    assert all(use_cases)
    assert seed_graph["procedures"][0]["prerequisites"] == "No database schema changes in rolled-back commits"
    # A HIGH-risk procedure is started only after typing its slug.
    assert seed_graph["procedures"][1]["confirm"] == {"kind": "typed", "word": "database-migration-rollback"}
    assert seed_graph["procedures"][2]["confirm"] is None


def test_procedure_1_variants_and_split_options(seed_graph: dict[str, Any]) -> None:
    p1 = unit(seed_graph, "1")
    first = node(p1, p1["entry"])
    assert first["kind"] == "choice" and first["choice"]["kind"] == "variant"
    assert [b["title"] for b in first["choice"]["branches"]] == [
        "Render.com Deployment",
        "Docker Compose Deployment",
    ]

    revert = node(p1, "1.render-com-deployment.2")
    assert revert["kind"] == "choice" and revert["choice"]["kind"] == "option"
    option_a, option_b = node(p1, "1.render-com-deployment.2.a"), node(p1, "1.render-com-deployment.2.b")
    assert commands(option_a) == ["git reset --hard abc123f"]
    assert option_a["flags"]["destructive"] and option_a["flags"]["confirm"] == "typed"
    assert commands(option_b) == [
        "git revert --no-commit HEAD",
        'git commit -m "Rollback: Revert deployment to abc123f"',
    ]
    assert not option_b["flags"]["destructive"]
    # Never one block that would run both alternatives.
    for n in p1["nodes"]:
        text = "\n".join(commands(n))
        assert not ("reset --hard" in text and "git revert" in text), n["id"]

    monitor = node(p1, "1.render-com-deployment.4")
    assert monitor["title"] == "Monitor Deployment"
    assert monitor["flags"]["manual"] and monitor["blocks"] == []
    assert "- Watch Render dashboard for build progress (5-8 minutes)" in monitor["prose"]

    rebuild = node(p1, "1.docker-compose-deployment.2")
    follow = [c for b in rebuild["blocks"] for c in b["commands"] if c["never_ending"]]
    assert [c["text"] for c in follow] == ["docker-compose logs -f api worker"]
    assert rebuild["flags"]["never_ending"]

    checkout = node(p1, "1.docker-compose-deployment.1")
    holes = {(p["text"], p["kind"]) for b in checkout["blocks"] for p in b["placeholders"]}
    assert holes == {("/path/to/ai-agents-platform", "path"), ("abc123f", "commit")}


def test_procedure_2_gate_optional_step_and_destructive_option(seed_graph: dict[str, Any]) -> None:
    p2 = unit(seed_graph, "2")
    assert [n["id"] for n in p2["nodes"]] == ["2.prerequisites", "2.1", "2.2", "2.3", "2.3.a", "2.3.b", "2.4"]
    gate = node(p2, "2.prerequisites")
    assert [i["text"] for i in gate["items"]] == [
        "Database backup exists (taken during deployment)",
        "Migration files reviewed for reversibility",
        "Downgrade scripts tested on staging",
    ]
    staging = node(p2, "2.2")
    assert staging["flags"]["optional"] and staging["flags"]["when"] == "if available"
    assert staging["uses"] == [{"name": "STAGING_DATABASE_URL", "from": None, "secret": False}]
    assert {
        "name": "STAGING_DATABASE_URL",
        "secret": False,
        "prompt": "",
        "default": None,
        "declared": False,
    } in seed_graph["runbook"]["variables"]

    downgrade = node(p2, "2.3")
    assert [(b["key"], b["title"]) for b in downgrade["choice"]["branches"]] == [
        ("a", "Option A: Safe Reversible Migration"),
        ("b", "Option B: Non-Reversible Migration (Restore from Backup)"),
    ]
    a, b = node(p2, "2.3.a"), node(p2, "2.3.b")
    assert not a["flags"]["destructive"]
    assert b["flags"]["destructive"] and b["flags"]["confirm_word"] == "DROP"
    assert "DROP DATABASE removes it and the data it holds" in b["flags"]["reasons"]
    assert any("WARNING: DATA LOSS" in r for r in b["flags"]["reasons"])
    edges = {(e["from"], e["to"], e["kind"], e.get("label")) for e in p2["edges"]}
    assert edges == {
        ("2.prerequisites", "2.1", "next", None),
        ("2.1", "2.2", "next", None),
        ("2.2", "2.3", "next", None),
        ("2.3", "2.3.a", "branch", "a"),
        ("2.3", "2.3.b", "branch", "b"),
        ("2.3.a", "2.4", "next", None),
        ("2.3.b", "2.4", "next", None),
    }


def test_procedure_3_variants_with_two_steps_each(seed_graph: dict[str, Any]) -> None:
    p3 = unit(seed_graph, "3")
    variant = node(p3, p3["entry"])
    assert [b["title"] for b in variant["choice"]["branches"]] == ["Render.com", "Docker Compose"]
    children = {}
    for n in p3["nodes"]:
        if n["parent"]:
            children.setdefault(n["parent"]["branch"], []).append(n["title"])
    assert children == {
        "render-com": ["Restore Previous Environment Variables", "Revert via Render Dashboard"],
        "docker-compose": ["Restore .env File", "Restart Services"],
    }


def test_procedure_4_alternatives_then_verify(seed_graph: dict[str, Any]) -> None:
    p4 = unit(seed_graph, "4")
    choice = node(p4, "4.1-3")
    assert choice["choice"]["kind"] == "alternative"
    assert [b["entry"] for b in choice["choice"]["branches"]] == ["4.1", "4.2", "4.3"]
    into_verify = sorted(e["from"] for e in p4["edges"] if e["to"] == "4.4")
    assert into_verify == ["4.1", "4.2", "4.3"]
    verify = node(p4, "4.4")
    [command] = verify["blocks"][0]["commands"]
    assert command["text"] == "curl http://localhost:8000/api/v1/new-feature"
    assert command["expectations"] == [
        {"text": '{"detail": "Feature disabled"}', "literal": True, "line": 460}
    ]
    api = node(p4, "4.2")
    assert api["uses"] == [{"name": "ADMIN_API_KEY", "from": None, "secret": True}]


def test_procedure_5_variable_flows_into_the_announcement(seed_graph: dict[str, Any]) -> None:
    p5 = unit(seed_graph, "5")
    assert node(p5, "5.1")["sets"] == ["STABLE_TAG"]
    announce = node(p5, "5.3")
    assert announce["kind"] == "template"
    assert announce["uses"] == [{"name": "STABLE_TAG", "from": "5.1", "secret": False}]
    assert announce["blocks"][0]["fields"] == ["Date/Time"]
    assert "STABLE_TAG" not in {v["name"] for v in seed_graph["runbook"]["variables"]}


def test_decision_tables_and_criteria(seed_graph: dict[str, Any]) -> None:
    tables = {d["id"]: d for d in seed_graph["decisions"]}
    authority = tables["rollback-authority-matrix"]
    assert authority["kind"] == "severity"
    assert authority["columns"] == ["Severity", "Approval Required", "Response Time"]
    assert [r["response_minutes"] for r in authority["rows"]] == [5, 15, 60, None]
    assert authority["rows"][0]["cells"][0] == "P0 - Critical (Service down, data loss risk)"
    triggers = tables["automatic-rollback-triggers"]
    assert (
        triggers["columns"] == ["Trigger", "Threshold", "Duration", "Action"] and len(triggers["rows"]) == 5
    )
    hotfix = tables["rollback-vs-hotfix-decision"]
    assert hotfix["condition"] == "Scenario" and "Recommended Action" in hotfix["outcomes"]
    assert [r["cells"][1] for r in hotfix["rows"]].count("Rollback") == 3
    assert "role" not in {
        d["condition"].lower() for d in seed_graph["decisions"]
    }  # contacts are not decisions

    [criteria] = seed_graph["criteria"]
    assert criteria["title"] == "Manual Rollback Criteria"
    assert [(g["severity"], len(g["items"])) for g in criteria["groups"]] == [
        ("P0", 5),
        ("P1", 5),
        ("P2", 4),
        ("P3", 4),
    ]


def test_runnable_sections(seed_graph: dict[str, Any]) -> None:
    ids = [s["id"] for s in seed_graph["sections"]]
    assert "pre-rollback-checklist" in ids and "post-rollback-validation-checklist" in ids
    pre = unit(seed_graph, "pre-rollback-checklist")
    capture = node(pre, "pre-rollback-checklist.3.1")
    assert (
        capture["kind"] == "check"
        and commands(capture)[0] == "git rev-parse HEAD > /tmp/rollback-from-commit.txt"
    )
    notify = node(pre, "pre-rollback-checklist.2.1")
    assert notify["kind"] == "template" and "Brief description" in notify["blocks"][0]["fields"]
    scope = node(pre, "pre-rollback-checklist.1.2")
    assert scope["checks"] == [
        "Application code only",
        "Database migrations",
        "Configuration changes",
        "Multiple services",
    ]
    post = unit(seed_graph, "post-rollback-validation-checklist")
    expectations = [
        (e["text"], e["literal"])
        for n in post["nodes"]
        for b in n.get("blocks", [])
        for c in b["commands"]
        for e in c["expectations"]
    ]
    assert ('{"status": "healthy"}', True) in expectations
    assert ("<200ms", False) in expectations and len(expectations) == 5


def test_reference_code_belongs_to_no_unit(seed_graph: dict[str, Any]) -> None:
    sections = {r["section"] for r in seed_graph["reference"]}
    assert {
        "Strategy 1: Backward-Compatible Migrations (Preferred)",
        "A. Rollback Commands Quick Reference",
        "B. Common Rollback Issues",
    } <= sections
    assert all(r["block"]["kind"] in ("reference", "text") for r in seed_graph["reference"])
    unit_lines = {
        b["span"]["start"]
        for u in [*seed_graph["procedures"], *seed_graph["sections"]]
        for n in u["nodes"]
        for b in n.get("blocks", [])
    }
    assert unit_lines.isdisjoint({r["block"]["span"]["start"] for r in seed_graph["reference"]})
    python = next(r for r in seed_graph["reference"] if r["block"]["lang"] == "python")
    assert python["block"]["span"]["start"] == 531


def test_metadata(seed_graph: dict[str, Any]) -> None:
    meta = seed_graph["runbook"]["metadata"]
    assert (meta["version"], meta["last_updated"], meta["status"], meta["owner"], meta["next_review"]) == (
        "1.0",
        "2025-11-20",
        "ACTIVE",
        "Engineering Team",
        "2025-12-20",
    )
    assert "#engineering on Slack" in meta["contacts"]
    assert meta["lines"]["next_review"] == 849


def _first_words(text: str) -> str:
    return re.sub(r"[*`]", "", text).split(":")[0].strip()[:25]


def test_every_span_points_at_its_source(seed_graph: dict[str, Any], seed_lines: list[str]) -> None:
    def line(n: int) -> str:
        return seed_lines[n - 1]

    checked = 0
    for u in [*seed_graph["procedures"], *seed_graph["sections"]]:
        assert u["title"] in line(u["span"]["start"])
        for n in u["nodes"]:
            start, end = n["span"]["start"], n["span"]["end"]
            assert 1 <= start <= end <= len(seed_lines)
            if n["kind"] == "gate":
                for item in n["items"]:
                    assert item["text"] in line(item["span"]["start"]).replace("- [ ] ", "")
            elif (
                n["parent"]
                and n["parent"]["choice"].endswith("variant") is False
                and n["title"].startswith("Option")
            ):
                assert "Option" in line(start)
            elif n["kind"] != "choice" or n["choice"]["kind"] == "option":
                assert _first_words(n["title"]) in re.sub(r"[*`]", "", line(start)), (n["id"], line(start))
            for block in n.get("blocks", []):
                first = line(block["span"]["start"]).strip()
                # A block split into alternatives starts at the comment that names its part.
                assert first.startswith("```") or first.startswith("#"), (n["id"], first)
                for command in block["commands"]:
                    assert command["text"].split("\n")[0].strip() in line(command["span"]["start"])
                    checked += 1
    assert checked > 60


def test_damaged_original_parses_to_the_same_structure(seed_graph: dict[str, Any]) -> None:
    damaged = graph_json(load(DAMAGED))

    def shape(graph: dict[str, Any]) -> list[Any]:
        return [
            [
                (
                    n["id"],
                    n["kind"],
                    (n["span"]["start"], n["span"]["end"]),
                    n.get("flags"),
                    n["parent"],
                    commands(n),
                )
                for n in u["nodes"]
            ]
            + [u["edges"], u["duration"], u["risk"]]
            for u in [*graph["procedures"], *graph["sections"]]
        ] + [
            [(d["id"], d["columns"], len(d["rows"])) for d in graph["decisions"]],
            graph["runbook"]["metadata"]["status"],
        ]

    assert shape(damaged) == shape(seed_graph)
    encoding = [f for f in damaged["findings"] if f["rule"] == "encoding/double-encoded"]
    assert encoding[0]["line"] == 6 and "'✅'" in encoding[0]["message"]
    assert not [f for f in seed_graph["findings"] if f["rule"] == "encoding/double-encoded"]
