"""Findings as SARIF 2.1.0 (GitHub code scanning, GitLab, IDEs) and as GitLab Code Quality JSON.

Both carry each finding's fingerprint (fingerprints.py), so a code-scanning service matches a
finding across commits even when lines above it move, and closes it when its line is fixed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..policy.rules import RULES
from .fingerprints import fingerprints, portable
from .report import effective

if TYPE_CHECKING:
    from . import FileResult

__all__ = ["SARIF_SCHEMA", "codequality", "sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_FINGERPRINT = "runbookFinding/v1"
_HELP = (
    "Turn it off for a file with front matter `disable: [{id}]`, or for the next block with "
    "`<!-- runbook-ignore {id} -->`; `runbook rules` lists every rule."
)


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "name": "".join(part.title() for part in rule.id.replace("/", "-").split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {
                "text": f"{rule.summary} {_HELP.format(id=rule.id)}",
                "markdown": f"{rule.summary}\n\n{_HELP.format(id=rule.id)}",
            },
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"tags": ["runbook", rule.id.split("/")[0]]},
        }
        for rule in RULES.values()
    ]


def _uri(path: str) -> str:
    return quote(portable(path), safe="/")


def sarif(results: list[FileResult], strict: bool) -> str:
    """One SARIF run: the rule catalogue, a result per finding, a notification per unreadable file."""
    index = {rule_id: i for i, rule_id in enumerate(RULES)}
    out: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for result in results:
        if result.error:
            notes.append(
                {
                    "level": "error",
                    "message": {"text": result.error},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(result.path)}}}],
                }
            )
        for finding, fingerprint in fingerprints(result):
            message = finding.message + (f" — {finding.hint}" if finding.hint else "")
            out.append(
                {
                    "ruleId": finding.rule,
                    "ruleIndex": index[finding.rule],
                    "level": _LEVEL[effective(finding, strict)],
                    "message": {"text": message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": "%SRCROOT%"},
                                "region": {"startLine": finding.line, "startColumn": max(1, finding.column)},
                            }
                        }
                    ],
                    "partialFingerprints": {_FINGERPRINT: fingerprint},
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "runbook",
                "semanticVersion": __version__,
                "rules": _rules(),
            }
        },
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": out,
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False)


_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def codequality(results: list[FileResult], strict: bool) -> str:
    """GitLab Code Quality: one issue per finding, shown on the merge request's diff."""
    issues: list[dict[str, Any]] = []
    for result in results:
        for finding, fingerprint in fingerprints(result):
            issues.append(
                {
                    "type": "issue",
                    "check_name": finding.rule,
                    "description": finding.message + (f" — {finding.hint}" if finding.hint else ""),
                    "categories": ["Bug Risk" if finding.severity == "error" else "Style"],
                    "severity": _SEVERITY[effective(finding, strict)],
                    "fingerprint": fingerprint,
                    "location": {"path": portable(finding.file), "lines": {"begin": finding.line}},
                }
            )
    return json.dumps(issues, indent=2, ensure_ascii=False)
