"""A fenced block becomes a code block of a kind: shell, console, sql, template, text or reference."""

from __future__ import annotations

import re
from typing import Any

from ..model.runbook import BlockKind, CodeBlock, Placeholder
from ..parse.document import Fence
from ..parse.source import Finding
from ..policy.secrets import is_secret_name
from .shell import ShellFacts, analyse_shell

__all__ = ["SHELL_LANGS", "code_block"]

SHELL_LANGS = frozenset({"bash", "sh", "shell", "zsh"})
_FIELD = re.compile(r"\[([^\]\n]{1,60})\](?!\()")
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def _kind(fence: Fence, runnable: bool) -> BlockKind:
    if fence.directive and not fence.lang:
        return "text"  # a MyST directive's body (`{note}`, `{tab-set}`) is Markdown, not code
    if fence.lang in SHELL_LANGS:
        return "shell" if runnable else "reference"
    if fence.lang == "console":
        return "console" if runnable else "reference"
    if fence.lang in ("sql", "postgresql", "psql"):
        return "sql" if runnable else "reference"
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
    path = fence.span.file
    if kind in ("shell", "console", "reference") and (fence.lang in SHELL_LANGS or fence.lang == "console"):
        facts = analyse_shell(fence.code, fence.first_code_line, path, console=fence.lang == "console")
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
    if kind == "sql":
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
    if kind == "template":
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
    return CodeBlock(
        fence.lang, kind, fence.code, fence.span, (), (), (), (), (), annotation, fence.first_code_line
    )


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
