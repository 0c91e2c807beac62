"""A fake run context for executors: a recording view, an event list, an output that keeps all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interpreter.policy.masking import Masker
from interpreter.run.context import Event
from interpreter.run.questions import Question, UnansweredQuestion
from interpreter.run.session import ShellSession


@dataclass
class RecordingView:
    """A View that keeps what it was shown."""

    lines: list[str] = field(default_factory=list)

    def text(self, message: str) -> None:
        self.lines.append(message)

    def header(self, unit: dict[str, Any], run_id: str, runs_dir: str) -> None: ...
    def clock(self, elapsed: float, target_minutes: float | None, budget: dict[str, Any] | None) -> None: ...
    def node(self, node: dict[str, Any], commands: list[str], env_lines: list[str]) -> None: ...
    def commands(self, commands: list[str], marks: list[str] | None = None) -> None:
        self.lines.extend(commands)

    def options(self, options: list[tuple[str, str, list[str], bool]]) -> None: ...
    def progress(self, message: str | None) -> None: ...
    def running(self, command: str, never_ending: bool = False) -> None: ...
    def ran(self) -> None: ...
    def output(self, data: bytes) -> None: ...
    def result(
        self, node_id: str, status: str, exit_code: int | None, duration: float, note: str = ""
    ) -> None: ...
    def announce(self, text: str) -> None: ...


@dataclass
class FakeContext:
    """Just what an executor may touch, and a record of what it did."""

    session: ShellSession
    run_id: str = "fake-run"
    masker: Masker = field(default_factory=Masker)
    settings: dict[str, Any] = field(default_factory=dict)
    view: RecordingView = field(default_factory=RecordingView)
    events: list[Event] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    """Answers to the questions an executor asks (after a session: was it done?)."""

    def ask(self, question: Question, auto: str | None = None) -> str:
        if question.id in self.answers:
            return self.answers[question.id]
        if auto is not None:
            return auto
        raise UnansweredQuestion(question)

    def emit(self, kind: str, step: str | None, data: dict[str, Any], *, sync: bool = True) -> Event:
        event = {"type": kind, "step": step, "data": data}
        self.events.append(event)
        return event


@dataclass
class Collected:
    """An Output that masks and keeps everything."""

    masker: Masker
    recorded: bytearray = field(default_factory=bytearray)
    shown: bytearray = field(default_factory=bytearray)
    group: int | None = None
    """The process group the command ran in, as the executor announced it."""

    def record(self, chunk: bytes) -> bytes:
        masked = self.masker.feed(chunk)
        self.recorded.extend(masked)
        return masked

    def show(self, masked: bytes) -> None:
        self.shown.extend(masked)

    def write(self, chunk: bytes) -> None:
        self.show(self.record(chunk))

    def began(self, group: int | None) -> None:
        self.group = group
