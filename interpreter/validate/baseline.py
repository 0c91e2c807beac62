"""A baseline: the findings a repository had when it adopted the gate, so only new ones fail it.

`runbook validate --write-baseline FILE PATHS…` records every current finding by its fingerprint
(fingerprints.py: rule, file and the text of its line, not the line number); `--baseline FILE`
then reports only findings the baseline does not hold, and says how many it held back. A finding
that moves with its line stays suppressed; one whose line changes is new. The file is JSON,
meant to be committed and reviewed: each entry keeps the rule, file, line and message it had.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .fingerprints import fingerprints, portable

if TYPE_CHECKING:
    from . import FileResult

__all__ = ["apply_baseline", "read_baseline", "write_baseline"]

_VERSION = 1


def write_baseline(results: list[FileResult], path: str) -> int:
    """Write every finding of `results` to the baseline at `path`; how many were written.

    Raises:
        UsageError: the file cannot be written.
    """
    entries = [
        {
            "fingerprint": fingerprint,
            "rule": finding.rule,
            "file": portable(finding.file),
            "line": finding.line,
            "message": finding.message,
        }
        for result in results
        for finding, fingerprint in fingerprints(result)
    ]
    document = {"version": _VERSION, "tool": "runbook validate", "findings": entries}
    try:
        Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise UsageError(f"--write-baseline {path}: cannot write it: {exc.strerror}") from exc
    return len(entries)


def read_baseline(path: str) -> Counter[str]:
    """The fingerprints a baseline holds, counted (one line may hold two findings of a rule).

    Raises:
        UsageError: the file is missing or is not a baseline.
    """
    from ..errors import RunbookError
    from ..policy.paths import BASELINE_LIMIT, read_regular

    try:
        data: Any = json.loads(read_regular(path, BASELINE_LIMIT, "a baseline file"))
    except FileNotFoundError as exc:
        raise UsageError(
            f"--baseline {path}: no such file", "write one first with --write-baseline FILE PATHS…"
        ) from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"--baseline {path}: not a baseline written by runbook validate ({exc})") from exc
    except RunbookError as exc:
        raise UsageError(f"--baseline {exc.message}", exc.hint) from exc
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("version") != _VERSION:
        raise UsageError(f"--baseline {path}: not a version {_VERSION} baseline written by runbook validate")
    return Counter(str(entry.get("fingerprint", "")) for entry in entries if isinstance(entry, dict))


def apply_baseline(results: list[FileResult], known: Counter[str]) -> int:
    """Drop the findings the baseline holds (in place); how many were dropped."""
    left = Counter(known)
    dropped = 0
    for result in results:
        kept = []
        for finding, fingerprint in fingerprints(result):
            if left[fingerprint] > 0:
                left[fingerprint] -= 1
                dropped += 1
            else:
                kept.append(finding)
        result.findings = kept
    return dropped
