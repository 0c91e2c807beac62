"""Read, parse and infer in one call: a path in, the runbook model out."""

from __future__ import annotations

from pathlib import Path

from .document import parse_document
from .infer import infer
from .model import Runbook
from .perf import paused_gc
from .source import Source, read_source

__all__ = ["load", "load_text"]


def load(path: str | Path) -> Runbook:
    """The model of the runbook at `path`.

    Raises:
        InvalidRunbookError: the file cannot be read as UTF-8 text.
    """
    return load_source(read_source(path))


def load_text(text: str, path: str = "<string>") -> Runbook:
    """The model of Markdown text (for tests and tools)."""
    return load_source(Source.from_text(text, path))


def load_source(source: Source) -> Runbook:
    """The model of an already read source."""
    with paused_gc():
        return infer(parse_document(source))
