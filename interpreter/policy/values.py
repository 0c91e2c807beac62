"""Putting placeholder values into commands: only plain values, so that none can run as code."""

from __future__ import annotations

import glob
import os
import re

__all__ = ["PLAIN_RULE", "is_plain", "newest_matching", "refusal", "substitute"]

# A value made only of these characters means the same in any quoting context and to any shell a
# command starts (`bash -c '…'`, `ssh host '…'`): it is written into the command as it is, so the
# operator reads (and the journal records) the real command line. No other value is accepted.
# A git revision's `~N` and `^N` (`HEAD~1`, `v1.2^2`) are allowed after a name that ends in a
# letter, digit or `_`: there `~` is not a tilde prefix (that is only at the start of a word, or
# after `:` or the first `=` of an assignment) and `^` is no operator to bash or sh. Matched over
# the whole value (`re.match` with `$` would let a final newline through).
_PLAIN = re.compile(r"[A-Za-z0-9._/@:+=,%][A-Za-z0-9._/@:+=,%-]*")
_REVISION = re.compile(r"[A-Za-z0-9._/@:+=,%][A-Za-z0-9._/@:+=,%-]*(?<=[A-Za-z0-9_])(?:[~^][0-9]*)+")

PLAIN_RULE = (
    "letters, digits and . _ / @ : + = , % - (a dash not first), and a git revision's ~N or ^N after "
    "a name (HEAD~1); no spaces, quotes, $ or ;"
)
"""The rule in words, for every message that refuses a value."""


def is_plain(value: str) -> bool:
    """True when a value can be written into a command literally, whatever reads it (the whole
    value)."""
    return bool(_PLAIN.fullmatch(value) or _REVISION.fullmatch(value))


def refusal(value: str, what: str, shown: str | None = None) -> str:
    """The one-line message refusing `value` (shown as `shown`, e.g. masked) for `what`."""
    return f"{shown if shown is not None else repr(value)} cannot fill {what}: only {PLAIN_RULE}"


def substitute(command: str, values: dict[str, str]) -> str:
    """Replace each placeholder text (a key of `values`) in `command` with its plain value.

    Raises:
        ValueError: a value is not plain; such a value is never written into a command.
    """
    if not values:
        return command
    for value in values.values():
        if not is_plain(value):
            raise ValueError(f"{value!r} is not a plain value")
    pattern = re.compile("|".join(re.escape(k) for k in sorted(values, key=len, reverse=True)))
    return pattern.sub(lambda match: values[match.group()], command)


def newest_matching(example: str, cwd: str) -> str | None:
    """For an example file name with a timestamp (`/tmp/backup-20251120-120000.sql.gz`), the
    newest existing file of that shape, as a default."""
    shape = re.sub(r"20\d{6}-\d{6}", "*", example)
    if shape == example:
        return None
    where = shape if os.path.isabs(shape) else os.path.join(cwd, shape)
    found = glob.glob(where)
    if not found:
        return None
    newest = max(found, key=os.path.getmtime)
    return newest if os.path.isabs(example) else os.path.relpath(newest, cwd)
