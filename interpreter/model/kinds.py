"""The block kinds: which fence languages make each kind, whether it runs, and how it is shown.

The one home of a block kind. Inference reads a fence's language here, the graph, the dry run,
validation and the site ask here whether a kind runs or is shell; the run finds each runnable
kind's executor in `run/executors` (a test keeps the two tables in step). Adding a kind is a row
here, its analyser (`infer/blocks.py`), its executor, and `schemas/graph.json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "KINDS",
    "RUNNABLE",
    "SHELL_LANGUAGES",
    "BlockKind",
    "Kind",
    "kind_of_language",
    "lexer_of",
    "runs",
]

BlockKind = Literal["shell", "console", "sql", "http", "template", "text", "reference"]
"""Every kind a code block can be (the names of `KINDS`, as a type)."""

Role = Literal["run", "announce", "show", "reference"]


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of code block."""

    name: BlockKind
    """As the model and the graph write it (`"kind": "sql"`)."""
    languages: frozenset[str]
    """Fence languages that make a block of this kind in a runnable unit (none: not by language)."""
    role: Role
    """run: an executor runs it; announce: filled in and shown as a message (a template); show:
    shown as it is; reference: listed, never run."""
    shell: bool = False
    """Its code is shell: checked with bash -n and shellcheck, split into `$ ` commands."""
    read_outside_units: bool = False
    """Analysed even outside runnable units (reference code), so validate checks it there too."""
    lexer: str | None = None
    """The highlighter the site uses for its languages (None: the language's own)."""
    summary: str = ""
    """What a block of this kind does, for people."""


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "shell",
            frozenset({"bash", "sh", "shell", "zsh", "ksh"}),
            "run",
            shell=True,
            read_outside_units=True,
            lexer="bash",
            summary="commands run in the run's bash session (or a container, with target=)",
        ),
        Kind(
            "console",
            frozenset({"console", "terminal", "shell-session", "shellsession", "sh-session"}),
            "run",
            shell=True,
            read_outside_units=True,
            lexer="console",
            summary="a terminal transcript: only the `$ ` lines run, the rest is expected output",
        ),
        Kind(
            "sql",
            frozenset({"sql", "postgresql", "psql"}),
            "run",
            summary="statements run through psycopg in one transaction",
        ),
        Kind(
            "http",
            frozenset({"http"}),
            "run",
            summary="HTTP requests: `METHOD URL`, `Header: value` lines, a blank line and a body",
        ),
        Kind("template", frozenset(), "announce", summary="a message with [Fields] and $VARS to fill in"),
        Kind("text", frozenset(), "show", summary="a fence with no language and nothing to fill in"),
        Kind("reference", frozenset(), "reference", summary="code outside the steps, or in another language"),
    )
}
"""Every block kind by name."""

RUNNABLE = frozenset(name for name, kind in KINDS.items() if kind.role == "run")
"""The kinds a run executes (each has one executor in `run/executors`)."""

_BY_LANGUAGE = {language: kind for kind in KINDS.values() for language in kind.languages}

SHELL_LANGUAGES = frozenset(lang for kind in KINDS.values() if kind.shell for lang in kind.languages)
"""Fence languages whose code is shell (`bash`, `sh`, `shell`, `zsh`, `console`)."""


def kind_of_language(language: str) -> Kind | None:
    """The kind a fence of this language is in a runnable unit; None for other languages."""
    return _BY_LANGUAGE.get(language)


def runs(kind: str) -> bool:
    """True when blocks of this kind are executed by a run."""
    return kind in RUNNABLE


def lexer_of(language: str) -> str:
    """The highlighter's name for a fence language (`zsh` → `bash`)."""
    kind = _BY_LANGUAGE.get(language)
    return kind.lexer if kind is not None and kind.lexer else language
