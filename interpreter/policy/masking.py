"""Masking secrets in everything a run writes: screen, journal, output files and reports.

Each secret is masked in every spelling `secret_forms` lists (base64, URL encoding, case, shell
quoting), with one compiled automaton (Aho-Corasick, leftmost-longest: a regular expression of a
dozen alternatives reads 70 MB/s, the automaton several GB/s): a stream is masked in one pass per
read. A secret split between two reads is still found: the end of a read that could begin a
secret (at most the longest form less one byte) waits for the next read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .secret_forms import forms

if TYPE_CHECKING:
    from ahocorasick_rs import AhoCorasick, BytesAhoCorasick

__all__ = ["MASK", "Masker"]

MASK = "••••"
_MASK_BYTES = MASK.encode("utf-8")
_REFERENCES = frozenset({"sha256", "file"})
"""Event fields that name an output file by its hash: masking in them would break the reference."""


class Masker:
    """Replaces every known secret value, in any of its forms, with `••••`, in text and in streams."""

    def __init__(self, values: list[str] | None = None) -> None:
        self._values: set[str] = set()
        self._forms: set[str] = set()
        self._bytes: BytesAhoCorasick | None = None
        self._text: AhoCorasick | None = None
        self._prefixes: frozenset[bytes] = frozenset()
        self._longest = 0
        self._held = b""
        for value in values or []:
            self.add(value)

    def add(self, value: str) -> bool:
        """Start masking `value` and its forms; False (nothing masked) for a value under 3
        characters, which would mask nearly everything. Whether a value is strong enough to be a
        secret at all is the caller's question (`weak_secrets`): a run refuses weak ones."""
        if value in self._values:
            return True
        if len(value) < 3:
            return False
        from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, MatchKind

        self._values.add(value)
        self._forms |= {value, *forms(value)}
        ordered = sorted(self._forms, key=len, reverse=True)
        encoded = [f.encode("utf-8") for f in ordered]
        # Leftmost-longest: where forms overlap, the longest one found at a place is masked.
        self._bytes = BytesAhoCorasick(encoded, matchkind=MatchKind.LeftmostLongest)
        self._text = AhoCorasick(ordered, matchkind=MatchKind.LeftmostLongest)
        self._prefixes = frozenset(f[:size] for f in encoded for size in range(1, len(f)))
        self._longest = len(max(encoded, key=len))
        return True

    @property
    def longest(self) -> int:
        """Bytes in the longest form masked."""
        return self._longest

    def text(self, text: str) -> str:
        """`text` with every secret masked."""
        if self._text is None:
            return text
        pieces: list[str] = []
        last = 0
        for _, start, end in self._text.find_matches_as_indexes(text):
            pieces += (text[last:start], MASK)
            last = end
        return "".join([*pieces, text[last:]]) if pieces else text

    def event(self, data: Any) -> Any:
        """A JSON value (an event's data) with every string in it masked, references to output
        files excepted."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {k: v if k in _REFERENCES else self.event(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.event(v) for v in data]
        return data

    def mask_bytes(self, data: bytes) -> bytes:
        """`data`, whole, with every secret masked."""
        return self._masked(data, len(data))[0]

    def feed(self, chunk: bytes) -> bytes:
        """Mask one read of a stream; the end that could begin a secret waits for the next read."""
        if self._bytes is None:
            return chunk
        data = self._held + chunk if self._held else chunk
        shown, cut = self._masked(data, len(data) - self._begun(data))
        self._held = data[cut:]
        return shown

    def _masked(self, data: bytes, cut: int) -> tuple[bytes, int]:
        """`data` up to `cut` masked, and where that ended: a match found across `cut` is masked
        whole; one starting at or after it is left (it is found again, whole, with the next read)."""
        if self._bytes is None:
            return data[:cut], cut
        pieces: list[bytes] = []
        last = 0
        for _, start, end in self._bytes.find_matches_as_indexes(data):
            if start >= cut:
                break
            pieces += (data[last:start], _MASK_BYTES)
            last = end
        cut = max(cut, last)
        if not pieces:
            return (data if cut == len(data) else data[:cut]), cut  # the usual case: no copy
        pieces.append(data[last:cut])
        return b"".join(pieces), cut

    def _begun(self, data: bytes) -> int:
        """Length of the longest end of `data` that is the beginning of a form of a secret."""
        for size in range(min(self._longest - 1, len(data)), 0, -1):
            if data[-size:] in self._prefixes:
                return size
        return 0

    def flush(self) -> bytes:
        """What `feed` held back, at the end of the stream."""
        held, self._held = self._held, b""
        # What waited could begin a long form and still hold a whole shorter one.
        return self.mask_bytes(held) if held else held
