"""One duration policy: every format a person reads, and no second formatter anywhere else."""

from __future__ import annotations

import re

import pytest
from support.paths import ROOT

from interpreter.policy import durations


@pytest.mark.parametrize(
    ("seconds", "since_start", "clock", "human", "compact"),
    [
        (0, "T+0:00:00", "0:00", "0m 00s", "0s"),
        (5.4, "T+0:00:05", "0:05", "0m 05s", "5s"),
        (59.7, "T+0:00:59", "1:00", "1m 00s", "59s"),
        (125, "T+0:02:05", "2:05", "2m 05s", "2m05s"),
        (3723.2, "T+1:02:03", "1:02:03", "1h 02m 03s", "62m03s"),
    ],
)
def test_each_format_writes_a_length_of_time_its_own_way(
    seconds: float, since_start: str, clock: str, human: str, compact: str
) -> None:
    assert durations.since_start(seconds) == since_start
    assert durations.clock(seconds) == clock
    assert durations.human(seconds) == human
    assert durations.compact(seconds) == compact


def test_an_unknown_duration_and_the_small_formats() -> None:
    assert durations.clock(None) == "-" and durations.human(None) == "unknown"
    assert durations.human(-3) == "0m 00s"  # a clock stepped back never shows a negative time
    assert durations.precise(1.25) == "1.2s" and durations.precise(12) == "12.0s"
    assert [durations.axis(s, t) for s, t in [(1.5, 5), (12, 30), (125, 600), (3725, 7200)]] == [
        "1.5s",
        "12s",
        "2:05",
        "1:02",
    ]


# Only the policy divides by 60.
ALLOWED = {"interpreter/policy/durations.py"}


def test_no_module_but_the_policy_formats_a_duration() -> None:
    """A second formatter is how the five of them drifted apart: divmod by 60 lives in one place."""
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{number}"
        for path in sorted((ROOT / "interpreter").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in ALLOWED
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if re.search(r"divmod\([^)]*,\s*(60|3600)\)", line)
    ]
    assert offenders == []
