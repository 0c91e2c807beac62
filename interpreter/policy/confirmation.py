"""How a step is confirmed: a destructive step asks for a typed word, and annotations may only add caution.

A step is destructive when a command in it is (the risk policy says why), when its text warns
(`WARNING`, `> [!CAUTION]`, a `**Risk**: HIGH` document), or when an annotation says so. Nothing
written in the runbook lowers that: `confirm: none`, `confirm: yes` or `destructive: false` on
a destructive step is ignored here and reported by `validate` as `annotations/weakens-safety`.
On other steps an annotation chooses freely (`confirm: typed` raises a plain step to a typed word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..model.kinds import runs
from ..model.runbook import Step

__all__ = ["Confirmation", "Weakening", "confirm_word", "confirmation"]

Confirm = Literal["typed", "yes", "none"]
_WORDS = (
    ("DROP", re.compile(r"\bdrop\b", re.I)),
    ("TRUNCATE", re.compile(r"\btruncate\b", re.I)),
    ("DELETE", re.compile(r"\bdelete\b", re.I)),
)
_LEVEL: dict[str, int] = {"none": 0, "yes": 1, "typed": 2}


@dataclass(frozen=True, slots=True)
class Weakening:
    """An annotation that tried to make a destructive step less safe (it is ignored)."""

    line: int
    """Where it was written: the fence line, or the step's first line for a step annotation."""
    key: str
    """`confirm` or `destructive`."""
    value: Any
    """What it asked for (`none`, `yes`, `False`)."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the run asks before a step, as the graph records it."""

    destructive: bool
    reasons: tuple[str, ...]
    """Why its commands are destructive (the step's warnings are not repeated here)."""
    confirm: Confirm
    """typed: the operator types a word; yes: a y/n answer (or `--yes`); none: no question."""
    weakening: tuple[Weakening, ...]
    """Annotations that asked for less than a typed word on this destructive step."""


def confirmation(step: Step) -> Confirmation:
    """The confirmation `step` gets: at least a typed word when it is destructive, whatever is annotated."""
    runnable = [b for b in step.blocks if runs(b.kind)]
    # Commands typed by hand elsewhere (inside `ssh host`, in psql) count too: the step that leads
    # there asks for the typed word before the operator goes in.
    reasons = tuple(
        r
        for b in step.blocks
        for c in (*(b.commands if runs(b.kind) else ()), *b.typed)
        for r in c.destructive
    )
    forced = step.annotation.get("destructive") is True or any(
        b.annotation.get("destructive") is True for b in runnable
    )
    destructive = bool(reasons or step.warnings or forced)
    asked: list[tuple[int, Any]] = [
        (b.span.start, b.annotation["confirm"]) for b in step.blocks if "confirm" in b.annotation
    ]
    if "confirm" in step.annotation:
        asked.append((step.span.start, step.annotation["confirm"]))
    if not destructive:
        confirm: Confirm = max((value for _, value in asked), key=lambda v: _LEVEL[v], default="yes")
        return Confirmation(False, (), confirm, ())
    weakening = [Weakening(line, "confirm", value) for line, value in asked if value != "typed"]
    weakening += [
        Weakening(b.span.start, "destructive", False)
        for b in runnable
        if b.annotation.get("destructive") is False and any(c.destructive for c in b.commands)
    ]
    if step.annotation.get("destructive") is False:
        weakening.append(Weakening(step.span.start, "destructive", False))
    return Confirmation(True, reasons, "typed", tuple(weakening))


def confirm_word(destructive: Iterable[str], fallback: str) -> str:
    """The word a destructive step asks to be typed: `DROP`, `TRUNCATE` or `DELETE` when its
    destructive commands say one, else `fallback` (the procedure's slug)."""
    text = "\n".join(destructive)
    return next((word for word, pattern in _WORDS if pattern.search(text)), fallback)
