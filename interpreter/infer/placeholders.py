"""Placeholders: text in a command that stands for a value the operator must supply."""

from __future__ import annotations

import re

from ..model.runbook import Placeholder

__all__ = ["placeholders_in"]

_ANGLE = re.compile(r"(?<![<\w])<([A-Za-z][\w./:@-]*)>")
_PATH = re.compile(r"/path/to(?:/[\w.@-]*)*")
_COMMIT = re.compile(r"(?<![\w./-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}(?![\w./-])")
_TIMESTAMP = re.compile(r"[\w./-]*\b20\d{6}-\d{6}\b[\w./-]*")
_TS_CORE = re.compile(r"20\d{6}-\d{6}")
_GIT = re.compile(r"\bgit\b")


def placeholders_in(text: str, line: int) -> list[Placeholder]:
    """Values in a command that the operator must replace."""
    found: list[Placeholder] = []
    found += [Placeholder(m.group(), "angle", line) for m in _ANGLE.finditer(text)]
    found += [Placeholder(m.group(), "path", line) for m in _PATH.finditer(text)]
    if _TS_CORE.search(text):
        found += [Placeholder(m.group(), "timestamp", line) for m in _TIMESTAMP.finditer(text)]
    if _GIT.search(text):
        found += [Placeholder(m.group(), "commit", line) for m in _COMMIT.finditer(text)]
    return found
