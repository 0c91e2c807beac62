"""Every finding's rule: its id, its severity, what it means in a sentence (the one home of severities)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["RULES", "Rule", "Severity"]

Severity = Literal["error", "warning", "info"]
"""error: the runbook cannot be trusted as read; warning: it can, with care; info: a fact."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of finding. Every finding takes its severity from here (`Finding.of`)."""

    id: str
    """Stable id, `area/name`, as reports and suppressions write it."""
    severity: Severity
    """Its default severity (`--strict` may raise warnings to errors)."""
    summary: str
    """What it means, in one sentence (`runbook validate --rules`)."""


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        # Found while reading the file (the parser reports them; validate shows them too).
        Rule(
            "structure/unclosed-fence",
            "error",
            "A code fence is never closed, so the rest of the file is code.",
        ),
        Rule(
            "structure/unclosed-comment",
            "error",
            "A <!-- runbook: --> comment is never closed and hides the rest of the file.",
        ),
        Rule("structure/no-procedures", "info", "Nothing in the file has numbered steps with commands."),
        Rule("structure/no-steps", "warning", "A procedure has no steps to run."),
        Rule("structure/duplicate-id", "warning", "Two nodes would get the same id; the second is renamed."),
        Rule("structure/duplicate-procedure-number", "warning", "Two procedures have the same number."),
        Rule("structure/step-numbering", "warning", "Step numbers skip or repeat (1, 2, 4 or 1, 2, 2)."),
        Rule("annotations/syntax", "error", "Fence attributes or a runbook comment cannot be read."),
        Rule("annotations/schema", "error", "An annotation has an unknown key or a value of the wrong type."),
        Rule(
            "annotations/front-matter",
            "error",
            "The YAML front matter is invalid, unclosed, or breaks the schema.",
        ),
        Rule(
            "encoding/double-encoded",
            "warning",
            "Text was saved double-encoded (âœ… for ✅); the finding names the character.",
        ),
        Rule(
            "encoding/control-character",
            "error",
            "A control character (ESC, BEL, a bidirectional override) hides or rewrites what a line shows.",
        ),
        Rule(
            "inputs/single-quoted-variable",
            "warning",
            "A $VARIABLE inside single quotes is sent as text, not its value.",
        ),
        Rule(
            "inputs/nested-shell",
            "warning",
            'A $VARIABLE is expanded into another shell\'s command line (bash -c "…", ssh host "…").',
        ),
        # Checked by validate.
        Rule(
            "links/anchor",
            "error",
            "An in-document link (#anchor) matches no heading as GitHub computes anchors.",
        ),
        Rule("links/file", "warning", "A relative link points to a file that does not exist."),
        Rule(
            "code/shell-syntax",
            "error",
            "A shell block does not parse (bash -n), after prompts and placeholders are set aside.",
        ),
        Rule(
            "code/shellcheck",
            "warning",
            "shellcheck reports a problem in a shell block (when shellcheck is installed).",
        ),
        Rule("code/unknown-language", "info", "A fence names a language no highlighter knows."),
        Rule(
            "code/http-request",
            "error",
            "An http block is not a request (`METHOD URL`, `Name: value` headers, a blank line, a body).",
        ),
        Rule(
            "inputs/undeclared",
            "warning",
            "A variable is used but never set or declared; it will be asked at run time.",
        ),
        Rule(
            "inputs/placeholder",
            "warning",
            "A command still holds a placeholder (<tag>, /path/to/…, abc123f) to replace.",
        ),
        Rule(
            "safety/unwarned-destructive",
            "warning",
            "A destructive command sits in a step with no warning or confirmation.",
        ),
        Rule("safety/never-ending", "warning", "A never-ending command (logs -f, watch) has no timeout."),
        Rule(
            "safety/secret-in-text",
            "error",
            "A secret is written in plain text (a password, token or private key).",
        ),
        Rule("metadata/no-owner", "warning", "The runbook names no owner."),
        Rule("metadata/review-overdue", "warning", "The review date has passed."),
        Rule("metadata/no-review-date", "info", "The runbook has no review date."),
    )
}
