"""A paragraph that is nothing but a command in a code span (`` `kubectl get pods -A` ``) is a block of it.

Many runbooks write a step's command inline under a bullet instead of in a fence. Only a known
program, a path or an assignment that parses as shell counts: `config.yaml` alone is a name, not
a command.
"""

from __future__ import annotations

import re

from ..parse.document import Fence, Paragraph
from .content import first_word, parses_as_shell, statement_kind
from .vocabulary import BUILTINS, KNOWN_COMMANDS

__all__ = ["inline_command"]

_ONLY_CODE = re.compile(r"^\s*`([^`\n]+)`\s*$")


def inline_command(paragraph: Paragraph) -> Fence | None:
    """The paragraph as a one-line bash block when it is a command alone in a code span, else None."""
    match = _ONLY_CODE.match(paragraph.markdown)
    if match is None:
        return None
    command = match.group(1).strip()
    if "..." in command or "…" in command or re.search(r"\s\{\s", command):
        return None  # `terraform { backend "s3" { ... } }` shows a shape, not a command to run
    word = first_word(command)
    # Inline code names many things (`kubernetes.io/cluster/x`, `values.yaml`): only a well-known
    # program or a script run by its path is taken for a command here.
    if word not in KNOWN_COMMANDS and word not in BUILTINS and not word.startswith(("./", "bin/", "script/")):
        return None
    if statement_kind(command) != "command" or not parses_as_shell(command):
        return None
    line = paragraph.span.start
    return Fence("bash", "", command + "\n", paragraph.span, line)
