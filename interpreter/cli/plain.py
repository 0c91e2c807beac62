"""Printing markup as plain text where colour is not wanted (a pipe, a file, CI), which spares a
command rich's start-up."""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from ..markup import CONTROL, plain

__all__ = ["PlainConsole", "wants_colour"]


def wants_colour(stream: IO[str]) -> bool:
    """Whether rich would colour `stream`: a terminal, or FORCE_COLOR set (as CI runners do)."""
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class PlainConsole:
    """The part of rich's Console that reports use (`print` of markup), printing plain text."""

    def __init__(self, file: IO[str] | None = None) -> None:
        self.file = file

    def print(self, *objects: Any, markup: bool = True, end: str = "\n") -> None:
        text = " ".join(str(o) for o in objects)
        shown = plain(text) if markup else text.translate(CONTROL).expandtabs(8)
        (self.file or sys.stdout).write(shown + end)
