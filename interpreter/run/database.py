"""Which database a `sql` block talks to, and the password in its URL, which is never written anywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import UsageError

__all__ = ["ENV_NAME", "database_url", "redact", "url_passwords"]

ENV_NAME = "RUNBOOK_DATABASE_URL"
"""Where `--db URL` puts the URL, so shell steps (`pg_dump "$RUNBOOK_DATABASE_URL"`) reach it too."""

# A scheme starts where no scheme character comes before it: `\b` let every letter of a long run
# start one (quadratic).
_URL_PASSWORD = re.compile(r"(?<![\w+.-])[a-z][a-z0-9+.-]*://[^:/?#@\s]*:([^@/?#\s]+)@", re.I)
_KEYWORD_PASSWORD = re.compile(r"(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", re.I)
_QUERY_PASSWORD = re.compile(r"[?&]password=([^&#\s]+)", re.I)
_URL = re.compile(r"(?<![\w+.-])[a-z][a-z0-9+.-]*://\S+", re.I)
_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


def url_passwords(text: str) -> list[str]:
    """Passwords written in URLs (`scheme://user:PASSWORD@host`, `?password=…`) or conninfo
    (`password=…`) in `text`."""
    from urllib.parse import urlsplit

    found = [m.group(1) for m in _URL_PASSWORD.finditer(text)]
    found += [m.group(1) for m in _QUERY_PASSWORD.finditer(text)]  # postgresql://h/db?password=…
    for match in _URL.finditer(text):
        # A password holding `@`: URL parsers split at the last one; the pattern above at the first.
        try:
            password = urlsplit(match.group(0)).password
        except ValueError:
            continue
        if password:
            found.append(password)
    for match in _KEYWORD_PASSWORD.finditer(text):
        value = match.group(1)
        found.append(value[1:-1] if value.startswith("'") else value)
    from urllib.parse import unquote

    # Both as written and decoded (`p%40ss` is `p@ss` to the server and to an error message).
    return list(dict.fromkeys([*found, *(unquote(p) for p in found)]))


def redact(text: str) -> str:
    """`text` with every URL or conninfo password replaced by the mask."""
    from ..policy.masking import MASK

    for password in sorted(url_passwords(text), key=len, reverse=True):
        text = text.replace(password, MASK)
    return text


def _expand(value: str, env: Mapping[str, str], where: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise UsageError(
                f"{where}: the database is ${name}, which is not set",
                f"set it with --var {name}=URL, or export it before the run",
            )
        return env[name]

    return _VAR.sub(one, value)


def database_url(block: Mapping[str, Any], front_matter: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The block's `db=`, else the front matter's `database:`, else `--db` / RUNBOOK_DATABASE_URL.

    `$NAME` in an annotation is read from the run's environment.

    Raises:
        UsageError: no database is named, or it names a variable that is not set.
    """
    span = block.get("span", {})
    where = f"{span.get('file', '?')}:{span.get('start', '?')}"
    for raw, said in (
        (block.get("annotation", {}).get("db"), "the block's db="),
        (front_matter.get("database"), "the front matter's database:"),
        (env.get(ENV_NAME), "--db / " + ENV_NAME),
    ):
        if raw:
            value = _expand(str(raw), env, f"{where} ({said})").strip()
            if value:
                return value
    raise UsageError(
        f"{where}: this sql block names no database",
        f"annotate the fence {{db=URL}} or {{db=$VAR}}, set `database:` in the front matter, "
        f"pass --db URL or set {ENV_NAME}",
    )
