"""A fenced block becomes a code block of a kind (`model/kinds.py`), read by that kind's analyser."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model.kinds import KINDS, BlockKind, kind_of_language
from ..model.runbook import CodeBlock, Placeholder
from ..parse.document import Fence
from ..parse.source import Finding
from ..policy.secrets import is_secret_name
from .http import analyse_http
from .shell import ShellFacts, analyse_shell

__all__ = ["ANALYSERS", "code_block"]

_FIELD = re.compile(r"\[([^\[\]\n]{1,60})\](?!\()")  # no `[` inside: not 60 steps from every `[`
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")
# Lines that make a block config or data, not a message to fill in: `key = value`, `{`, `"key":`.
_CONFIG_LINE = re.compile(r"^\s*(?:[{}]\s*,?\s*$|[\w.-]+\s*=\s*\S|\"[^\"]*\"\s*:)")


def _kind(fence: Fence, runnable: bool) -> BlockKind:
    """The kind a fence that is not shell-like is, from its language (the kind table)."""
    if fence.directive and not fence.lang:
        return "text"  # a MyST directive's body (`{note}`, `{tab-set}`) is Markdown, not code
    kind = kind_of_language(fence.lang)
    if kind is not None:
        return kind.name if runnable else "reference"
    if not fence.lang and _is_template(fence.code):
        return "template"
    return "text" if not fence.lang else "reference"


def _is_template(code: str) -> bool:
    """A message with `[Bracketed]` fields or `$VARS` to fill in (not a config file that has brackets)."""
    fields = [m.group(1) for m in _FIELD.finditer(code)]
    if not (fields or _VAR.search(code)) or any('"' in f for f in fields):
        return False  # `["bucket-1", "bucket-2"]` is a list, not a field to fill
    return not any(_CONFIG_LINE.match(line) for line in code.split("\n"))


# `bash -c "… $X"`, `sh -c`, `su … -c`, `ssh HOST "… $X"`: the outer shell expands $X into the text
# another shell then reads as code, so a value holding ; $( ) ` or quotes runs there.
_NESTED = re.compile(
    r"(?:\b(?:ba|z|k|da)?sh\s+(?:-[a-z]+\s+)*-[a-z]*c\s+"
    r"|\bsu\b[^\"']*?-c\s+"
    r"|\bssh\s[^\"'\n]*?\s)"
    r'"((?:[^"\\]|\\.)*)"'
)
_EXPANDED = re.compile(r"(?<!\\)\$\{?([A-Za-z_]\w*)")


def _nested_shell(commands: Any, path: str) -> list[Finding]:
    found = []
    for command in commands:
        for match in _NESTED.finditer(command.text):
            names = list(dict.fromkeys(_EXPANDED.findall(match.group(1))))
            if not names:
                continue
            line = command.span.start + command.text.count("\n", 0, match.start())
            shown = ", ".join(f"${n}" for n in names)
            found.append(
                Finding.of(
                    "inputs/nested-shell",
                    path,
                    line,
                    f"{shown} is expanded into a command line another shell reads as code: a value "
                    "holding ; $( ) ` or quotes would run there",
                    'hand it over as an argument or variable instead: bash -c \'… "$1"\' _ "$X", '
                    "or ssh HOST 'cmd \"$1\"' with the value passed safely",
                )
            )
    return found


def _shellish(fence: Fence) -> bool:
    """Shell languages and fences with no language are read as shell first: what is in them decides."""
    language = kind_of_language(fence.lang)
    if fence.directive and not fence.lang:
        return False  # a MyST directive's body is Markdown
    return not fence.lang or (language is not None and language.shell)


def code_block(
    fence: Fence,
    runnable: bool,
    annotation: dict[str, Any],
    findings: list[Finding],
    trusted: bool = False,
) -> CodeBlock:
    """Classify and analyse one fence. `runnable` is False outside procedures and runnable sections;
    `trusted`: the prose before a fence with no language says it holds commands."""
    if annotation.get("run") is True:
        runnable = True
    never = annotation.get("run") is False
    if _shellish(fence):
        return _shell_block(fence, runnable, never, trusted, annotation, findings)
    kind: BlockKind = "reference" if never else _kind(fence, runnable)
    analyse = ANALYSERS.get(kind)
    if analyse is None:
        return CodeBlock(
            fence.lang,
            kind,
            fence.code,
            fence.span,
            (),
            (),
            (),
            (),
            annotation=annotation,
            code_line=fence.first_code_line,
        )
    return analyse(fence, kind, annotation, findings)


def _shell_kind(fence: Fence, facts: ShellFacts, runnable: bool) -> BlockKind:
    """A block read as shell: it runs when it holds commands; else it is shown (typed elsewhere)."""
    if not runnable:
        return "reference"
    if facts.commands:
        return "console" if fence.lang in KINDS["console"].languages else "shell"
    if not fence.lang and _is_template(fence.code):
        return "template"
    return "text" if facts.typed or not fence.lang else "reference"


def _shell_block(
    fence: Fence,
    runnable: bool,
    never: bool,
    trusted: bool,
    annotation: dict[str, Any],
    findings: list[Finding],
) -> CodeBlock:
    path = fence.span.file
    facts = analyse_shell(
        fence.code, fence.first_code_line, path, lang=fence.lang, trusted=trusted or bool(fence.lang)
    )
    kind: BlockKind = "reference" if never else _shell_kind(fence, facts, runnable)
    if kind == "template":
        return _template_block(fence, kind, annotation, findings)
    for name, line in facts.single_quoted:
        findings.append(
            Finding.of(
                "inputs/single-quoted-variable",
                path,
                line,
                f"${name} is inside single quotes: bash sends the text ${name}, not its value"
                + (" (a secret would not be sent either)" if is_secret_name(name) else ""),
                f"close the single quotes around it: '...'\"${name}\"'...'",
            )
        )
    findings += _nested_shell(facts.commands, path)
    return CodeBlock(
        fence.lang,
        kind,
        fence.code,
        fence.span,
        facts.commands,
        facts.uses,
        facts.sets,
        facts.placeholders,
        typed=facts.typed,
        annotation=annotation,
        code_line=fence.first_code_line,
    )


def _sql_block(
    fence: Fence, kind: BlockKind, annotation: dict[str, Any], findings: list[Finding]
) -> CodeBlock:
    facts = _sql_facts(fence)
    return CodeBlock(
        fence.lang,
        kind,
        fence.code,
        fence.span,
        facts.commands,
        facts.uses,
        facts.sets,
        (),
        annotation=annotation,
        code_line=fence.first_code_line,
    )


def _template_block(
    fence: Fence, kind: BlockKind, annotation: dict[str, Any], findings: list[Finding]
) -> CodeBlock:
    fields = tuple(dict.fromkeys(m.group(1) for m in _FIELD.finditer(fence.code)))
    uses = tuple(dict.fromkeys(m.group(1) for m in _VAR.finditer(fence.code)))
    holes = tuple(
        Placeholder(f"[{name}]", "field", fence.first_code_line + fence.code[: m.start()].count("\n"))
        for m in _FIELD.finditer(fence.code)
        for name in [m.group(1)]
    )
    return CodeBlock(
        fence.lang,
        kind,
        fence.code,
        fence.span,
        (),
        uses,
        (),
        holes,
        fields=fields,
        annotation=annotation,
        code_line=fence.first_code_line,
    )


Analyser = Callable[[Fence, BlockKind, dict[str, Any], list[Finding]], CodeBlock]

ANALYSERS: dict[str, Analyser] = {
    "sql": _sql_block,
    "http": analyse_http,
    "template": _template_block,
}
"""How each non-shell kind's fence is read; shell-like fences (shell, console, no language) are read
by `_shell_block` first, because what is in them decides their kind (a test checks every kind with
languages is read by one or the other)."""


def _sql_facts(fence: Fence) -> ShellFacts:
    """Statements as sqlparse splits them; destructive by their tokens; `-- Expected:` checked against
    the statement's result (a bare value against its first row's first column)."""
    from ..model.runbook import Command, Expectation
    from ..parse.source import Span
    from .sql import destructive_sql, split_sql

    commands = [
        Command(
            statement.text,
            Span(fence.span.file, statement.first_line, statement.last_line),
            "",
            destructive_sql(statement.text),
            False,
            tuple(Expectation(text, True, line) for text, line in statement.expectations),
        )
        for statement in split_sql(fence.code, fence.first_code_line)
    ]
    return ShellFacts(tuple(commands), (), (), (), ())
