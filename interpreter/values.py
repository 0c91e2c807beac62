"""Putting values into commands so that no value can ever run as a command."""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

__all__ = ["Substitution", "is_plain", "newest_matching", "substitute"]

# A value made only of these characters means the same in any quoting context: it is put into
# the command as written, so the operator reads (and the journal records) the real command line.
_PLAIN = re.compile(r"^[A-Za-z0-9._/@:+=,%^-]+$")
_TOKENS = re.compile(r"""'[^']*'?|"(?:[^"\\]|\\.)*"?|\\.|[^'"\\]+""", re.S)


def is_plain(value: str) -> bool:
    """True when a value can be written into a command literally, in any quoting context."""
    return bool(_PLAIN.match(value))


@dataclass(slots=True)
class Substitution:
    """A command with placeholders replaced, and the environment the replacements need."""

    text: str
    env: dict[str, str] = field(default_factory=dict)


def _reference(name: str, context: str) -> str:
    if context == "single":
        return f"'\"${{{name}}}\"'"  # close the quote, expand quoted, reopen
    if context == "double":
        return f"${{{name}}}"
    return f'"${{{name}}}"'


def substitute(command: str, values: dict[str, str], counter: list[int] | None = None) -> Substitution:
    """Replace each placeholder text (key of `values`) in `command` with its value.

    Plain values are written in literally. Any other value travels in an environment variable
    and the command refers to it, quoted for where it stands, so `x; touch /tmp/pwned` is
    only ever data.
    """
    counter = counter if counter is not None else [0]
    env: dict[str, str] = {}
    names: dict[str, str] = {}
    if not values:
        return Substitution(command)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(values, key=len, reverse=True)))
    out: list[str] = []
    for token in _TOKENS.finditer(command):
        piece = token.group()
        context = "single" if piece.startswith("'") else "double" if piece.startswith('"') else "plain"

        def replace(match: re.Match[str], context: str = context) -> str:
            value = values[match.group()]
            if is_plain(value):
                return value
            if match.group() not in names:
                counter[0] += 1
                names[match.group()] = f"RUNBOOK_VALUE_{counter[0]}"
                env[names[match.group()]] = value
            return _reference(names[match.group()], context)

        out.append(pattern.sub(replace, piece))
    return Substitution("".join(out), env)


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
