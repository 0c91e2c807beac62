"""The checks of `runbook validate` that read the model: links, inputs, safety, metadata, languages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from ..model.kinds import runs
from ..model.runbook import CodeBlock, Runbook, walk_steps
from ..parse.source import Finding

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
# A name that ends with a secret word (DB_PASSWORD, api_token), given a literal value: `NAME=value`
# in shell, or `name: value` as a YAML key at the start of a line. `secretName:`, `TOKEN_TTL=`
# and `${TOKEN:?…}` are not secrets in plain text.
_SECRET_NAME = r"[A-Za-z_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|PRIVATE_KEY|ACCESS_KEY)"
_SECRET_ASSIGNMENT = re.compile(
    rf"(?:(?P<shell>{_SECRET_NAME})=|^\s*(?:-\s+)?(?P<yaml>{_SECRET_NAME})\s*:\s+)"
    r"(?P<quote>['\"]?)(?![$<{\[(%])(?P<value>[^\s'\"]{4,})(?P=quote)(?:\s|$)",
    re.I,
)
_TOKEN_SHAPES = (
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"), "a Slack token"),
    (re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@$<{]+:([^/\s@$<{]{3,})@"), "a password in a URL"),
    (re.compile(r"\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)"), "a bearer token"),
    (re.compile(r"\b(?:mysql|mysqldump|mysqladmin)\b[^\n]*\s-p(?![\s$'\"])(\S{3,})"), "a MySQL password"),
)
_PLACEHOLDER_WORDS = re.compile(r"x+|\*+|\.+|changeme|change-me|redacted|example|your[-_].*|xxx.*", re.I)


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


def _links(runbook: Runbook) -> Iterator[Finding]:
    anchors = {a.lower() for a in runbook.anchors}
    base = Path(runbook.path).parent
    for link in runbook.links:
        target = link.target
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
            continue  # http:, mailto: and the like are not checked offline
        path, _, fragment = target.partition("#")
        if not path:
            if fragment.lower() not in anchors:
                yield _finding(
                    "links/anchor",
                    runbook.path,
                    link.line,
                    f"link to #{fragment} matches no heading",
                    "use the heading's anchor as GitHub computes it (`runbook list` shows headings)",
                    link.column,
                )
            continue
        from urllib.parse import unquote

        path = path.split("?", 1)[0]
        if path.startswith("/"):
            root = _repository_root(base)
            if root is None:
                continue  # a site-absolute link: only a repository says where / is
            candidate = root / unquote(path.lstrip("/"))
        else:
            candidate = base / unquote(path)
        if not candidate.exists():
            yield _finding(
                "links/file",
                runbook.path,
                link.line,
                f"link to {path}: no such file",
                "fix the path (relative to this runbook) or remove the link",
                link.column,
            )


def _repository_root(start: Path) -> Path | None:
    for folder in [start.resolve(), *start.resolve().parents]:
        if (folder / ".git").exists():
            return folder
    return None


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


def _safety(runbook: Runbook) -> Iterator[Finding]:
    for unit in (*runbook.procedures, *runbook.sections):
        for step in walk_steps(unit.nodes):
            warned = bool(step.warnings) or step.annotation.get("confirm") == "typed"
            for block in step.blocks:
                if not runs(block.kind):
                    continue
                covered = (
                    warned
                    or block.annotation.get("confirm") == "typed"
                    or (block.annotation.get("destructive") is False)
                )
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


# A word every pattern above needs, looked for in the whole file at once: the patterns themselves
# start a backtracking search at every position, and nearly every file holds none of the words.
_SECRET_WORDS = re.compile(
    r"passw|token|secret|api_key|private_key|access_key|akia|gh[pousr]_|xox[baprs]-|private key"
    r"|://|bearer|mysql",
    re.I,
)


def _may_hold_secrets(lines: tuple[str, ...] | list[str]) -> bool:
    return _SECRET_WORDS.search("\n".join(lines)) is not None


def plaintext_secrets(lines: tuple[str, ...] | list[str]) -> list[str]:
    """The secret values written in plain text in `lines`, to keep out of every other finding."""
    values = []
    for line in lines:
        match = _SECRET_ASSIGNMENT.search(line)
        if match and not _PLACEHOLDER_WORDS.fullmatch(match.group("value")):
            values.append(match.group("value"))
        for pattern, _ in _TOKEN_SHAPES:
            for shape in pattern.finditer(line):
                value = shape.group(shape.lastindex or 0)
                if not _PLACEHOLDER_WORDS.fullmatch(value):
                    values.append(value)
    return values


def _secrets(runbook: Runbook, lines: tuple[str, ...]) -> Iterator[Finding]:
    if not _may_hold_secrets(lines):
        return
    for number, line in enumerate(lines, start=1):
        if not _SECRET_WORDS.search(line):
            continue
        found: tuple[str, int] | None = None
        match = _SECRET_ASSIGNMENT.search(line)
        if match and not _PLACEHOLDER_WORDS.fullmatch(match.group("value")):
            found = (
                f"{match.group('shell') or match.group('yaml')} is given a value in plain text",
                match.start("value") + 1,
            )
        for pattern, what in _TOKEN_SHAPES:
            shape = pattern.search(line) if found is None else None
            if shape and not _PLACEHOLDER_WORDS.fullmatch(shape.group(shape.lastindex or 0)):
                found = (f"this line holds {what}", shape.start() + 1)
        if found:  # one finding a line: the same secret is one problem
            yield _finding(
                "safety/secret-in-text",
                runbook.path,
                number,
                found[0],
                "never write secrets in a runbook: read them from the environment or a secret "
                "store, and rotate this one",
                found[1],
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
        *_links(runbook),
        *_inputs(runbook),
        *_safety(runbook),
        *_secrets(runbook, lines),
        *_metadata(runbook, today),
        *_languages(runbook),
        *_controls(runbook.path, lines),
    ]


def _controls(path: str, lines: tuple[str, ...]) -> Iterator[Finding]:
    """Control characters (ESC, BEL, bidirectional overrides…): a terminal or an editor obeys
    them, so the line shows something other than what it holds."""
    from ..policy.terminal import controls

    for number, line in enumerate(lines, start=1):
        found = controls(line)
        if found:
            index, shown = found[0]
            more = f" and {len(found) - 1} more" if len(found) > 1 else ""
            yield _finding(
                "encoding/control-character",
                path,
                number,
                f"control character {shown}{more} in the text: a terminal would obey it, and the line "
                "would show something other than what it holds",
                "remove it; if a command needs one, write it as text (printf '\\033')",
                index + 1,
            )
