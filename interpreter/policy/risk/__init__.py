"""The one destructive / never-ending command policy: shell via tree-sitter-bash, SQL via sqlparse, HTTP.

Inference marks commands with it (the model's `destructive` reasons and `never_ending` flag), the
run asks for a typed word on what it calls destructive, and `validate` reports
`safety/unwarned-destructive` and `safety/never-ending` from the same marks. Modules: `verdict`
(the `CommandRisk` value), `argv` (reading a tool's options), `syntax` (which options take
values), `tools` (the one table of tools, subcommands and options), `wrappers` (commands that run
commands), `shell` (tree-sitter-bash), `command` (one simple command), `sql`, `http`, `typed`
(a command typed into another program, read in its language).
"""

from __future__ import annotations

from .http import assess_http
from .shell import assess_shell
from .sql import assess_sql
from .tools import TOOL_RULES, ToolRule
from .typed import assess_typed
from .verdict import SAFE, CommandRisk, combine

__all__ = [
    "SAFE",
    "TOOL_RULES",
    "CommandRisk",
    "ToolRule",
    "assess_http",
    "assess_shell",
    "assess_sql",
    "assess_typed",
    "combine",
]
