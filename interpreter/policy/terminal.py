"""What may reach the operator's terminal: control characters are shown, never obeyed.

A terminal obeys escape sequences in what it prints: a runbook line `touch x #ESC[2KESC[1Gecho
harmless` erases itself and shows `echo harmless`; OSC 52 writes the clipboard; OSC 0 the window
title. Two policies, one home:

- `visible(text)`: text that came from a runbook, a journal, a note or a command's recorded text.
  Every control character but newline and tab is shown in caret notation (`^[` for ESC, `^M` for a
  carriage return), and the invisible characters that reorder or hide text (bidirectional
  overrides, zero-width spaces) as `<U+202E>`.
- `LiveOutput`: a running command's own output, as bytes. Colours (SGR, `ESC[…m`) pass, and so do
  newline, tab and carriage return (progress bars); every other escape sequence (OSC: titles,
  clipboard, hyperlinks; cursor movement and other CSI; DCS, APC…) is dropped, and the control
  characters a terminal acts on (BEL, backspace, vertical tab, form feed, shift out/in, C1) are
  shown in caret notation. The journal keeps the raw bytes.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = ["LiveOutput", "controls", "headline", "visible"]

_HIDING = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
"""Bidirectional marks and overrides, zero-width spaces: they reorder or hide text without being
seen (zero-width joiners are left alone: emoji and many scripts need them)."""
_CONTROL_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_HIDING}]")


def _caret(code: int) -> str:
    return "^" + chr(code ^ 0x40) if code < 0x20 or code == 0x7F else f"<U+{code:04X}>"


def visible(text: str) -> str:
    """`text` with every control character but newline and tab shown, not obeyed."""
    return _CONTROL_TEXT.sub(lambda m: _caret(ord(m.group())), text)


def controls(text: str) -> list[tuple[int, str]]:
    """Where `text` holds characters `visible` would show escaped: (0-based index, as shown)."""
    return [(m.start(), _caret(ord(m.group()))) for m in _CONTROL_TEXT.finditer(text)]


_SEQUENCE = re.compile(
    rb"""
      \x1b\[ (?P<params>[\x30-\x3f]*) [\x20-\x2f]* (?P<final>[\x40-\x7e])  # CSI: SGR kept, the rest dropped
    | \x1b[]PX^_] [^\x07\x1b]* (?:\x07|\x1b\\)          # OSC, DCS, SOS, PM, APC strings
    | \x1b[\x20-\x2f]* [\x30-\x4f\x51-\x57\x59\x5a\x5c\x60-\x7e]  # other escapes (ESC 7, ESC c, charsets)
    | \xc2[\x80-\x9f]                                   # C1 controls, UTF-8 encoded (U+009B is CSI)
    | [\x00-\x08\x0b\x0c\x0e-\x1f\x7f]                  # other C0 controls, a lone ESC
    """,
    re.X,
)
_PARTIAL = re.compile(rb"(?:\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*|[]PX^_][^\x07\x1b]*\x1b?|[\x20-\x2f]*)|\xc2)\Z")
"""A sequence begun at the end of a read, to be finished by the next."""
_SGR_PARAMS = re.compile(rb"[0-9;:]*")
_OBEYED = (b"\x1b\xc2\x07", b"\x08\x0b\x0c", b"\x0e\x0f")
"""The bytes a terminal acts on besides newline, tab and carriage return: ESC, the lead byte of a
UTF-8 C1 control, BEL, backspace, vertical tab, form feed, and the shifts to another character set
(the other C0 controls and DEL are ignored by terminals). Three bytes a search: each runs at
memory speed (memchr3), where one search for thirty bytes reads a tenth as fast."""
_HOLD = 4096
"""How far back a begun sequence is held for the next read; a longer one (an OSC 52 payload)
loses its introducer, and the rest prints as the text it is."""


class LiveOutput:
    """Filters a command's output for the terminal, read by read; a sequence split between two
    reads is held until it is whole."""

    def __init__(self) -> None:
        self._held = b""

    def feed(self, data: bytes) -> bytes:
        """What of `data` may be shown (a sequence begun at its end waits for the next read)."""
        if self._held:
            data, self._held = self._held + data, b""
        if not any(search(data) for search in _searches()):
            return data  # nothing a terminal would obey, the usual case: returned as it is
        begun = _PARTIAL.search(data, max(0, len(data) - _HOLD))
        if begun is not None:
            data, self._held = data[: begun.start()], data[begun.start() :]
        return _SEQUENCE.sub(_filter, data)

    def flush(self) -> bytes:
        """The end of the output: a sequence never finished is dropped, its text is not."""
        held, self._held = self._held, b""
        return _SEQUENCE.sub(_filter, held[1:])


@cache
def _searches() -> tuple[Any, ...]:
    from ahocorasick_rs import BytesAhoCorasick

    return tuple(BytesAhoCorasick([bytes([b]) for b in group]).find_matches_as_indexes for group in _OBEYED)


def _filter(match: re.Match[bytes]) -> bytes:
    text = match.group()
    final = match.group("final")
    if final is not None:
        return text if final == b"m" and _SGR_PARAMS.fullmatch(match.group("params")) else b""
    if len(text) == 1:
        return _caret(text[0]).encode()
    if text[0] == 0xC2:
        return _caret(text[1]).encode()
    return b""


def headline(text: str) -> str:
    """A command in one line, for a message or a timeline: its first line, and `…` where it goes
    on (a `\\` continuation, a here-document), never a dangling backslash."""
    first, _, rest = text.partition("\n")
    return first.rstrip(" \\") + " …" if rest.strip() else first
