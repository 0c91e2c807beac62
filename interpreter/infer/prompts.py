"""Prompts at the start of a line: a shell's (`$ `, `user@host:~$ `, `[root@host ~]# `) or another program's.

A line after a shell prompt is a command for the local shell; a line after another program's
prompt (`db=# `, `mysql> `, `127.0.0.1:6379> `, `irb(main):001:0> `, `>>> `) is typed into that
program, never run as shell; a line with no prompt in a transcript is output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabulary import KNOWN_COMMANDS

__all__ = ["Prompted", "named_prompts", "program_prompt", "shell_prompt"]


@dataclass(frozen=True, slots=True)
class Prompted:
    """A line that starts with a prompt."""

    program: str
    """`shell` for a shell prompt, else the program the line is typed into (`psql`, `mysql`, …)."""
    text: str
    """The line without its prompt."""
    continuation: bool = False
    """A continuation prompt (`> `, `-> `, `... `, `db-# `): the line goes on the one before."""


_SHELL = re.compile(
    r"^\s*(?:"
    r"[\w.-]+@[\w.-]+(?::[^\s$#%]*)?\s?[$#%]"  # user@host:~/dir$
    r"|\[[^\]\n]{1,80}\]\s?[$#%]"  # [root@host ~]#  [sender] $
    r"|\([\w.@-]+\)\s?(?:[\w.~/-]+\s?)?\$"  # (venv) $  (venv) ~/dir $
    r"|[\w.~/-]*\$"  # $  ~$  host$  ~/src$
    r"|%"  # zsh's %
    r")(?:\s|$)"
)
_PROGRAMS = (
    ("mysql", re.compile(r"^\s*(?:mysql|MariaDB \[[^\]]*\])>\s?"), ()),
    ("mysql", re.compile(r"^\s*->\s"), ("->",)),
    ("redis-cli", re.compile(r"^\s*(?:redis(?:\s+[\w.-]+:\d+)?|[\w.-]+:\d{2,5}(?:\[\d+\])?)>\s?"), ()),
    (
        "irb",
        re.compile(r"^\s*(?:irb|pry)\([^)]*\)(?::\d+)*[>*]\s?|^\s*\[\d+\]\s+[\w-]+\([\w.-]+\)[>*]\s?"),
        (),
    ),
    (
        "rails console",
        re.compile(r"^\s*[\w-]+\((?:dev|development|prod|production|staging|test)\)[>*]\s?"),
        (),
    ),
    ("python", re.compile(r"^\s*>>>(?:\s|$)"), ()),
    ("python", re.compile(r"^\s*\.\.\.(?:\s|$)"), ("...",)),
    ("powershell", re.compile(r"^\s*PS(?: [A-Za-z]:\\[^>\n]*)?>\s?|^\s*[A-Z]:\\[^>\n]*>\s?"), ()),
    ("mongo", re.compile(r"^\s*(?:[\w-]+:)?(?:PRIMARY|SECONDARY|ARBITER)>\s?|^\s*(?:test|admin)>\s"), ()),
    ("sqlite3", re.compile(r"^\s*sqlite>\s?"), ()),
    ("cqlsh", re.compile(r"^\s*cqlsh(?::[\w]+)?>\s?"), ()),
)
# `> docker cp …`: some write `> ` as the prompt. bash would read it as a redirection to a file
# named `docker`, so a `> ` before a well-known program is taken for a prompt.
_ANGLE_PROMPT = re.compile(
    rf"^\s*>\s+(?=(?:sudo\s+)?(?:{'|'.join(map(re.escape, sorted(KNOWN_COMMANDS)))})\s)"
)
# `$mac docker ps`, `$dev bundle install`: a tutorial's named prompts, saying where each command
# is typed (its text says so: "`$mac` denotes your laptop"). Only a lower-case name before a
# well-known program, and only in a block where every line opening with `$word` is one
# (`named_prompts`): `$SUDO apt-get …` and `$KUBECTL delete …` are variables the shell expands,
# and a block holding one is read as the script it is.
_NAMED_PROMPT = re.compile(
    rf"^\s*\$[a-z][a-z0-9]*\s+(?=(?:{'|'.join(map(re.escape, sorted(KNOWN_COMMANDS)))})(?:\s|$))"
)
_PSQL = re.compile(r"^\s*([\w.-]+)([=\-(])([#>])(?:\s|$)")


_DOLLAR_WORD = re.compile(r"^\s*\$\{?[A-Za-z_]")


def named_prompts(lines: list[str]) -> bool:
    """Whether the block writes named prompts (`$mac docker ps`): every line that opens with a
    `$word` opens with one, and at least one does."""
    opening = [line for line in lines if _DOLLAR_WORD.match(line)]
    return bool(opening) and all(_NAMED_PROMPT.match(line) for line in opening)


def shell_prompt(line: str, named: bool = False) -> Prompted | None:
    """The line as a shell command, when it starts with a shell prompt (`$ `, `user@host:~$ `…);
    `named`: the block writes named prompts (`named_prompts`), so `$mac ` is one too."""
    match = _SHELL.match(line) or _ANGLE_PROMPT.match(line) or (_NAMED_PROMPT.match(line) if named else None)
    if match is None:
        return None
    return Prompted("shell", line[match.end() :].strip())


def program_prompt(line: str) -> Prompted | None:
    """The line as typed into another program, when it starts with that program's prompt."""
    psql = _PSQL.match(line)
    if psql is not None:
        continuation = psql.group(2) != "="
        return Prompted("psql", line[psql.end() :].strip(), continuation)
    for program, pattern, continuations in _PROGRAMS:
        match = pattern.match(line)
        if match is not None:
            marker = match.group().strip()
            return Prompted(program, line[match.end() :].strip(), marker in continuations)
    return None
