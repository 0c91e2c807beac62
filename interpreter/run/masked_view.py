"""The screen's one masking point: every text the run shows passes the run's masker first.

Events are masked where they enter the sinks (`Runner.emit`); what the operator sees is masked
here, whichever step, gate or executor composed it: an error message that repeats a secret, a
variable's value, a step title that names one. Command output is masked where it is recorded
(`attempt._Output.record`, read by read, a split secret included) and passes through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..policy.masking import Masker
from .context import View

__all__ = ["MaskedView"]


@dataclass(frozen=True, slots=True)
class MaskedView:
    """A View that masks what it is given before the real view shows it."""

    view: View
    masker: Masker

    def text(self, message: str) -> None:
        self.view.text(self.masker.text(message))

    def header(self, unit: dict[str, Any], run_id: str, runs_dir: str) -> None:
        self.view.header(self.masker.event(unit), run_id, self.masker.text(runs_dir))

    def clock(self, elapsed: float, target_minutes: float | None, budget: dict[str, Any] | None) -> None:
        self.view.clock(elapsed, target_minutes, budget)

    def node(self, node: dict[str, Any], commands: list[str], env_lines: list[str]) -> None:
        self.view.node(
            self.masker.event(node),
            [self.masker.text(c) for c in commands],
            [self.masker.text(line) for line in env_lines],
        )

    def commands(self, commands: list[str], marks: list[str] | None = None) -> None:
        self.view.commands([self.masker.text(c) for c in commands], marks)

    def options(self, options: list[tuple[str, str, list[str], bool]]) -> None:
        self.view.options(
            [
                (key, self.masker.text(title), [self.masker.text(c) for c in commands], destructive)
                for key, title, commands, destructive in options
            ]
        )

    def progress(self, message: str | None) -> None:
        self.view.progress(None if message is None else self.masker.text(message))

    def running(self, command: str, never_ending: bool = False) -> None:
        self.view.running(self.masker.text(command), never_ending)

    def ran(self) -> None:
        self.view.ran()

    def output(self, data: bytes) -> None:
        self.view.output(data)  # masked when it was recorded, before the screen got it

    def result(
        self, node_id: str, status: str, exit_code: int | None, duration: float, note: str = ""
    ) -> None:
        self.view.result(node_id, status, exit_code, duration, self.masker.text(note))

    def announce(self, text: str) -> None:
        self.view.announce(self.masker.text(text))
