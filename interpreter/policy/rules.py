"""Every finding's rule: its id, its severity, what it means in a sentence (the one home of severities)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["RULES", "Rule", "Severity"]

Severity = Literal["error", "warning", "info"]
"""The gate's policy, one level per rule:

error: `runbook run` would fail or mislead because of it (a command it would run does not parse, a
bad annotation, the rest of the file swallowed by a fence or a comment, a link to a missing
anchor in the same file) or it leaks (a secret in plain text). `runbook validate` exits 1.
warning: a reader or operator should fix it, but the run is not misled (a broken link to a file,
a destructive command with no warning, a never-ending command with no timeout, a block shown
for reference that does not parse). Exit 0, unless `--strict`.
info: a fact the run handles by itself (placeholders and inputs it asks for, ids it renames,
a fence labelled shell that holds something else)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of finding. Every finding takes its severity from here (`Finding.of`)."""

    id: str
    """Stable id, `area/name`, as reports and suppressions write it."""
    severity: Severity
    """Its default severity (`--strict` may raise warnings to errors)."""
    summary: str
    """What it means, in one sentence (`runbook validate --rules`)."""
    why: str = ""
    """Why it has its severity, by the policy above (the README's rules table shows it)."""


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        # Found while reading the file (the parser reports them; validate shows them too).
        Rule(
            "structure/unclosed-fence",
            "error",
            "A code fence is never closed, so the rest of the file is code.",
            "the run would read the rest of the file as code",
        ),
        Rule(
            "structure/unclosed-comment",
            "error",
            "A <!-- runbook: --> comment is never closed and hides the rest of the file.",
            "the run would not see the rest of the file",
        ),
        Rule(
            "structure/empty-file",
            "warning",
            "The file is empty (or blank): there is nothing to run.",
            "nothing is wrong in it, but nothing can run",
        ),
        Rule(
            "structure/no-procedures",
            "info",
            "Nothing in the file has numbered steps with commands.",
            "a fact: notes and handbooks have none",
        ),
        Rule(
            "structure/no-steps",
            "warning",
            "A procedure has no steps to run.",
            "a reader expects steps that are not there",
        ),
        Rule(
            "structure/duplicate-id",
            "info",
            "Two nodes would get the same id; the second is renamed.",
            "a fact: ids are renamed the same way every time",
        ),
        Rule(
            "structure/duplicate-procedure-number",
            "warning",
            "Two procedures have the same number.",
            "`--procedure N` picks the first; readers may mean the other",
        ),
        Rule(
            "structure/step-numbering",
            "warning",
            "Step numbers skip or repeat (1, 2, 4 or 1, 2, 2).",
            "readers may think a step is missing",
        ),
        Rule(
            "annotations/syntax",
            "error",
            "Fence attributes or a runbook comment cannot be read.",
            "an annotation the run cannot read would be silently dropped",
        ),
        Rule(
            "annotations/schema",
            "error",
            "An annotation has an unknown key or a value of the wrong type.",
            "an annotation the run cannot apply would be silently dropped",
        ),
        Rule(
            "annotations/weakens-safety",
            "error",
            "An annotation asks a destructive step for less than a typed word (confirm: none/yes, "
            "destructive: false); it is ignored.",
            "it would run a destructive step unasked if obeyed",
        ),
        Rule(
            "annotations/front-matter",
            "error",
            "The YAML front matter is invalid or unclosed, or a key runbook reads has a wrong value.",
            "variables, secrets or targets the run needs are lost",
        ),
        Rule(
            "annotations/front-matter-key",
            "info",
            "A front matter key looks like a misspelt key of ours (other tools' keys are kept silently).",
            "likely a slip, but other tools' keys look the same",
        ),
        Rule(
            "encoding/double-encoded",
            "warning",
            "Text was saved double-encoded (âœ… for ✅); the finding names the character.",
            "readers see garbled text; commands rarely change",
        ),
        Rule(
            "encoding/control-character",
            "error",
            "A control character (ESC, BEL, a bidirectional override) hides or rewrites what a line shows.",
            "the operator would confirm a command other than the one that runs",
        ),
        Rule(
            "inputs/single-quoted-variable",
            "warning",
            "A $VARIABLE inside single quotes is sent as text, not its value.",
            "the command gets the text $X, which is usually a slip",
        ),
        Rule(
            "inputs/nested-shell",
            "warning",
            'A $VARIABLE is expanded into another shell\'s command line (bash -c "…", ssh host "…").',
            "a value with ; or quotes would run as code elsewhere",
        ),
        # Checked by validate.
        Rule(
            "links/anchor",
            "error",
            "An in-page link (#anchor) matches no heading (by the site's slugs) or written anchor.",
            "the link goes nowhere on the page an operator is reading",
        ),
        Rule(
            "links/anchor-style",
            "warning",
            "An in-page link matches a heading only by another site's slug rules than the ones "
            "assumed (GitHub's unless --slugs or front matter says).",
            "broken where the page is rendered with the assumed rules; fine on the other site",
        ),
        Rule(
            "links/reference",
            "warning",
            "A MyST link (#label) matches no target in its file nor in the files validated with it.",
            "the target may sit in a file not validated",
        ),
        Rule(
            "links/file",
            "warning",
            "A relative link points to a file that does not exist.",
            "a broken link, though the run itself never follows it",
        ),
        Rule(
            "code/shell-syntax",
            "error",
            "A shell block the run executes does not parse (bash -n), prompts and placeholders set aside.",
            "the step would fail when run",
        ),
        Rule(
            "code/shell-syntax-reference",
            "warning",
            "A shell block shown for reference (run only when asked) does not parse (bash -n).",
            "it only fails if someone runs it by hand",
        ),
        Rule(
            "code/not-shell",
            "info",
            "A shell fence holds something else (PromQL, a psql session, YAML, output); names the language.",
            "the fence's label is wrong; nothing in it is a mistake",
        ),
        Rule(
            "code/shellcheck",
            "warning",
            "shellcheck reports a problem in a shell block (when shellcheck is installed).",
            "likely mistakes; the command may still run",
        ),
        Rule(
            "code/unknown-language",
            "info",
            "A fence names a language no highlighter knows.",
            "only highlighting is lost",
        ),
        Rule(
            "code/http-request",
            "error",
            "An http block is not a request (`METHOD URL`, `Name: value` headers, a blank line, a body).",
            "the run refuses to send it",
        ),
        Rule(
            "inputs/undeclared",
            "info",
            "A variable is used but never set or declared; it will be asked at run time.",
            "a fact: the run asks for it",
        ),
        Rule(
            "inputs/placeholder",
            "info",
            "A command holds a placeholder (<tag>, /path/to/…, abc123f); the run asks for its value.",
            "a fact: the run asks for it",
        ),
        Rule(
            "safety/unwarned-destructive",
            "warning",
            "A destructive command sits in a step with no warning or confirmation.",
            "the run asks for a typed word anyway; readers get no warning",
        ),
        Rule(
            "safety/never-ending",
            "warning",
            "A never-ending command (logs -f, watch) has no timeout.",
            "the run waits until stopped; expected, but worth a timeout",
        ),
        Rule(
            "safety/secret-in-text",
            "error",
            "A secret is written in plain text (a password, token or private key).",
            "it leaks to everyone who can read the repository",
        ),
        Rule(
            "metadata/no-owner", "warning", "The runbook names no owner.", "nobody to ask during an incident"
        ),
        Rule(
            "metadata/review-overdue",
            "warning",
            "The review date has passed.",
            "the runbook may be out of date",
        ),
        Rule(
            "metadata/no-review-date",
            "info",
            "The runbook has no review date.",
            "a fact: nothing says when to review it",
        ),
    )
}
