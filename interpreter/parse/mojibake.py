"""Find and repair double-encoded text (UTF-8 bytes read as Windows-1252, then saved as UTF-8)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Mojibake", "find_mojibake", "repair"]

# The character Windows-1252 shows for each byte 0x80-0xFF. Five bytes (0x81, 0x8D, 0x8F,
# 0x90, 0x9D) have no character there: editors that round-trip through cp1252 drop them,
# which is how the seed's `┐` (E2 94 90) lost its last byte.
_BYTE_OF: dict[str, int] = {}
for _byte in range(0x80, 0x100):
    _char = bytes([_byte]).decode("cp1252", errors="ignore")
    if _char:
        _BYTE_OF[_char] = _byte
_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)

_CONT = "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0x80 <= b <= 0xBF)
_LEAD2 = "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0xC2 <= b <= 0xDF)
_LEAD3 = "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0xE0 <= b <= 0xEF)
_LEAD4 = "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0xF0 <= b <= 0xF4)
_PATTERN = re.compile(f"[{_LEAD4}][{_CONT}]{{1,3}}|[{_LEAD3}][{_CONT}]{{1,2}}|[{_LEAD2}][{_CONT}]")


@dataclass(frozen=True, slots=True)
class Mojibake:
    """One double-encoded character found in a text."""

    line: int
    """1-based line of the damaged text."""
    column: int
    """1-based column where the damaged text starts."""
    damaged: str
    """The characters as they appear, such as `âœ…`."""
    repaired: str
    """The character they stand for, such as `✅`; `?` alternatives joined by `|` when a byte was lost."""
    lost_byte: bool
    """True when a byte was dropped and the repair had to guess among candidates."""


def _decode(damaged: str) -> tuple[str, bool] | None:
    raw = bytes(_BYTE_OF[c] for c in damaged)
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    # One byte lost: try each byte cp1252 cannot show, keep those that decode to a printable char.
    candidates = []
    for lost in _UNDEFINED:
        try:
            text = (raw + bytes([lost])).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if text.isprintable():
            candidates.append(text)
    if candidates:
        return "|".join(candidates), True
    return None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def find_mojibake(text: str) -> Iterator[Mojibake]:
    """Yield every double-encoded character in `text`, in order."""
    if text.isascii():
        return  # every character `_PATTERN` matches is one Windows-1252 shows for a byte >= 0x80
    starts = _line_starts(text)
    line = 0
    for match in _PATTERN.finditer(text):
        decoded = _decode(match.group())
        if decoded is None:
            continue
        while line + 1 < len(starts) and starts[line + 1] <= match.start():
            line += 1
        yield Mojibake(
            line=line + 1,
            column=match.start() - starts[line] + 1,
            damaged=match.group(),
            repaired=decoded[0],
            lost_byte=decoded[1],
        )


def repair(text: str, lost: dict[str, str] | None = None) -> str:
    """Return `text` with double-encoded characters restored.

    Where a byte was lost and several characters fit, `lost` picks one by the damaged text
    (for example `{"â”": "┐"}`); without a pick the damaged text is left as it is.
    """
    picks = lost or {}

    def fix(match: re.Match[str]) -> str:
        decoded = _decode(match.group())
        if decoded is None:
            return match.group()
        repaired, guessed = decoded
        if guessed:
            return picks.get(match.group(), match.group())
        return repaired

    return _PATTERN.sub(fix, text)
