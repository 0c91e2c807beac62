"""The journal's hash chain: each event carries the hash of the one before it, so an edit shows.

Every event a store writes gets two fields besides the envelope: `prev`, the hash of the event
before it in the run (64 zeros for the first), and `hash`, its own: the SHA-256 of the event's
canonical JSON (keys sorted, no spaces, `hash` left out, `prev` in). Changing one byte of an
event changes its hash; changing its `hash` too breaks the next event's `prev`. So `runbook
verify` names the first event that was changed, removed or reordered since it was written.

The chain is made where events are numbered (the stores, under the lock or in the transaction
that numbers them), so events from other processes (`runbook note`) link into it in the order
they land. It is canonical JSON, not bytes, that is hashed: PostgreSQL keeps events as `jsonb`,
which does not keep the bytes, and a run copied between stores (`runs export`, `runs import`)
keeps its hashes. Only the last event of a run can be changed without a trace (there is nothing
after it), and anyone able to rewrite the whole journal can recompute the chain: `verify` and the
post-mortem print the head hash, so a team that keeps it elsewhere (a ticket, the incident
channel) can tell later that nothing was changed after that moment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["GENESIS", "Verdict", "digest", "hash_of", "link", "verify"]

GENESIS = "0" * 64
"""The `prev` of a run's first event."""


def digest(event: dict[str, Any]) -> str:
    """The SHA-256 of an event's canonical JSON, its own `hash` left out."""
    rest = {k: v for k, v in event.items() if k != "hash"}
    text = json.dumps(rest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_of(event: dict[str, Any]) -> str:
    """What the next event's `prev` is: the event's recorded hash, or its digest when it has none
    (an event written before the chain existed; a run resumed by this version chains on from it)."""
    recorded = event.get("hash")
    return recorded if isinstance(recorded, str) else digest(event)


def link(event: dict[str, Any], prev: str) -> dict[str, Any]:
    """Chain `event` (numbered and checked already) after the event whose hash is `prev`."""
    event.pop("hash", None)
    event["prev"] = prev
    event["hash"] = digest(event)
    return event


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a run's chain holds, and if not, where it first breaks."""

    events: int
    """Events read."""
    chained: int
    """Events that carry a hash."""
    head: str | None
    """The hash of the last event (what the next one would carry as `prev`)."""
    broken: int | None = None
    """The seq (or, for an event with none, the position) of the first event that breaks it."""
    reason: str = ""
    """Why it breaks there, in words."""

    @property
    def holds(self) -> bool:
        """Every event is chained and every link checks."""
        return self.broken is None and self.chained == self.events and self.events > 0

    def describe(self) -> str:
        """One sentence for the operator."""
        if self.broken is not None:
            return f"broken at event {self.broken}: {self.reason}"
        if not self.events:
            return "no events"
        if not self.chained:
            return f"not chained: its {self.events} events carry no hash (written before the chain existed)"
        if self.chained < self.events:
            return (
                f"partly chained: {self.events - self.chained} of {self.events} events carry no hash "
                "(written before the chain existed); the rest hold"
            )
        return f"holds: {self.events} events, head {self.head}"


def verify(events: list[dict[str, Any]]) -> Verdict:
    """Check a run's events in order: numbered 1, 2, 3…, each `hash` its digest, each `prev` the
    hash of the event before."""
    prev = GENESIS
    chained = 0
    for position, event in enumerate(events, start=1):
        numbered = event.get("seq")
        seq = numbered if isinstance(numbered, int) else position
        problem = _problem(event, position, prev)
        if problem:
            return Verdict(len(events), chained, None, seq, problem)
        recorded = event.get("hash")
        if isinstance(recorded, str):
            chained += 1
            prev = recorded
        else:
            prev = digest(event)
    return Verdict(len(events), chained, prev if events else None)


def _problem(event: dict[str, Any], position: int, prev: str) -> str:
    """Why an event breaks the chain at `position` after an event whose hash is `prev` ("" if not)."""
    seq = event.get("seq")
    if seq != position:
        return f"it is numbered {seq} where {position} was expected (an event was removed or added)"
    recorded = event.get("hash")
    if recorded is None:
        return "it carries `prev` and no `hash`" if "prev" in event else ""
    if event.get("prev") != prev:
        return "its `prev` is not the hash of the event before it (that one was changed or removed)"
    if recorded != digest(event):
        return "its content does not match its hash (it was changed after it was written)"
    return ""
