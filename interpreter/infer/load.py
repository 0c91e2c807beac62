"""Read, parse and infer in one call: a path in, the runbook model out."""

from __future__ import annotations

from pathlib import Path

from ..model.runbook import Runbook
from ..parse.document import Document, parse_document
from ..parse.source import Source, read_source
from ..perf import paused_gc
from . import infer

__all__ = ["load", "load_document", "load_source", "load_text"]


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
    return load_document(source)[0]


def load_document(source: Source) -> tuple[Runbook, Document]:
    """The model of an already read source, and the document it was inferred from (whose tokens
    a renderer can finish instead of parsing the text again)."""
    with paused_gc():
        document = parse_document(source)
        return infer(document), document
