"""The checks of `runbook validate` that read the model: inputs, safety, secrets, metadata, languages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..infer.placeholders import placeholders_in
from ..model.kinds import runs
from ..model.runbook import CodeBlock, Runbook, Step, walk_steps
from ..parse.source import Finding
from ..plan.typed import where_words
from ..policy.confirmation import confirmation
from ..policy.secrets import find_secrets

__all__ = ["check_model", "code_blocks"]

_KNOWN_LANGS = frozenset(
    [
        "bash",
        "sh",
        "shell",
        "zsh",
        "console",
        "shell-session",
        "sql",
        "postgresql",
        "psql",
        "python",
        "py",
        "python3",
        "yaml",
        "yml",
        "json",
        "json5",
        "text",
        "txt",
        "plaintext",
        "output",
        "log",
        "toml",
        "ini",
        "cfg",
        "conf",
        "dockerfile",
        "docker",
        "makefile",
        "make",
        "diff",
        "patch",
        "go",
        "javascript",
        "js",
        "typescript",
        "ts",
        "ruby",
        "rb",
        "rust",
        "rs",
        "java",
        "c",
        "cpp",
        "c++",
        "csharp",
        "cs",
        "php",
        "perl",
        "powershell",
        "ps1",
        "hcl",
        "terraform",
        "tf",
        "nginx",
        "apache",
        "xml",
        "html",
        "css",
        "markdown",
        "md",
        "graphql",
        "promql",
        "lua",
        "kotlin",
        "swift",
        "scala",
        "groovy",
        "jinja",
        "jinja2",
        "properties",
        "env",
        "csv",
        "http",
    ]
)


def _finding(rule: str, path: str, line: int, message: str, hint: str, column: int = 1) -> Finding:
    return Finding.of(rule, path, line, message, hint, column)


def code_blocks(runbook: Runbook) -> Iterator[tuple[CodeBlock, bool]]:
    """Every code block, and whether it belongs to a runnable unit."""
    for unit in (*runbook.procedures, *runbook.sections):
        for step in walk_steps(unit.nodes):
            for block in step.blocks:
                yield block, True
    for reference in runbook.reference:
        yield reference.block, False


def _inputs(runbook: Runbook) -> Iterator[Finding]:
    declared = {v.name for v in runbook.variables if v.declared}
    inputs = [v for v in runbook.variables if not v.declared]
    reported: set[str] = set()
    for block, runnable in code_blocks(runbook):
        if not runnable:
            continue
        for command in block.commands:
            for variable in inputs:
                name = variable.name
                if name in reported or not re.search(rf"\$\{{?{name}\b", command.text):
                    continue
                reported.add(name)
                kind = "secret " if variable.secret else ""
                yield _finding(
                    "inputs/undeclared",
                    runbook.path,
                    command.span.start,
                    f"${name} is used but never set or declared; the run will ask for this {kind}input",
                    f"declare it in front matter (variables: {{{name}: {{prompt: …}}}}) or set it "
                    "in an earlier step",
                )
        for command in block.typed:
            # Placeholders in commands typed elsewhere are the operator's to fill as they type.
            for placeholder in placeholders_in(command.text, command.span.start):
                if name_declared(placeholder.text, declared):
                    continue
                yield _finding(
                    "inputs/placeholder",
                    runbook.path,
                    placeholder.line,
                    f"placeholder {placeholder.text} ({placeholder.kind}) is left in a command typed "
                    f"{where_words(command.where or 'elsewhere')}",
                    "the operator fills it in as they type it; say in the text what goes there",
                )
        for placeholder in block.placeholders:
            if placeholder.kind == "field" or name_declared(placeholder.text, declared):
                continue
            yield _finding(
                "inputs/placeholder",
                runbook.path,
                placeholder.line,
                f"placeholder {placeholder.text} ({placeholder.kind}) is left in a command",
                "the run will ask for its value; or write a variable such as $RELEASE",
            )


def name_declared(text: str, declared: set[str]) -> bool:
    return text.strip("<>").upper().replace("-", "_") in declared


def _safety(runbook: Runbook, lines: tuple[str, ...]) -> Iterator[Finding]:
    for unit in (*runbook.procedures, *runbook.sections):
        for step in walk_steps(unit.nodes):
            yield from _weakening(runbook.path, step, lines)
            warned = bool(step.warnings) or step.annotation.get("confirm") == "typed"
            for block in step.blocks:
                covered = warned or block.annotation.get("confirm") == "typed"
                for command in block.typed:
                    if command.destructive and not covered:
                        yield _finding(
                            "safety/unwarned-destructive",
                            runbook.path,
                            command.span.start,
                            f"destructive command typed {where_words(command.where or 'elsewhere')} with no "
                            f"warning in {step.id}: {command.destructive[0]}",
                            "say WARNING in the step (or `> [!CAUTION]`) so readers see it before "
                            "they type it; the run asks for a typed confirmation before they go in",
                        )
                if not runs(block.kind):
                    continue
                for command in block.commands:
                    if command.destructive and not covered:
                        yield _finding(
                            "safety/unwarned-destructive",
                            runbook.path,
                            command.span.start,
                            f"destructive command with no warning in {step.id}: {command.destructive[0]}",
                            "say WARNING in the step (or `> [!CAUTION]`) so readers see it before "
                            "they run it; the run asks for a typed confirmation either way",
                        )
                    if (
                        command.never_ending
                        and not command.session  # an interactive session: the operator leaves it
                        and "timeout" not in block.annotation
                        and block.annotation.get("never_ending") is not False
                    ):
                        yield _finding(
                            "safety/never-ending",
                            runbook.path,
                            command.span.start,
                            f"never-ending command without a timeout: {command.text.split(chr(10))[0]}",
                            "add {timeout=SECONDS} to the fence, or expect to stop it with Ctrl-C",
                        )


def _weakening(path: str, step: Step, lines: tuple[str, ...]) -> Iterator[Finding]:
    for weak in confirmation(step).weakening:
        asked = f"{weak.key}: {str(weak.value).lower()}"
        yield _finding(
            "annotations/weakens-safety",
            path,
            _comment_line(lines, weak.line, weak.key),
            f"{asked} on {step.id}, a destructive step: an annotation cannot lower its typed "
            "confirmation, so it is ignored",
            f"remove `{asked}`; to run it unattended, pass --yes --allow-destructive (the journal says so)",
        )


def _comment_line(lines: tuple[str, ...], line: int, key: str) -> int:
    """The `<!-- runbook: … -->` comment just above a step that holds `key`, else the line given."""
    for number in range(line - 1, max(0, line - 4), -1):
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        if "runbook:" in text and key in text:
            return number
    return line


def _secrets(runbook: Runbook, lines: tuple[str, ...]) -> Iterator[Finding]:
    for secret in find_secrets(lines):
        yield _finding(
            "safety/secret-in-text",
            runbook.path,
            secret.line,
            secret.what,
            "never write secrets in a runbook: read them from the environment or a secret "
            "store, and rotate this one",
            secret.column,
        )


def _metadata(runbook: Runbook, today: dt.date) -> Iterator[Finding]:
    meta = runbook.metadata
    if not runbook.procedures and not runbook.sections:
        return  # notes and handbooks are not held to runbook metadata
    if not meta.owner:
        yield _finding(
            "metadata/no-owner",
            runbook.path,
            meta.lines.get("title", 1),
            "no owner is named",
            "add **Owner:** team-name under the title, or owner: in front matter",
        )
    if not meta.next_review:
        yield _finding(
            "metadata/no-review-date",
            runbook.path,
            meta.lines.get("title", 1),
            "no review date",
            "add **Next Review:** YYYY-MM-DD, or review_by: in front matter",
        )
        return
    try:
        due = dt.date.fromisoformat(meta.next_review)
    except ValueError:
        yield _finding(
            "metadata/no-review-date",
            runbook.path,
            meta.lines.get("next_review", 1),
            f"the review date {meta.next_review!r} is not a date that can be read",
            "write it as YYYY-MM-DD",
        )
        return
    if due < today:
        days = (today - due).days
        yield _finding(
            "metadata/review-overdue",
            runbook.path,
            meta.lines.get("next_review", 1),
            f"review was due on {due.isoformat()} ({days} days ago)",
            "review the runbook, then move the date forward",
        )


def _languages(runbook: Runbook) -> Iterator[Finding]:
    for block, _ in code_blocks(runbook):
        lang = block.lang
        if not lang or lang in _KNOWN_LANGS:
            continue
        try:
            from pygments.lexers import find_lexer_class_by_name  # type: ignore[import-untyped]

            find_lexer_class_by_name(lang)
            continue
        except Exception:  # pygments missing or no such lexer
            pass
        yield _finding(
            "code/unknown-language",
            runbook.path,
            block.span.start,
            f"unknown fence language {lang!r}",
            "use a language name such as bash, sql, yaml or text",
        )


def check_model(runbook: Runbook, lines: tuple[str, ...], today: dt.date) -> list[Finding]:
    """The findings about one runbook that its model and text show."""
    return [
        *_inputs(runbook),
        *_safety(runbook, lines),
        *_secrets(runbook, lines),
        *_metadata(runbook, today),
        *_languages(runbook),
        *_controls(runbook, lines),
    ]


def _controls(runbook: Runbook, lines: tuple[str, ...]) -> Iterator[Finding]:
    """Control characters (ESC, BEL, bidirectional overrides…): a terminal or an editor obeys
    them, so the line shows something other than what it holds. A zero-width space only counts
    in a command the run executes: in prose or a message to send it hides nothing that runs."""
    from ..policy.terminal import controls

    if not controls("\n".join(lines)):
        return  # one scan of the text (newline is no control character), not one per line
    executed = {
        line
        for block, runnable in code_blocks(runbook)
        if runnable and runs(block.kind)
        for line in range(block.span.start, block.span.end + 1)
    }
    for number, line in enumerate(lines, start=1):
        found = [(i, shown) for i, shown in controls(line) if number in executed or shown not in _ZERO_WIDTH]
        if found:
            index, shown = found[0]
            more = f" and {len(found) - 1} more" if len(found) > 1 else ""
            yield _finding(
                "encoding/control-character",
                runbook.path,
                number,
                f"control character {shown}{more} in the text: a terminal would obey it, and the line "
                "would show something other than what it holds",
                "remove it; if a command needs one, write it as text (printf '\\033')",
                index + 1,
            )


_ZERO_WIDTH = frozenset({"<U+200B>", "<U+2060>", "<U+FEFF>"})
"""Zero-width space, word joiner, and a byte-order mark inside the text, as `controls` shows them."""
