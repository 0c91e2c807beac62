"""What a shell block says: its commands, the variables it reads and sets, and what makes it dangerous."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from ..model.runbook import Command, Expectation, Placeholder
from ..parse.source import Span
from ..policy.placeholders import PLACEHOLDER
from ..policy.risk import assess_shell, assess_typed
from .placeholders import placeholders_in
from .scan import split_commands
from .sessions import opens_session
from .transcript import read_code

__all__ = [
    "ShellFacts",
    "analyse_shell",
    "destructive_reasons",
    "is_never_ending",
    "parse_expectation",
    "split_commands",
]

# Names bash or the login environment always provide: reading them asks the operator nothing.
ENVIRONMENT = frozenset(
    [
        "HOME",
        "PATH",
        "USER",
        "LOGNAME",
        "PWD",
        "OLDPWD",
        "SHELL",
        "HOSTNAME",
        "HOSTTYPE",
        "RANDOM",
        "LINENO",
        "SECONDS",
        "IFS",
        "TMPDIR",
        "LANG",
        "LC_ALL",
        "TERM",
        "UID",
        "EUID",
        "PPID",
        "BASHPID",
        "BASH",
        "BASH_VERSION",
        "EDITOR",
        "PAGER",
        "PS1",
        "PS4",
        "OSTYPE",
        "REPLY",
        "PIPESTATUS",
        "FUNCNAME",
        "BASH_SOURCE",
        "COLUMNS",
        "LINES",
        "SHLVL",
        "DISPLAY",
        "SSH_AUTH_SOCK",
    ]
)


_ASSIGN = re.compile(r"(?:^|[;&|({]\s*|\b(?:then|do|else)\s+)([A-Za-z_]\w*)\+?=", re.M)
_DECLARE = re.compile(
    r"\b(?:export|local|readonly|declare|typeset)((?:\s+-\w+)*)((?:\s+[A-Za-z_]\w*(?:=(?:\"[^\"]*\"|'[^']*'|[^\s;&|]*))?)+)"
)
_DECLARED_NAME = re.compile(r"(?:^|\s)([A-Za-z_]\w*)(?==|\s|$)")
_READ = re.compile(r"\bread\b([^;&|<>\n]*)")
_READ_ARGS = frozenset({"-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u"})
_SUBSTITUTION = re.compile(r"\$\([^()]*\)|`[^`]*`")
_FOR = re.compile(r"\bfor\s+([A-Za-z_]\w*)\s+in\b")
_QUOTED_HEREDOC = re.compile(r"<<-?\s*(['\"])(\w+)\1[^\n]*\n(.*?)^\s*\2\s*$", re.S | re.M)


@dataclass(frozen=True, slots=True)
class ShellFacts:
    """What inference reads from one block of shell code."""

    commands: tuple[Command, ...]
    uses: tuple[str, ...]
    sets: tuple[str, ...]
    single_quoted: tuple[tuple[str, int], ...]
    """`$NAME` (and its line) written inside single quotes: bash sends it literally, never its value."""
    placeholders: tuple[Placeholder, ...]
    typed: tuple[Command, ...] = ()
    """Statements for the operator to type elsewhere (a program's prompt, a query in a shell block)."""
    data: bool = False
    """True when some of the block is not commands (config, output, prose): shown, never run."""


def destructive_reasons(text: str) -> tuple[str, ...]:
    """Why a command is destructive; empty when nothing in it is (the policy of `policy.risk`)."""
    return assess_shell(text).reasons


def is_never_ending(text: str) -> bool:
    """True for commands that run until stopped (`logs -f`, `tail -f`, `watch`): `policy.risk`."""
    return assess_shell(text).never_ending


_WITHIN = re.compile(r"within\s+([^:]+?)\s*:\s*(.+)$", re.I | re.S)


def parse_expectation(text: str, line: int) -> Expectation:
    """An expectation is literal when it can be compared with output: JSON, or quoted text.
    `within 5m: …` (from `# Expected within 5m: …`) gives it time to hold."""
    from ..policy.durations import parse

    text = text.strip()
    within = None
    timed = _WITHIN.match(text)
    if timed and parse(timed.group(1)):
        within, text = parse(timed.group(1)), timed.group(2).strip()
    literal = False
    if text[:1] in "{[":
        try:
            json.loads(text)
            literal = True
        except ValueError:
            literal = False
    elif len(text) > 1 and text[0] == text[-1] and text[0] in "`'\"" and text.count(text[0]) == 2:
        literal = True
    return Expectation(text, literal, line, within)


_TOKENS = re.compile(
    r"""(?P<single>'[^']*'?)|(?P<double>"(?:[^"\\]|\\.)*"?)|(?P<escape>\\.)"""
    r"""|(?P<comment>(?<![^\s;(|&])\#[^\n]*)|(?P<var>\$(?:\{([A-Za-z_]\w*)|([A-Za-z_]\w*)))|[^'"\\#$]+|.""",
    re.S,
)
_VAR_NAME = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_]\w*)|([A-Za-z_]\w*))")


_SPECIAL = re.compile(r"""[$#'"\\]""")
# Single quotes that hand their text to another program to read as code keep `$X` for it on
# purpose: `sh -c '…'`, `kubectl exec … -- …`, `ssh host '…'`, `awk '{print $1}'`, `--template='…'`.
_HANDOVER = re.compile(
    r"(?:^|\s)(?:-[a-zA-Z]*[ce]|--command|--template|--format|--query|--)(?:=|\s+)$"
    r"|(?:^|[\s;|&(])(?:awk|gawk|mawk|sed|perl|jq|yq|python3?|ruby|node|ssh|watch|xargs|parallel|find|su"
    r"|envsubst|psql|mysql|sqlite3|redis-cli|bash|sh|zsh)\b[^;|&]*$"
)
# `{{ … }}` with no `{{` or `}}` inside: `.*?` scanned from every `{{` of a long line to its end.
_TEMPLATE = re.compile(r"\{\{(?:[^{}]|\{(?!\{)|\}(?!\}))*\}\}")


def _handed_over(before: str) -> bool:
    """Whether a quoted word after `before` is code for another program (see _HANDOVER)."""
    segment = re.split(r"[;|&]", before)[-1]
    return bool(_HANDOVER.search(segment))


def _strip_comment_and_scan(text: str) -> tuple[str, list[str], list[str]]:
    """The command without `# comments`, the variables it reads, those it quotes literally."""
    if not _SPECIAL.search(text):
        return text, [], []
    out: list[str] = []
    uses: list[str] = []
    literal: list[str] = []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "comment":
            continue
        if kind == "single" and "$" in token and not _handed_over("".join(out)):
            # `{{$x := …}}` is a Go template's variable, `'<$PASSWORD>'` a placeholder: not the shell's.
            literal += [a or b for a, b in _VAR_NAME.findall(PLACEHOLDER.sub("", _TEMPLATE.sub("", token)))]
        elif kind == "double":
            uses += [a or b for a, b in _VAR_NAME.findall(token)]
        elif kind == "var":
            uses.append(match.group(6) or match.group(7))
        out.append(token)
    return "".join(out), uses, literal


def _assigned(bare: str) -> list[str]:
    """Names a command sets: `NAME=`, `export A=1 B`, `read -r -p "Tag: " TAG`, `for x in`."""
    names = [m.group(1) for m in _ASSIGN.finditer(bare)]
    # Command substitutions are values: `export A=$(git describe --tags)` sets A only.
    flat = bare
    while True:
        reduced = _SUBSTITUTION.sub("_", flat)
        if reduced == flat:
            break
        flat = reduced
    bare = flat
    for match in _DECLARE.finditer(bare):
        names += _DECLARED_NAME.findall(match.group(2))
    for match in _READ.finditer(bare):
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            continue
        skip = False
        for word in words:
            if skip:
                skip = False
            elif word in _READ_ARGS:
                skip = True
            elif not word.startswith("-") and re.fullmatch(r"[A-Za-z_]\w*", word):
                names.append(word)
    names += _FOR.findall(bare)
    return list(dict.fromkeys(names))


def analyse_shell(
    code: str,
    first_line: int,
    path: str,
    console: bool = False,
    lang: str | None = None,
    trusted: bool = True,
) -> ShellFacts:
    """Read the commands, variables and hazards of a block of shell code.

    `lang` is the fence's language (`console` when only `console` is given); `trusted` says the block
    or its prose declares commands, so a statement starting with an unknown program may be one.
    """
    commands: list[Command] = []
    typed: list[Command] = []
    uses: list[str] = []
    sets: list[str] = []
    single: list[tuple[str, int]] = []
    placeholders: list[Placeholder] = []
    pieces = read_code(
        code, first_line, lang if lang is not None else "console" if console else "bash", trusted
    )
    for piece in pieces:
        text, start, end = piece.text, piece.start, piece.end
        if piece.role == "typed":
            bare = _strip_comment_and_scan(text)[0]
            typed.append(
                Command(
                    text,
                    Span(path, start, end),
                    piece.comment,
                    assess_typed(bare, piece.where).reasons,  # `DROP` typed in psql is SQL
                    False,
                    (),
                    where=piece.where,
                )
            )
            continue
        if piece.role != "run":
            continue
        # A quoted heredoc's body is data: `$NAME` in it is sent as written.
        scanned = _QUOTED_HEREDOC.sub(lambda m: m.group(0)[: m.start(3) - m.start(0)], text)
        bare, used, literal = _strip_comment_and_scan(scanned)
        assigned = _assigned(bare)
        # A variable read before this block sets it is still an input; one set first is not.
        uses += [name for name in used if name not in sets and name not in assigned]
        sets += assigned
        single += [(name, start + text[: text.find("$" + name)].count(chr(10))) for name in literal]
        placeholders += placeholders_in(bare, start)
        risk = assess_shell(text)  # the text as written: comments and here-documents read by the parser
        commands.append(
            Command(
                text=text,
                span=Span(path, start, end),
                comment=piece.comment,
                destructive=risk.reasons,
                never_ending=risk.never_ending,
                expectations=tuple(
                    Expectation(e, False, at) if output else parse_expectation(e, at)
                    for e, at, output in piece.expected
                ),
                session=opens_session(bare),
            )
        )
    return ShellFacts(
        commands=tuple(commands),
        uses=tuple(dict.fromkeys(u for u in uses if u not in ENVIRONMENT)),
        sets=tuple(dict.fromkeys(sets)),
        single_quoted=tuple(dict.fromkeys(single)),
        placeholders=tuple(placeholders),
        typed=tuple(typed),
        data=any(p.role == "data" for p in pieces),
    )
