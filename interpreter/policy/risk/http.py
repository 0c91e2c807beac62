"""HTTP requests: which methods destroy what they are sent to."""

from __future__ import annotations

from .verdict import SAFE, CommandRisk

__all__ = ["assess_http", "destructive_method"]

# PUT, PATCH and POST change a resource, as most commands in a runbook do; DELETE removes it.
_DESTRUCTIVE = frozenset({"DELETE"})


def destructive_method(method: str) -> bool:
    """Whether a request with this method (any case) removes what it names."""
    return method.strip().upper() in _DESTRUCTIVE


def assess_http(method: str, url: str = "") -> CommandRisk:
    """The risk of sending `method` to `url` (an `http` block, a `curl -X`)."""
    if not destructive_method(method):
        return SAFE
    where = f" at {url}" if url else ""
    return CommandRisk((f"an HTTP DELETE removes the resource{where}",), words=(method.strip().upper(),))
