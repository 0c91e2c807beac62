"""Putting placeholder values into commands: only plain values, so that none can run as code."""

from __future__ import annotations

import glob
import os
import re

__all__ = ["is_plain", "newest_matching", "substitute"]

# A value made only of these characters means the same in any quoting context and to any shell a
# command starts (`bash -c '…'`, `ssh host '…'`): it is written into the command as it is, so the
# operator reads (and the journal records) the real command line. No other value is accepted.
_PLAIN = re.compile(r"[A-Za-z0-9._/@:+=,%][A-Za-z0-9._/@:+=,%-]*")


def is_plain(value: str) -> bool:
    """True when a value can be written into a command literally, whatever reads it (the whole
    value: `re.match` with `$` would let a final newline through)."""
    return bool(_PLAIN.fullmatch(value))


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
