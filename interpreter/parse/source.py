"""Reading a runbook file into text, and the source spans and findings that point back into it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidRunbookError, UsageError
from ..policy.paths import RUNBOOK_LIMIT, read_regular
from ..policy.rules import RULES, Severity

__all__ = ["Finding", "Severity", "Source", "Span", "read_source"]


@dataclass(frozen=True, slots=True)
class Span:
    """Where something came from: a file and an inclusive range of 1-based lines."""

    file: str
    """The path as the user gave it (relative paths stay relative)."""
    start: int
    """First line, 1-based."""
    end: int
    """Last line, 1-based, inclusive."""

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "start": self.start, "end": self.end}

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.start}"
            if self.start == self.end
            else (f"{self.file}:{self.start}-{self.end}")
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong or notable in a runbook, found while reading it."""

    rule: str
    """Stable rule id, such as `structure/unclosed-fence`."""
    severity: Severity
    """error: the runbook cannot be trusted as read; warning: it can, with care; info: a fact."""
    file: str
    """The runbook's path."""
    line: int
    """1-based line."""
    message: str
    """What is wrong, in one sentence."""
    hint: str = ""
    """What to do about it."""
    column: int = 1
    """1-based column."""

    @classmethod
    def of(cls, rule: str, file: str, line: int, message: str, hint: str = "", column: int = 1) -> Finding:
        """A finding of `rule`, with the severity the rule catalogue gives it (the only way to make one).

        Raises KeyError for a rule the catalogue does not know: a program fault, caught by the tests.
        """
        return cls(rule, RULES[rule].severity, file, line, message, hint, column)

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity} [{self.rule}] {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True, slots=True)
class Source:
    """A runbook's text as read from disk."""

    path: str
    """The path as the user gave it."""
    text: str
    """The decoded text, newlines normalised to `\\n`."""
    sha256: str
    """Hash of the bytes on disk, so a run can prove which text it followed."""
    lines: tuple[str, ...] = field(repr=False, default=())
    """The text split into lines (no line endings)."""

    @classmethod
    def from_text(cls, text: str, path: str = "<string>") -> Source:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(path=path, text=text, sha256=digest, lines=tuple(text.split("\n")))


def read_source(path: str | Path) -> Source:
    """Read a runbook from disk: a regular file (never a device or a FIFO, which would never end
    or never answer) of at most RUNBOOK_LIMIT bytes (4 MiB; policy/paths.py says why).

    Raises:
        UsageError: the file does not exist (a path mistyped on the command line).
        InvalidRunbookError: the file cannot be read, is a folder, a device, a FIFO, too large,
            binary or not UTF-8.
    """
    name = str(path)
    try:
        raw = read_regular(path, RUNBOOK_LIMIT, "a runbook file")
    except FileNotFoundError as exc:
        raise UsageError(f"{name}: no such file", "check the path") from exc
    except OSError as exc:
        raise InvalidRunbookError(f"{name}: cannot be read: {exc.strerror}") from exc
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InvalidRunbookError(
            f"{name}:1: this file is UTF-16; runbooks are read as UTF-8",
            "convert it: iconv -f utf-16 -t utf-8 FILE > FILE.utf8",
        )
    if b"\x00" in raw[:8192]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InvalidRunbookError(
            f"{name}:{line}: this is a binary file, not Markdown (NUL byte found)",
            "pass the runbook's .md file",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidRunbookError(
            f"{name}:{line}:{column}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8 (for example: iconv -f latin1 -t utf-8)",
        ) from exc
    source = Source.from_text(text, name)
    return Source(
        path=name,
        text=source.text,
        sha256=hashlib.sha256(raw).hexdigest(),
        lines=source.lines,
    )
