"""The hand labels of `runbook validate` findings on the development corpus stay consistent with the
rule catalogue, cover the sample the issue asks for, and meet the gate's precision targets.

The corpus itself is not needed: the fixture holds fingerprints, rule ids, levels, file paths, line
numbers, verdicts and the labeller's reasons, no corpus text. `scripts/label-sample` draws the
sample (its docstring has the command; the fixture's `command` too).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from support.paths import FIXTURES

from interpreter.policy.rules import RULES

LABELS = FIXTURES / "validate" / "corpus-labels.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_KEYS = {"rule", "level", "file", "line", "verdict", "reason", "outside_corpus"}
_TARGET = 0.9
"""Warnings: at least this share right, overall and for each rule. Errors: every one."""


def _fixture() -> dict[str, Any]:
    return dict(json.loads(LABELS.read_text("utf-8")))


def _labels() -> dict[str, dict[str, Any]]:
    return dict(_fixture()["labels"])


def _precision(labels: list[dict[str, Any]]) -> float:
    return sum(label["verdict"] == "true" for label in labels) / len(labels)


def test_every_label_names_a_rule_of_the_catalogue_at_its_level() -> None:
    labels = _labels()
    assert len(labels) >= 100
    for fingerprint, label in labels.items():
        assert re.fullmatch(r"[0-9a-f]{32}", fingerprint), fingerprint
        assert set(label) == _KEYS, fingerprint
        assert label["rule"] in RULES, label["rule"]
        assert label["level"] == _LEVEL[RULES[label["rule"]].severity], (fingerprint, label["rule"])
        assert label["verdict"] in ("true", "false")
        assert isinstance(label["line"], int) and label["line"] >= 1
        assert isinstance(label["outside_corpus"], bool)
        assert label["reason"] and not label["file"].startswith("/") and ".." not in label["file"].split("/")


def test_the_sample_is_the_one_the_issue_asks_for() -> None:
    """Every error; warnings stratified so each rule with findings is in, the risk rules well covered."""
    fixture = _fixture()
    population: dict[str, int] = fixture["population"]
    assert set(population) <= set(RULES)
    labelled = Counter(label["rule"] for label in fixture["labels"].values())
    levels = {rule: RULES[rule].severity for rule in population}
    assert {rule for rule in population if population[rule]} == set(labelled)
    for rule, count in population.items():
        assert labelled[rule] <= count, rule
        if levels[rule] == "error" or rule == "safety/never-ending":
            assert labelled[rule] == count, rule  # taken whole
    assert labelled["safety/unwarned-destructive"] >= 30
    assert sum(n for rule, n in labelled.items() if levels[rule] == "warning") >= 100


def test_precision_targets_hold_on_the_labels() -> None:
    """Errors: every labelled one right. Warnings: at least 90% right, overall and for each rule."""
    labels = list(_labels().values())
    errors = [label for label in labels if label["level"] == "error"]
    warnings = [label for label in labels if label["level"] == "warning"]
    assert errors and _precision(errors) == 1.0, [label for label in errors if label["verdict"] == "false"]
    assert _precision(warnings) >= _TARGET
    for rule in {label["rule"] for label in warnings}:
        assert _precision([label for label in warnings if label["rule"] == rule]) >= _TARGET, rule


def test_the_fixture_keeps_no_text_of_the_corpus() -> None:
    """Reasons are the labeller's words: no code spans, quotes, anchors or links copied from a file,
    and nothing but the fields above (no message, no excerpt)."""
    for label in _labels().values():
        assert not re.search(r"[`#\"<>$]|\]\(", label["reason"]), label["reason"]
        assert len(label["reason"]) <= 200, label["reason"]
