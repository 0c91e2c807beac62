"""How lengths of time are written, everywhere a person reads one: the one duration policy.

Each format has one job, and every place that writes a duration calls one of these:

| format | looks like | where |
|---|---|---|
| `since_start` | `T+0:02:05` | time since the run started: timelines, `follow`, the post-mortem |
| `clock` | `2:05`, `1:02:05` | a column of durations (`runbook runs`) |
| `human` | `2m 05s`, `1h 02m 05s` | durations in sentences and headers (the post-mortem) |
| `compact` | `5s`, `2m05s` | the run's screen, beside a step's budget |
| `precise` | `1.5s` | how long one step or command took |
| `axis` | `1.5s`, `12s`, `2:05`, `1:02` | labels of a time axis, at the resolution its length needs |

A timeline counts whole seconds gone (T+0:00:59 until the minute is full, as a stopwatch does);
every other format rounds to the nearest second.
"""

from __future__ import annotations

import re

__all__ = ["axis", "clock", "compact", "human", "parse", "precise", "since_start"]

_WRITTEN = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*(h|hours?|hrs?))?\s*(?:(\d+(?:\.\d+)?)\s*(m|mins?|minutes?))?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(s|secs?|seconds?)?)?",
    re.I,
)


def parse(text: str) -> float | None:
    """Seconds in a duration as people write one: `5m`, `90s`, `1h30m`, `2 minutes`, `45` (seconds);
    None when it is not one."""
    match = _WRITTEN.fullmatch(text.strip())
    if match is None or not any(match.group(i) for i in (1, 3, 5)):
        return None
    hours, minutes, seconds = (float(match.group(i) or 0) for i in (1, 3, 5))
    return hours * 3600 + minutes * 60 + seconds


def _hms(seconds: int) -> tuple[int, int, int]:
    minutes, secs = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return hours, minutes, secs


def since_start(seconds: float) -> str:
    """`T+H:MM:SS`: time since the run started, whole seconds gone."""
    hours, minutes, secs = _hms(int(seconds))
    return f"T+{hours:d}:{minutes:02d}:{secs:02d}"


def clock(seconds: float | None, unknown: str = "-") -> str:
    """`M:SS`, or `H:MM:SS` from an hour on: a duration in a table column."""
    if seconds is None:
        return unknown
    hours, minutes, secs = _hms(round(seconds))
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def human(seconds: float | None, unknown: str = "unknown") -> str:
    """`Mm SSs`, or `Hh MMm SSs` from an hour on: a duration in a sentence."""
    if seconds is None:
        return unknown
    hours, minutes, secs = _hms(round(seconds))
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


def compact(seconds: float) -> str:
    """`Ss` under a minute, else `MmSSs` (minutes keep counting past the hour): the run's screen."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def precise(seconds: float) -> str:
    """`S.Ds`: how long a step or a command took, to the tenth of a second."""
    return f"{seconds:.1f}s"


def axis(seconds: float, total: float) -> str:
    """A label on a time axis `total` seconds long, at the resolution that length needs."""
    if total < 60:
        return f"{seconds:.1f}s" if total < 10 else f"{seconds:.0f}s"
    minutes, secs = divmod(round(seconds), 60)
    if total < 3600:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}"
