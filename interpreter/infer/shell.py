"""What a shell block says: its commands, the variables it reads and sets, and what makes it dangerous."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from ..model.runbook import Command, Expectation, Placeholder
from ..parse.source import Span
from ..policy.risk import assess_shell

__all__ = [
    "ShellFacts",
    "analyse_shell",
    "destructive_reasons",
    "is_never_ending",
    "is_secret_name",
    "parse_expectation",
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
_SECRET = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|(?:^|_)KEY(?:$|_)|API_KEY|CREDENTIAL|PRIVATE")


_ANGLE = re.compile(r"(?<![<\w])<([A-Za-z][\w./:@-]*)>")
_PATH = re.compile(r"/path/to(?:/[\w.@-]*)*")
_COMMIT = re.compile(r"(?<![\w./-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}(?![\w./-])")
_TIMESTAMP = re.compile(r"[\w./-]*\b20\d{6}-\d{6}\b[\w./-]*")
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
_EXPECTED = re.compile(r"^\s*#\s*expected(?:\s+output)?\s*:\s*(.+)$", re.I)


@dataclass(frozen=True, slots=True)
class ShellFacts:
    """What inference reads from one block of shell code."""

    commands: tuple[Command, ...]
    uses: tuple[str, ...]
    sets: tuple[str, ...]
    single_quoted: tuple[tuple[str, int], ...]
    """`$NAME` (and its line) written inside single quotes: bash sends it literally, never its value."""
    placeholders: tuple[Placeholder, ...]


def is_secret_name(name: str) -> bool:
    """True for variable names that by convention hold secrets (`*PASSWORD*`, `*TOKEN*`, ...)."""
    return bool(_SECRET.search(name.upper()))


def destructive_reasons(text: str) -> tuple[str, ...]:
    """Why a command is destructive; empty when nothing in it is (the policy of `policy.risk`)."""
    return assess_shell(text).reasons


def is_never_ending(text: str) -> bool:
    """True for commands that run until stopped (`logs -f`, `tail -f`, `watch`): `policy.risk`."""
    return assess_shell(text).never_ending


def parse_expectation(text: str, line: int) -> Expectation:
    """An expectation is literal when it can be compared with output: JSON, or quoted text."""
    text = text.strip()
    literal = False
    if text[:1] in "{[":
        try:
            json.loads(text)
            literal = True
        except ValueError:
            literal = False
    elif len(text) > 1 and text[0] == text[-1] and text[0] in "`'\"" and text.count(text[0]) == 2:
        literal = True
    return Expectation(text, literal, line)


_TOKENS = re.compile(
    r"""(?P<single>'[^']*'?)|(?P<double>"(?:[^"\\]|\\.)*"?)|(?P<escape>\\.)"""
    r"""|(?P<comment>(?<![^\s;(|&])\#[^\n]*)|(?P<var>\$(?:\{([A-Za-z_]\w*)|([A-Za-z_]\w*)))|[^'"\\#$]+|.""",
    re.S,
)
_VAR_NAME = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_]\w*)|([A-Za-z_]\w*))")


_SPECIAL = re.compile(r"""[$#'"\\]""")
_OPEN_END = re.compile(r"(\|\||&&|\|)\s*$")
_TS_CORE = re.compile(r"20\d{6}-\d{6}")
_GIT = re.compile(r"\bgit\b")


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
        if kind == "single":
            literal += [a or b for a, b in _VAR_NAME.findall(token)]
        elif kind == "double":
            uses += [a or b for a, b in _VAR_NAME.findall(token)]
        elif kind == "var":
            uses.append(match.group(6) or match.group(7))
        out.append(token)
    return "".join(out), uses, literal


_OPENERS = {"if": 1, "case": 1, "do": 1, "fi": -1, "esac": -1, "done": -1, "{": 1, "}": -1}
_COMMAND_START = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "time"})
_LINE_TOKENS = re.compile(
    r"""'[^']*'?|"(?:[^"\\]|\\.)*"?|\\.|<<-?\s*['"]?\w+['"]?|\$\(|[;&|()]+|#.*|[^\s;&|()'"\\#$<]+|\S"""
)


@dataclass(slots=True)
class _Scan:
    """How far a command has got, line by line: open quotes, open compounds, pending heredoc."""

    quote: str = ""
    depth: int = 0
    parens: int = 0
    heredoc: str | None = None
    strip_tabs: bool = False

    def feed(self, line: str) -> None:
        if self.heredoc is not None:
            if (line.lstrip("\t") if self.strip_tabs else line).strip() == self.heredoc:
                self.heredoc = None
            return
        text = line
        if self.quote:
            end = text.find(self.quote)
            if end < 0:
                return
            text = text[end + 1 :]
            self.quote = ""
        at_start = True
        pending_doc: tuple[str, bool] | None = None
        for token in _LINE_TOKENS.findall(text):
            first = token[0]
            if first == "#" and at_start is not None:
                break
            if first in "'\"" and (len(token) == 1 or token[-1] != first or token.endswith("\\" + first)):
                self.quote = first  # an unterminated quote: the string goes on to the next line
                return
            if token.startswith("<<"):
                pending_doc = (token.lstrip("<-").strip().strip("'\""), token.startswith("<<-"))
                at_start = False
                continue
            if token == "$(":
                self.parens += 1
                continue
            if set(token) <= set(";&|()"):
                self.parens = max(0, self.parens + token.count("(") - token.count(")"))
                at_start = True
                continue
            if at_start and token in _OPENERS:
                self.depth += _OPENERS[token]
            at_start = token in _COMMAND_START or token in ("{", "}")
        if pending_doc is not None:
            self.heredoc, self.strip_tabs = pending_doc

    def complete(self, line: str) -> bool:
        if self.quote or self.heredoc is not None or self.depth > 0 or self.parens > 0:
            return False
        stripped = line.rstrip()
        return not (stripped.endswith("\\") or _OPEN_END.search(stripped))


def split_commands(
    code: str, first_line: int, console: bool
) -> list[tuple[str, int, int, str, list[tuple[str, int]]]]:
    """Commands of a block as (text, first line, last line, comment above, expectations with lines).

    A command goes on over continuation lines, open quotes, heredocs and compound commands
    (`if … fi`, `for … done`, `{ … }`); the scan is linear in the block's length.
    """
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # A console block with no `$ ` prompt uses root's `# ` prompt.
    rooted = console and not any(text.strip().startswith("$") for text in lines)
    prompts = ("# ", "#") if rooted else ("$ ", "$")
    commands: list[tuple[str, int, int, str, list[tuple[str, int]]]] = []
    comment: list[str] = []
    pending: list[str] = []
    scan = _Scan()
    start = 0
    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.strip()
        if pending:
            if console and stripped.startswith("> "):
                line = stripped[2:]
            pending.append(line)
            scan.feed(line)
            if scan.complete(line):
                commands.append(("\n".join(pending), start, number, "\n".join(comment), []))
                pending, comment = [], []
            continue
        if console:
            if stripped.startswith(prompts[0]) or stripped == prompts[1]:
                line = stripped[len(prompts[0]) :] if stripped != prompts[1] else ""
                stripped = line.strip()
            else:
                if commands and stripped:
                    commands[-1][4].append((stripped, number))
                continue
        if not stripped:
            comment = []
            continue
        expected = _EXPECTED.match(line)
        if expected and commands:
            commands[-1][4].append((expected.group(1), number))
            continue
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        start = number
        scan = _Scan()
        scan.feed(line)
        if scan.complete(line):
            commands.append((stripped if not console else line, number, number, "\n".join(comment), []))
            comment = []
        else:
            pending = [line]
    if pending:
        commands.append(("\n".join(pending), start, first_line + len(lines) - 1, "\n".join(comment), []))
    return commands


def placeholders_in(text: str, line: int) -> list[Placeholder]:
    """Values in a command that the operator must replace."""
    found: list[Placeholder] = []
    found += [Placeholder(m.group(), "angle", line) for m in _ANGLE.finditer(text)]
    found += [Placeholder(m.group(), "path", line) for m in _PATH.finditer(text)]
    if _TS_CORE.search(text):
        found += [Placeholder(m.group(), "timestamp", line) for m in _TIMESTAMP.finditer(text)]
    if _GIT.search(text):
        found += [Placeholder(m.group(), "commit", line) for m in _COMMIT.finditer(text)]
    return found


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


def analyse_shell(code: str, first_line: int, path: str, console: bool = False) -> ShellFacts:
    """Read the commands, variables and hazards of a `bash`/`sh`/`console` block."""
    commands: list[Command] = []
    uses: list[str] = []
    sets: list[str] = []
    single: list[tuple[str, int]] = []
    placeholders: list[Placeholder] = []
    for text, start, end, comment, expected in split_commands(code, first_line, console):
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
                comment=comment,
                destructive=risk.reasons,
                never_ending=risk.never_ending,
                expectations=tuple(
                    parse_expectation(e, at) if not console else Expectation(e, False, at)
                    for e, at in expected
                ),
            )
        )
    return ShellFacts(
        commands=tuple(commands),
        uses=tuple(dict.fromkeys(u for u in uses if u not in ENVIRONMENT)),
        sets=tuple(dict.fromkeys(sets)),
        single_quoted=tuple(dict.fromkeys(single)),
        placeholders=tuple(placeholders),
    )
