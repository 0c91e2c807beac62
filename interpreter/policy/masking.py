"""Masking secrets in everything a run writes: screen, journal, output files and reports."""

from __future__ import annotations

import re

__all__ = ["MASK", "Masker"]

MASK = "••••"
_MASK_BYTES = MASK.encode("utf-8")


class Masker:
    """Replaces every known secret value with `••••`, in text and in streamed bytes.

    A stream may split a secret across two chunks, so `feed` holds back the last few bytes that
    could begin a secret until the next chunk (or `flush`) shows how they continue.
    """

    def __init__(self, values: list[str] | None = None) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[bytes] | None = None
        self._text_pattern: re.Pattern[str] | None = None
        self._held = b""
        for value in values or []:
            self.add(value)

    def add(self, value: str) -> None:
        """Start masking `value` (values shorter than 3 characters would mask too much)."""
        if len(value) < 3 or value in self._values:
            return
        self._values.add(value)
        ordered = sorted(self._values, key=len, reverse=True)
        self._pattern = re.compile(b"|".join(re.escape(v.encode("utf-8")) for v in ordered))
        self._text_pattern = re.compile("|".join(re.escape(v) for v in ordered))

    @property
    def longest(self) -> int:
        return max((len(v.encode("utf-8")) for v in self._values), default=0)

    def text(self, text: str) -> str:
        """`text` with every secret masked."""
        return self._text_pattern.sub(MASK, text) if self._text_pattern else text

    def feed(self, chunk: bytes) -> bytes:
        """Mask a chunk of a stream; may hold back a tail until the next chunk."""
        if self._pattern is None:
            return chunk
        data = self._held + chunk
        masked = self._pattern.sub(_MASK_BYTES, data)
        keep = min(self.longest - 1, len(masked))
        # Hold back a tail only if it could be the start of a secret.
        tail = masked[len(masked) - keep :] if keep else b""
        hold = 0
        for size in range(len(tail), 0, -1):
            piece = tail[-size:]
            if any(v.encode("utf-8").startswith(piece) for v in self._values):
                hold = size
                break
        self._held = masked[len(masked) - hold :] if hold else b""
        return masked[: len(masked) - hold] if hold else masked

    def flush(self) -> bytes:
        """What `feed` held back, at the end of the stream."""
        held, self._held = self._held, b""
        return held
