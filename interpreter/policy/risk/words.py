"""The words a risky command needs: a command holding none of them is not parsed at all.

Most commands in a runbook are harmless (`echo`, `kubectl get`, `curl -fsS …/health`). Parsing
one costs tens of microseconds; looking its words up in a set costs one. A command is read
deeply only when it names a tool of the tables together with a word one of that tool's rows
needs (its subcommand), or holds something only a parse can judge: a `$` or backtick where a
command name could be, an assignment before a command, ` -- `, a disk device.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .sql import may_destroy
from .tools import TOOL_RULES
from .wrappers import INTERPRETERS, SHELLS, SQL_CLIENTS, WRAPPERS

__all__ = ["may_matter", "triggers", "worth_reading"]

_WORDS = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
# A `$` or backtick where a command name can stand (after a separator, a keyword or an
# assignment), which the parse then judges. Each alternative starts at a fixed character or
# keyword and scans no further than the next space: linear on any line.
_COMPUTED = re.compile(
    r"(?:^|[;&|(){}\n!]|\b(?:then|do|else|elif|if|while|until|time)\b)[ \t]*"
    r"(?:[A-Za-z_]\w*=[^\s;&|(){}!]*[ \t]+)?[\"']?[$`]",
    re.M,
)
_ALWAYS = "always"


def _names(tools: str) -> list[str]:
    return [name.rstrip("*") for name in tools.split("|")]


@lru_cache(maxsize=1)
def triggers() -> frozenset[str]:
    """Every command name this policy looks at."""
    names: set[str] = {"eval", "source", "find"}
    for tools in [r.tools for r in TOOL_RULES] + [w.tools for w in WRAPPERS]:
        names.update(_names(tools))
    names.update(SHELLS, INTERPRETERS, SQL_CLIENTS)
    return frozenset(names)


@lru_cache(maxsize=1)
def _needs() -> dict[str, frozenset[str] | str]:
    """For each tool, the subcommand words one of its rows needs; `always` when a row needs none."""
    needs: dict[str, set[str] | str] = {}

    def add(tools: str, path: tuple[str, ...], hint: tuple[str, ...] = ()) -> None:
        words = ("|".join(hint),) if hint else path[1:2] if path[:1] == ("...",) else path[:1]
        for name in _names(tools):
            if not words or "*" in words[0] or needs.get(name) == _ALWAYS:
                needs[name] = _ALWAYS
            else:
                found = needs.setdefault(name, set())
                assert isinstance(found, set)
                found.update(words[0].split("|"))

    for rule in TOOL_RULES:
        add(rule.tools, rule.path, rule.needs)
    for wrapper in WRAPPERS:
        add(wrapper.tools, wrapper.path)
    return {name: frozenset(w) if isinstance(w, set) else w for name, w in needs.items()}


@lru_cache(maxsize=1)
def _prefixes() -> tuple[str, ...]:
    tools = [r.tools for r in TOOL_RULES] + [w.tools for w in WRAPPERS]
    return tuple(name[:-1] for t in tools for name in t.split("|") if name.endswith("*"))


def may_matter(name: str) -> bool:
    """Whether a command of this name (as written: a path, a backslash) could be risky at all."""
    name = name.rsplit("/", 1)[-1].lstrip("\\")
    return name in triggers() or name.startswith(_prefixes()) or name in ("$", "!")


def worth_reading(text: str) -> bool:
    """Whether `text` could hold anything risky, so that it must be parsed to be judged."""
    if "/dev/" in text or " -- " in text or "<(" in text or _COMPUTED.search(text):
        return True
    # Options (`--timeout=5`) are not command names: only the other words are looked up.
    words = {m.group().lower() for m in _WORDS.finditer(text) if text[m.start() - 1 : m.start()] != "-"}
    needs = _needs()
    lowered = text.lower()
    for word in words:
        if word in needs:
            need = needs[word]
            rest = lowered[lowered.find(word) :]
            # a needed word anywhere (`-XDELETE` too), or a value after the tool that could be one
            if need == _ALWAYS or any(n in rest for n in need) or "$" in rest or "`" in rest:
                return True
        elif word in SQL_CLIENTS:
            # its SQL could destroy, or, given no statement option, it waits at its prompt
            given = SQL_CLIENTS[word]
            if may_destroy(text) or not given or not any(f" {option}" in text for option in given):
                return True
        elif word in triggers() or word.startswith(_prefixes()):
            return True  # shells, interpreters, eval, find
    return False
