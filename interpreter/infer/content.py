"""Is a line of a code block a shell command, or data (config, YAML, JSON, SQL, PromQL, logs, prose)?

Runbooks put many things in `sh` fences and in fences with no language: a config file, a query,
the output of the command above. Only what reads as a command may run; everything else is shown.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from .vocabulary import BUILTINS, KNOWN_COMMANDS

__all__ = ["Kind", "first_word", "parses_as_shell", "statement_kind"]

Kind = Literal["command", "unknown", "data", "sql"]
"""command: a known program, builtin, path or assignment; unknown: could be a team's own tool;
data: not shell at all; sql: a statement for a database client."""

_DATA = re.compile(
    r"""^(?:
      [{}\]]                                   # JSON, or the end of a block
    | \[(?![\s\[])                             # [section] of an INI file, a JSON array
    | "[^"]*"\s*:                              # "key": in JSON
    | -\s                                      # - a YAML list item
    | [\w.\-/"']+:(?:\s|$)(?!//)               # key: value (YAML), Error: text (a log)
    | [\w.-]+\s+=\s                            # key = value (INI, TOML, HCL)
    | [\w.-]+\s*(?:==|>=|<=|~=|!=)\s*\d        # requirements.txt
    | \w+\s+"[^"]*"(?:\s+"[^"]*")?\s*\{         # resource "x" "y" { (HCL)
    | [\w+.-]+://                              # a URL
    | git\+\w+://
    | \{\{ | \{%                               # Go / Jinja templates
    | \d{4}-\d\d-\d\d[T\s]\d | \[\d{4}-\d\d     # a timestamped log line
    | [IWEF]\d{4}\s+\d                         # a klog line
    | (?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL|TRACE|NOTICE)\b
    | [A-Z][a-z]{2}\s+\d{1,2}\s\d\d:\d\d       # syslog
    | (?:FROM|RUN|COPY|ADD|ENV|CMD|ENTRYPOINT|WORKDIR|EXPOSE|ARG|LABEL|USER|VOLUME|HEALTHCHECK)\s  # Docker
    | [A-Z][A-Z0-9_%/-]*(?:\s{2,}|\t)[A-Z]     # NAME   READY   STATUS (a table header)
    | <\?xml | </ | <[a-zA-Z][\w-]*(?:\s+[\w-]+=|>\s*$)  # XML
    | (?:sum|avg|min|max|count|rate|irate|increase|delta|deriv|histogram_quantile|topk|bottomk
        |absent|label_replace|sort_desc|\w+_over_time)\s*(?:by|without)?\s*\(   # PromQL
    | [a-zA-Z_:][\w:]*\{[^}\s]*=                  # metric{label="x"}
    )""",
    re.X,
)
_SQL = re.compile(
    r"^(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|GRANT|REVOKE|TRUNCATE|BEGIN|COMMIT|ROLLBACK|WITH"
    r"|SHOW|EXPLAIN|VACUUM|ANALYZE|REINDEX|COPY|CALL|SET\s+\w+\s*(?:=|TO))\b"
    r"|^(?:select|insert\s+into|update\s+\w+\s+set|delete\s+from|create\s+(?:table|index|database|role|user)"
    r"|drop\s+(?:table|index|database|role|user)|alter\s+(?:table|database|role|user|system))\b"
    r"|^\\[a-z]{1,3}\b"  # psql's \d, \l, \q
)
_PROSE = re.compile(r"^[A-Z][a-z']+(?:,?\s+[\w'()`,-]+){3,}[.:!?]?$")
_PREFIXES = frozenset(
    {"sudo", "time", "nohup", "!", "exec", "env", "command", "builtin", "then", "do", "else"}
)
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=")
_PROGRAM = re.compile(r"^[a-z0-9_][a-z0-9_.+-]*$")
_PLACEHOLDER = re.compile(r"<[^<>\n]{1,80}>")


def first_word(text: str) -> str:
    """The program a command starts: past `sudo`, `time`, `env` and `NAME=value` prefixes."""
    for word in text.split():
        if _ASSIGNMENT.match(word) or word in _PREFIXES or word.startswith("-"):
            continue
        return word
    return ""


def statement_kind(text: str) -> Kind:
    """What one statement (its first line decides) reads as."""
    line = text.lstrip().split("\n", 1)[0].rstrip()
    if not line:
        return "data"
    if _SQL.match(line):
        return "sql"
    # `{ cmd; } | …` and `( cd x && … )` are shell groups, not JSON or a list: bash decides.
    group = line[:2] in ("{ ", "( ", "(c") and _shape(text)[0] and bool(_shape(text)[1])
    prose = _PROSE.match(line) and line.split()[0].lower() not in KNOWN_COMMANDS
    if not group and (_DATA.match(line) or prose):
        return "data"
    word = _shape(text)[1] or first_word(line)
    if word == "=":
        return "command"
    if not word:
        return "command" if _ASSIGNMENT.match(line) else "data"
    word = word.strip("\"'")
    if word in KNOWN_COMMANDS or word in BUILTINS:
        return "command"
    if word.startswith(("./", "/", "~/", "../", "$")) or ("/" in word and "://" not in word):
        return "command"
    if word.endswith((".sh", ".py", ".rb", ".pl", ".js")):
        return "command"
    if _PLACEHOLDER.fullmatch(word) or _PROGRAM.match(word):
        return "unknown"
    return "data"


_COMPOUND = frozenset(
    {
        "if_statement",
        "for_statement",
        "while_statement",
        "case_statement",
        "c_style_for_statement",
        "function_definition",
        "test_command",
        "negated_command",
    }
)
_ASSIGNING = frozenset(
    {"variable_assignment", "variable_assignments", "declaration_command", "unset_command"}
)


@lru_cache(maxsize=8192)
def _shape(text: str) -> tuple[bool, str]:
    """Whether the text parses as bash, and how its first statement starts: the program it runs,
    `=` for an assignment, `if` for a compound command, "" when it cannot be told."""
    from ..policy.bash_syntax import parse

    code = _PLACEHOLDER.sub(_neutral, text)
    tree = parse(code + "\n")
    if tree is None:
        return False, ""  # too tangled to read in bounded time (or no tree-sitter): not shell
    root = tree.root_node
    statement = next((n for n in root.named_children if n.type != "comment"), None)
    first = ""
    if statement is not None:
        if statement.type in _ASSIGNING:
            first = "="
        elif statement.type in _COMPOUND:
            first = "if"
        # `{ cmd; }` and `( cmd )` group commands: what they run is what they are (a group around
        # an unknown word is no more a command than the word alone).
        else:
            first = _command_name(statement)
    return not root.has_error, first


def _command_name(node: Any) -> str:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "command_name":
            return str(current.text.decode("utf-8", "replace"))
        if current.type in _ASSIGNING:
            return "="  # `export A=[dev|prod]`: the assignment comes first
        stack.extend(reversed(current.named_children))
    return ""


def _neutral(match: re.Match[str]) -> str:
    # `<pod name>` is a value to fill in; `$<x>` is left alone (it is not one).
    start = match.start()
    return "PLACEHOLDER" if start == 0 or match.string[start - 1] != "$" else ""


def parses_as_shell(text: str) -> bool:
    """True when tree-sitter-bash reads the text without an error (`<placeholders>` read as words)."""
    return _shape(text)[0]
