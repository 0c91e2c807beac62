"""HTTP requests: which methods destroy what they are sent to."""

from __future__ import annotations

import re

from .verdict import SAFE, CommandRisk

__all__ = ["assess_http", "destructive_method"]

# PUT, PATCH and POST change a resource, as most commands in a runbook do; DELETE removes it.
_DESTRUCTIVE = frozenset({"DELETE"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CHANGING = frozenset({"POST", "PUT", "PATCH"})
# A changing request to an endpoint named for destruction (`POST /cache/purge`) destroys too.
_DESTROYING = re.compile(r"/(delete|destroy|drop|purge|truncate|wipe|erase)(?=$|[/?#.;])", re.I)


def destructive_method(method: str) -> bool:
    """Whether a request with this method (any case) removes what it names."""
    return method.strip().upper() in _DESTRUCTIVE


def assess_http(method: str, url: str = "") -> CommandRisk:
    """The risk of sending `method` to `url` (an `http` block). The URL stays out of the reason: it
    may hold credentials, and reasons are shown before anything is masked."""
    verb = method.strip().upper()
    if verb in _SAFE_METHODS:
        return SAFE
    if destructive_method(verb):
        return CommandRisk(("an HTTP DELETE removes the resource it names",), words=(verb,))
    if verb in _CHANGING:
        word = _DESTROYING.search(url.split("?", 1)[0])
        if word is None:
            return SAFE
        return CommandRisk((f"an HTTP {verb} to an endpoint named {word.group(1).lower()}",), words=(verb,))
    return CommandRisk(
        (f"cannot be analysed: {verb} is not a method whose effect is known",),
        unanalysable=True,
        words=(verb,),
    )
