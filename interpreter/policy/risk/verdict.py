"""What the policy says about a command: destructive (and why), never-ending, unanalysable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SAFE", "CommandRisk", "combine"]


@dataclass(frozen=True, slots=True)
class CommandRisk:
    """The risk of one command, statement or request, as the run, inference and validate read it."""

    reasons: tuple[str, ...] = ()
    """Why it is destructive, one sentence each (shown when asking for the typed word and in
    `validate` findings); empty when it is not."""
    waits: tuple[str, ...] = ()
    """Why it runs until someone stops it (`tail -f`, `watch`, `kubectl port-forward`, an interactive
    shell), one sentence each; empty when it ends by itself."""
    unanalysable: bool = False
    """What it runs is only known at run time (`$CMD`, `eval "$X"`, `curl … | bash`); such a command
    is destructive too, and one of `reasons` says why."""
    words: tuple[str, ...] = ()
    """The command words that made it risky (`kubectl delete`, `tail -f`, `DELETE`), in order."""

    @property
    def destructive(self) -> bool:
        """It may destroy data or take a service down: the run asks for a typed word."""
        return bool(self.reasons)

    @property
    def never_ending(self) -> bool:
        """It runs until someone stops it: the run lets it, and stopping it is not a failure."""
        return bool(self.waits)

    def ending(self) -> CommandRisk:
        """The same risk for a command that is made to end (`timeout 10 …`, `… &`)."""
        return CommandRisk(self.reasons, (), self.unanalysable, self.words)


SAFE = CommandRisk()
"""Nothing risky."""


def combine(parts: Iterable[CommandRisk]) -> CommandRisk:
    """One risk for a command made of parts (a pipeline, a list, a nested shell): the union."""
    reasons: dict[str, None] = {}
    waits: dict[str, None] = {}
    words: dict[str, None] = {}
    unanalysable = False
    for part in parts:
        reasons.update(dict.fromkeys(part.reasons))
        waits.update(dict.fromkeys(part.waits))
        words.update(dict.fromkeys(part.words))
        unanalysable = unanalysable or part.unanalysable
    if not (reasons or waits or unanalysable):
        return SAFE
    return CommandRisk(tuple(reasons), tuple(waits), unanalysable, tuple(words))
