"""A fenced block becomes a code block of a kind (`model/kinds.py`), read by that kind's analyser."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model.kinds import KINDS, BlockKind, kind_of_language
from ..model.runbook import CodeBlock, Placeholder
from ..parse.document import Fence
from ..parse.source import Finding
from .http import analyse_http
from .shell import ShellFacts, analyse_shell, is_secret_name

__all__ = ["ANALYSERS", "code_block"]

_FIELD = re.compile(r"\[([^\]\n]{1,60})\](?!\()")
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def _kind(fence: Fence, runnable: bool) -> BlockKind:
    kind = kind_of_language(fence.lang)
    if kind is not None:
        return kind.name if runnable else "reference"
    if not fence.lang and (_FIELD.search(fence.code) or _VAR.search(fence.code)):
        return "template"
    return "text" if not fence.lang else "reference"


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


def code_block(
    fence: Fence, runnable: bool, annotation: dict[str, Any], findings: list[Finding]
) -> CodeBlock:
    """Classify and analyse one fence. `runnable` is False outside procedures and runnable sections."""
    if annotation.get("run") is True:
        runnable = True
    kind: BlockKind = "reference" if annotation.get("run") is False else _kind(fence, runnable)
    read_as: str = kind
    language = kind_of_language(fence.lang)
    if kind == "reference" and language is not None and language.read_outside_units:
        read_as = language.name  # shell outside the steps is read too: validate checks it there
    analyse = ANALYSERS.get(read_as)
    if analyse is None:
        return CodeBlock(
            fence.lang, kind, fence.code, fence.span, (), (), (), (), (), annotation, fence.first_code_line
        )
    return analyse(fence, kind, annotation, findings)


def _shell_block(
    fence: Fence, kind: BlockKind, annotation: dict[str, Any], findings: list[Finding]
) -> CodeBlock:
    path = fence.span.file
    facts = analyse_shell(
        fence.code, fence.first_code_line, path, console=fence.lang in KINDS["console"].languages
    )
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
        (),
        annotation,
        fence.first_code_line,
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
        (),
        annotation,
        fence.first_code_line,
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
        fields,
        annotation,
        fence.first_code_line,
    )


Analyser = Callable[[Fence, BlockKind, dict[str, Any], list[Finding]], CodeBlock]

ANALYSERS: dict[str, Analyser] = {
    "shell": _shell_block,
    "console": _shell_block,
    "sql": _sql_block,
    "http": analyse_http,
    "template": _template_block,
}
"""How each kind's fence is read (a test checks that every kind with languages has one)."""


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
