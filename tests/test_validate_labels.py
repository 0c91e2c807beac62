"""The hand labels of `runbook validate` findings on the development corpus stay consistent with the
rule catalogue, and meet the gate's precision targets. The corpus itself is not needed: the
fixture holds fingerprints, rule ids, file paths and the labeller's reasons, no corpus text."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from support.paths import FIXTURES

from interpreter.policy.rules import RULES

LABELS = FIXTURES / "validate" / "corpus-labels.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _labels() -> dict[str, dict[str, Any]]:
    return dict(json.loads(LABELS.read_text("utf-8"))["labels"])


def test_every_label_names_a_rule_of_the_catalogue_at_its_level() -> None:
    labels = _labels()
    assert len(labels) >= 100
    for fingerprint, label in labels.items():
        assert re.fullmatch(r"[0-9a-f]{32}", fingerprint), fingerprint
        assert label["rule"] in RULES, label["rule"]
        assert label["level"] == _LEVEL[RULES[label["rule"]].severity], (fingerprint, label["rule"])
        assert label["verdict"] in ("true", "false")
        assert label["reason"] and not label["file"].startswith("/")


def test_precision_targets_hold_on_the_labels() -> None:
    """Errors: every labelled one right. Warnings: at least 90% right."""
    counts: Counter[tuple[str, str]] = Counter((v["level"], v["verdict"]) for v in _labels().values())
    assert counts[("error", "false")] == 0 and counts[("error", "true")] > 0
    warnings = counts[("warning", "true")] + counts[("warning", "false")]
    assert warnings >= 90 and counts[("warning", "true")] / warnings >= 0.9


def test_the_fixture_keeps_no_text_of_the_corpus() -> None:
    """Reasons are the labeller's words: no code spans, quotes or anchors copied from a file."""
    for label in _labels().values():
        assert not re.search(r"[`#\"]|\]\(", label["reason"]), label["reason"]
