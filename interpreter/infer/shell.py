"""What a shell block says: its commands, the variables it reads and sets, and what makes it dangerous."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..model import Command, Expectation, Placeholder
from ..source import Span

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


@dataclass(frozen=True, slots=True)
class _Hazard:
    """A destructive command pattern, tried only when one of its trigger words is present."""

    triggers: frozenset[str]
    pattern: re.Pattern[str]
    reason: str


def _hazard(triggers: str, pattern: str, reason: str, flags: int = 0) -> _Hazard:
    return _Hazard(frozenset(triggers.split()), re.compile(pattern, flags), reason)


_DESTRUCTIVE = (
    _hazard(
        "reset", r"\bgit\s+reset\b[^;&|]*--hard\b", "git reset --hard discards commits and local changes"
    ),
    _hazard(
        "push", r"\bgit\s+push\b[^;&|]*(?:--force\b|\s-f\b|\s\+\w)", "a force push rewrites the remote branch"
    ),
    _hazard("clean", r"\bgit\s+clean\b[^;&|]*\s-\w*f", "git clean -f deletes untracked files"),
    _hazard(
        "checkout",
        r"\bgit\s+checkout\b[^;&|]*\s(?:--force|-f)\b",
        "git checkout --force discards local changes",
    ),
    _hazard(
        "rm",
        r"\brm\s+(?:-\w*r\w*f|-\w*f\w*r|-r\s+-f|-f\s+-r|--recursive\s+--force)",
        "rm -rf deletes files recursively",
    ),
    _hazard(
        "drop", r"\bdrop\s+(?:database|table|schema|index|user|role)\b", "DROP removes it for good", re.I
    ),
    _hazard("truncate", r"\btruncate\b(?:\s+table)?\s+\w", "TRUNCATE deletes every row", re.I),
    _hazard("delete", r"\bdelete\s+from\b(?![^;]*\bwhere\b)", "DELETE without WHERE deletes every row", re.I),
    _hazard(
        "update", r"\bupdate\s+\w+\s+set\b(?![^;]*\bwhere\b)", "UPDATE without WHERE changes every row", re.I
    ),
    _hazard("alter", r"\balter\s+table\b[^;]*\bdrop\b", "ALTER TABLE ... DROP removes data", re.I),
    _hazard("dropdb", r"\bdropdb\b", "dropdb deletes a database"),
    _hazard(
        "pg_restore", r"\bpg_restore\b[^;&|]*--clean\b", "pg_restore --clean drops objects before restoring"
    ),
    _hazard(
        "down",
        r"\bdocker(?:-compose|\s+compose)\b[^;&|]*\sdown\b",
        "docker-compose down stops and removes the containers",
    ),
    _hazard(
        "rm rmi prune",
        r"\bdocker\s+(?:rm|rmi|system\s+prune|volume\s+(?:rm|prune))\b",
        "docker removes containers or data",
    ),
    _hazard("delete", r"\bkubectl\s+delete\b", "kubectl delete removes cluster resources"),
    _hazard(
        "aws gcloud az",
        r"\b(?:aws\s+\S+\s+(?:delete|terminate)-|gcloud\b[^;&|]*\sdelete\b|az\b[^;&|]*\sdelete\b)",
        "it deletes cloud resources",
    ),
    _hazard("uninstall delete", r"\bhelm\s+(?:uninstall|delete)\b", "helm uninstall removes a release"),
    _hazard("destroy", r"\bterraform\s+destroy\b", "terraform destroy removes infrastructure"),
    _hazard(
        "mkfs shred wipefs dd",
        r"\b(?:mkfs(?:\.\w+)?|shred|wipefs)\b|\bdd\s+[^;&|]*\bof=",
        "it overwrites a disk or file",
    ),
    _hazard("force", r"(?<![\w-])--force\b(?!-with-lease)", "--force skips the tool's safety checks"),
)
_NEVER_ENDING = re.compile(
    r"\btail\s+(?:-\w*[fF]\b|--follow\b)|\blogs\b[^;&|]*\s(?:-f|--follow)\b|\bwatch\s+\S"
    r"|\bjournalctl\b[^;&|]*\s(?:-f|--follow)\b|\bkubectl\s+get\b[^;&|]*\s(?:-w|--watch)\b"
    r"|^\s*(?:top|htop)\s*$",
    re.M,
)
_ANGLE = re.compile(r"(?<![<\w])<([A-Za-z][\w./:@-]*)>")
_PATH = re.compile(r"/path/to(?:/[\w.@-]*)*")
_COMMIT = re.compile(r"(?<![\w./-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}(?![\w./-])")
_TIMESTAMP = re.compile(r"[\w./-]*\b20\d{6}-\d{6}\b[\w./-]*")
_SETS = re.compile(
    r"(?:^|[;&|({]\s*|\b(?:export|local|readonly|declare(?:\s+-\w+)*)\s+)([A-Za-z_]\w*)\+?="
    r"|\bread\s+(?:-\w+\s+(?:\S+\s+)?)*([A-Za-z_]\w*)|\bfor\s+([A-Za-z_]\w*)\s+in\b",
    re.M,
)
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


_WORDS = re.compile(r"[a-z_]+")


def destructive_reasons(text: str) -> tuple[str, ...]:
    """Why a command is destructive; empty when nothing in it is."""
    words = set(_WORDS.findall(text.lower()))
    return tuple(
        dict.fromkeys(
            h.reason for h in _DESTRUCTIVE if not h.triggers.isdisjoint(words) and h.pattern.search(text)
        )
    )


def is_never_ending(text: str) -> bool:
    """True for commands that run until stopped (`logs -f`, `tail -f`, `watch`)."""
    if not any(word in text for word in ("-f", "-F", "--follow", "watch", "-w", "top")):
        return False
    return bool(_NEVER_ENDING.search(text))


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
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_DOUBLE_QUOTED = re.compile(r'"[^"]*"')
_ESCAPED = re.compile(r"\\.")
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


def _continues(line: str, pending: str) -> bool:
    stripped = line.rstrip()
    if stripped.endswith("\\") or _OPEN_END.search(stripped):
        return True
    text = pending + line
    if "'" not in text and '"' not in text:
        return False
    # An odd number of unescaped double (or single) quotes means the string goes on.
    unescaped = _ESCAPED.sub("", text)
    if _SINGLE_QUOTED.sub("", unescaped).count('"') % 2 == 1:
        return True
    return _DOUBLE_QUOTED.sub("", unescaped).count("'") % 2 == 1


def split_commands(
    code: str, first_line: int, console: bool
) -> list[tuple[str, int, int, str, list[tuple[str, int]]]]:
    """Commands of a block as (text, first line, last line, comment above, expectations with lines)."""
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    commands: list[tuple[str, int, int, str, list[tuple[str, int]]]] = []
    comment: list[str] = []
    pending: list[str] = []
    start = 0
    heredoc: str | None = None
    output: list[str] = []
    for offset, line in enumerate(lines):
        number = first_line + offset
        if pending:
            pending.append(line)
            if heredoc is not None:
                if line.strip() == heredoc:
                    heredoc = None
                else:
                    continue
            elif _continues(line, "\n".join(pending[:-1]) + "\n"):
                continue
            commands.append(("\n".join(pending), start, number, "\n".join(comment), []))
            pending, comment = [], []
            continue
        stripped = line.strip()
        if console:
            if stripped.startswith("$ ") or stripped == "$":
                line = stripped[2:]
                stripped = line.strip()
            else:
                if commands and stripped:
                    commands[-1][4].append((stripped, number))
                output.append(line)
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
        doc = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", line)
        heredoc = doc.group(1) if doc else None
        start = number
        pending = [line]
        if heredoc is None and _continues(line, ""):
            continue
        if heredoc is not None:
            continue
        commands.append((line.strip() if not console else line, number, number, "\n".join(comment), []))
        pending, comment = [], []
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


def analyse_shell(code: str, first_line: int, path: str, console: bool = False) -> ShellFacts:
    """Read the commands, variables and hazards of a `bash`/`sh`/`console` block."""
    commands: list[Command] = []
    uses: list[str] = []
    sets: list[str] = []
    single: list[tuple[str, int]] = []
    placeholders: list[Placeholder] = []
    for text, start, end, comment, expected in split_commands(code, first_line, console):
        bare, used, literal = _strip_comment_and_scan(text)
        assigned = [next(g for g in m.groups() if g) for m in _SETS.finditer(bare)]
        # A variable read before this block sets it is still an input; one set first is not.
        uses += [name for name in used if name not in sets and name not in assigned]
        sets += assigned
        single += [(name, start + text[: text.find("$" + name)].count(chr(10))) for name in literal]
        placeholders += placeholders_in(bare, start)
        commands.append(
            Command(
                text=text,
                span=Span(path, start, end),
                comment=comment,
                destructive=destructive_reasons(bare),
                never_ending=is_never_ending(bare),
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
