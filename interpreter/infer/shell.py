"""What a shell block says: its commands, the variables it reads and sets, and what makes it dangerous."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from ..model.runbook import Command, Expectation, Placeholder
from ..parse.source import Span

# Re-exported for the run layer (run/step.py, run/launch.py) and cli.py, which other branches are
# reshaping: the policy itself lives in policy/secrets.py.
from ..policy.placeholders import PLACEHOLDER
from ..policy.secrets import is_secret_name
from .placeholders import placeholders_in
from .scan import split_commands
from .sessions import opens_session
from .transcript import read_code

__all__ = [
    "ShellFacts",
    "analyse_shell",
    "destructive_reasons",
    "is_never_ending",
    "is_secret_name",
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
        r"\brm\s+(?:-\w*[rR]\w*|--recursive)\b",
        "rm -r deletes files and folders recursively",
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
    _hazard("force", r"(?<![\w-])--force(?![\w-])", "--force skips the tool's safety checks"),
    _hazard("find", r"\bfind\b[^;&|]*\s-delete\b", "find -delete deletes every file it matches"),
    _hazard("rm", r"\baws\s+s3\s+(?:rm|rb)\b[^;&|]*--(?:recursive|force)", "it deletes S3 objects"),
    _hazard("flushall flushdb", r"\b(?:flushall|flushdb)\b", "FLUSHALL/FLUSHDB deletes every key", re.I),
    _hazard(
        "branch", r"\bgit\s+branch\b[^;&|]*\s(?:-D|--delete\s+--force)\b", "git branch -D deletes a branch"
    ),
)
_NEVER_ENDING = re.compile(
    r"\btail\b[^;&|]*\s(?:-\w*[fF]\w*|--follow)\b|\blogs\b[^;&|]*\s(?:-\w*f\w*|--follow)\b|\bwatch\s+\S"
    r"|\bjournalctl\b[^;&|]*\s(?:-\w*f\w*|--follow)\b|\bkubectl\s+get\b[^;&|]*\s(?:-w|--watch)\b"
    r"|\bkubectl\s+port-forward\b|\bdocker(?:-compose|\s+compose)\s+(?:-f\s+\S+\s+)*up\b(?![^;&|]*\s(?:-d|--detach)\b)"
    r"|(?:^|[;&|]\s*|\bsudo\s+)ping\s(?![^;&|\n]*-c\s*\d)|^\s*(?:top|htop)\s*$",
    re.M,
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


_WORDS = re.compile(r"[a-z_]+")


_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
_PRINTERS = re.compile(r"^\s*(?:echo|printf|grep|egrep|fgrep|rg|ag|ack)\b")


def destructive_reasons(text: str) -> tuple[str, ...]:
    """Why a command is destructive; empty when nothing in it is.

    Quoted text counts (`psql -c "DROP DATABASE x"` drops it), except in a command that only
    prints or searches it (`echo "DROP TABLE"`, `grep -r "rm -rf" scripts/`).
    """
    if _PRINTERS.match(text) and not re.search(r"[|;&]", _QUOTED.sub("", text)):
        text = _QUOTED.sub("''", text)
    words = set(_WORDS.findall(text.lower()))
    return tuple(
        dict.fromkeys(
            h.reason for h in _DESTRUCTIVE if not h.triggers.isdisjoint(words) and h.pattern.search(text)
        )
    )


def is_never_ending(text: str) -> bool:
    """True for commands that run until stopped (`logs -f`, `tail -f`, `watch`)."""
    if not any(
        word in text for word in ("-f", "-F", "--follow", "watch", "-w", "top", "port-forward", "up", "ping")
    ):
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
# Single quotes that hand their text to another program to read as code keep `$X` for it on
# purpose: `sh -c '…'`, `kubectl exec … -- …`, `ssh host '…'`, `awk '{print $1}'`, `--template='…'`.
_HANDOVER = re.compile(
    r"(?:^|\s)(?:-[a-zA-Z]*[ce]|--command|--template|--format|--query|--)(?:=|\s+)$"
    r"|(?:^|[\s;|&(])(?:awk|gawk|mawk|sed|perl|jq|yq|python3?|ruby|node|ssh|watch|xargs|parallel|find|su"
    r"|envsubst|psql|mysql|sqlite3|redis-cli|bash|sh|zsh)\b[^;|&]*$"
)
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)


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
                    destructive_reasons(bare),
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
        commands.append(
            Command(
                text=text,
                span=Span(path, start, end),
                comment=piece.comment,
                destructive=destructive_reasons(bare),
                never_ending=is_never_ending(bare),
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
