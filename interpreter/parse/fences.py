"""A fence's info string and a MyST directive's options: which language, whose attributes.

Our attributes follow a language (```` ```bash {id=backup} ````). Braces that open the info
string belong to another tool: a MyST directive (```` ```{note} ````, ```` ```{code-block} bash
````), Pandoc attributes (```` ```{.bash #id} ````) or an R Markdown chunk (```` ```{r setup} ````).
A directive's leading `:key: value` lines are its options, not its content; `:name:` (or MyST
Markdown's `:label:`) names a target that links can point at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CODE_DIRECTIVES", "TARGET_OPTIONS", "Directive", "fence_language", "is_foreign", "read_directive"]

_MYST = re.compile(r"^\{([\w:.-]+)\}\s*(\S*)")
_PANDOC = re.compile(r"^\{\s*\.([\w+-]+)")
_RMARKDOWN = re.compile(r"^\{([A-Za-z]\w*)[\s,]")
_FOREIGN = re.compile(r"^\{(?:[\w:.-]+\}|\s*[.#]|[A-Za-z]\w*[\s,])")
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
TARGET_OPTIONS = frozenset({"name", "label"})
"""Directive options naming a target: Sphinx MyST's `:name:`, the MyST Markdown tools' `:label:`."""
_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*?)\s*$")


def is_foreign(info: str) -> bool:
    """Whether the info string's braces are another tool's, not our `{key=value}` attributes."""
    return bool(_FOREIGN.match(info))


def fence_language(info: str) -> tuple[str, str]:
    """The language a fence's info string names, and the MyST directive it opens ("" if none)."""
    if not info:
        return "", ""
    if info.startswith("{"):
        myst = _MYST.match(info)
        if myst is not None:
            name = myst.group(1).lower()
            return (myst.group(2).lower() if name in CODE_DIRECTIVES else ""), name
        other = _PANDOC.match(info) or _RMARKDOWN.match(info)
        return (other.group(1).lower() if other else ""), ""
    return info.split(maxsplit=1)[0].lower().split("{", 1)[0], ""


@dataclass(frozen=True, slots=True)
class Directive:
    """A MyST directive's body with its option lines read apart."""

    code: str
    """The content: for a code directive, the code without its option lines."""
    skipped: int
    """How many lines were taken off the top (options and the blank line after them)."""
    names: tuple[str, ...]
    """Targets its `:name:` options define."""
    options: int = 0
    """How many `:key: value` option lines open the body (any directive)."""


def read_directive(directive: str, code: str) -> Directive:
    """Read the `:key: value` option lines at the top of a directive's body."""
    lines = code.split("\n")
    count = 0
    names: list[str] = []
    while count < len(lines) - 1 and (option := _OPTION.match(lines[count])) is not None:
        if option.group(1) in TARGET_OPTIONS and option.group(2):
            names.append(option.group(2).split()[0])
        count += 1
    if directive not in CODE_DIRECTIVES or not count:
        return Directive(code, 0, tuple(names), count)
    # The option lines of a code directive are not code; nor is the blank line that may follow.
    skip = count + (1 if count < len(lines) - 1 and not lines[count].strip() else 0)
    return Directive("\n".join(lines[skip:]), skip, tuple(names), count)
