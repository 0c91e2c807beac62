"""The output formats of `runbook validate --format`, by name: one table for the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .report import github, junit, to_json
from .sarif import codequality, sarif

if TYPE_CHECKING:
    from . import FileResult

__all__ = ["FORMATS", "render"]

_MACHINE: dict[str, Callable[[list[FileResult], bool], str]] = {
    "json": to_json,
    "github": github,
    "junit": junit,
    "sarif": sarif,
    "codequality": codequality,
}
FORMATS = ("text", *_MACHINE)
"""The names `--format` takes: text for people (report.text, which prints), the rest as a string."""


def render(fmt: str, results: list[FileResult], strict: bool) -> str:
    """The results in a machine format (every format of FORMATS but text)."""
    return _MACHINE[fmt](results, strict)
