"""Which database a `sql` block talks to (its password is found by `policy.passwords`, never written)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from ..policy.passwords import redact, url_passwords

__all__ = ["ENV_NAME", "database_url", "redact", "url_passwords"]

ENV_NAME = "RUNBOOK_DATABASE_URL"
"""Where `--db URL` puts the URL, so shell steps (`pg_dump "$RUNBOOK_DATABASE_URL"`) reach it too."""

_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


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
