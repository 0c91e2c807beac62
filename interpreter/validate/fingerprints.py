"""A finding's fingerprint: stable when code moves or unrelated lines change, new when its line does.

It hashes the rule, the file's path (relative, with `/`) and the text of the line the finding
points at, whitespace squeezed; not the line number, so a finding that moves with its line keeps
its fingerprint. Two findings of one rule on lines of the same text are told apart by their order.
Baselines, SARIF's `partialFingerprints` and GitLab Code Quality's `fingerprint` all use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..parse.source import Finding
    from . import FileResult

__all__ = ["fingerprints", "portable"]

_SPACE = re.compile(r"\s+")


def portable(path: str) -> str:
    """The path as a repository names it: relative to the working folder when inside it, with `/`."""
    candidate = Path(path)
    if candidate.is_absolute():
        with contextlib.suppress(ValueError):  # outside the working folder: keep it absolute
            candidate = candidate.relative_to(Path.cwd())
    return candidate.as_posix()


def fingerprints(result: FileResult) -> list[tuple[Finding, str]]:
    """Each finding of the file with its fingerprint (hex, 32 characters)."""
    path = portable(result.path)
    seen: dict[tuple[str, str], int] = {}
    found = []
    for finding in result.findings:
        text = result.lines[finding.line - 1] if 0 < finding.line <= len(result.lines) else ""
        line = _SPACE.sub(" ", text).strip()
        key = (finding.rule, line)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        material = "\0".join((finding.rule, path, line, str(occurrence)))
        found.append((finding, hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]))
    return found
