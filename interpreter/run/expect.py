"""Checking a literal expectation (`# Expected: {"status": "healthy"}`) against a command's output."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["matches"]

_DECODER = json.JSONDecoder()


def _contains(actual: Any, expected: Any) -> bool:
    """JSON containment: every key the runbook names has the value it names (extra keys are fine)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def _json_values(output: str) -> list[Any]:
    values: list[Any] = []
    index = 0
    while True:
        starts = [i for i in (output.find("{", index), output.find("[", index)) if i >= 0]
        if not starts:
            return values
        start = min(starts)
        try:
            value, end = _DECODER.raw_decode(output, start)
        except (ValueError, RecursionError):
            index = start + 1
            continue
        values.append(value)
        index = end


def matches(expected: str, output: str) -> bool:
    """True when the output shows what the expectation states.

    JSON is matched by containment against any JSON value in the output (key order and
    spacing do not matter); quoted text must appear in the output as written.
    """
    text = expected.strip()
    if text[:1] in "{[":
        wanted = json.loads(text)
        return any(_contains(value, wanted) for value in _json_values(output))
    if len(text) > 1 and text[0] == text[-1] and text[0] in "`'\"":
        text = text[1:-1]
    return text in output
