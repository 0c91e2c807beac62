"""tree-sitter-bash in time linear in the code: one parser for every reader, and a parse that gives up.

tree-sitter-bash reads ordinary shell in microseconds, but its error recovery and its here-document
scanner take time in the square of some inputs: 230 KB of `|` took minutes, 10,000 here-documents
left open 19 s. Code is handed to it in 256-byte chunks, and each time it asks for one is counted:
reading ordinary code (or even a whole Markdown file taken for shell, the worst of 640 real
runbooks) asks at most 50 times per chunk, those inputs thousands of times. Past 256 asks per
chunk the parse is given up, so the bound is the same on every machine (no clock: the same
runbook is always read the same way), and the caller does what it does with code it cannot read.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["CHUNK", "parse", "parser"]

CHUNK = 256
"""Bytes handed to the parser at a time."""
_ASKS_PER_CHUNK = 256
_ASKS_AT_LEAST = 64


@lru_cache(maxsize=1)
def parser() -> Any:
    """The tree-sitter-bash parser (None when tree-sitter is not installed)."""
    try:
        import tree_sitter
        import tree_sitter_bash
    except ImportError:
        return None
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def parse(code: str | bytes) -> Any | None:
    """The syntax tree of `code`, or None when tree-sitter is missing or gave up (too much work)."""
    bash = parser()
    if bash is None:
        return None
    data = code.encode("utf-8") if isinstance(code, str) else code
    budget = _ASKS_AT_LEAST + _ASKS_PER_CHUNK * (len(data) // CHUNK + 1)
    asked = 0

    def read(offset: int, _point: object) -> bytes:
        nonlocal asked
        asked += 1
        return b"" if asked > budget else data[offset : offset + CHUNK]

    tree = bash.parse(read)
    return None if asked > budget else tree
