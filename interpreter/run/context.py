"""What a step and an executor may touch: run options, stop signals, the clock, and the ports, typed.

The run layer's lowest module: it imports only the session, the questions, the run state and the
masker, so a step, an executor or a test can depend on it without the runner. `Runner`
(runner.py) is the real `StepContext`; a test hands an executor any object with the
`ExecutorContext` members.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from ..journal.contract import RunJournal
from ..policy.masking import Masker
from .questions import Answers, Prompter, Question
from .session import CommandResult, ShellSession
from .state import RunState

__all__ = [
    "Clock",
    "Event",
    "EventSink",
    "Executor",
    "ExecutorContext",
    "Inputs",
    "Output",
    "OutputFile",
    "Planned",
    "Ports",
    "RunJournal",
    "RunOptions",
    "Snapshot",
    "StepContext",
    "Stop",
    "SystemClock",
    "Terminated",
    "View",
]

Event = dict[str, Any]
"""One journal event as JSON (`schemas/events.json`)."""


# -- signals and options -----------------------------------------------------------------------


class Terminated(BaseException):
    """SIGTERM or SIGHUP reached the interpreter: stop the running command and end the run."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


class Stop(Exception):
    """The run ends here with a status and exit code (not an error: an outcome)."""

    def __init__(self, status: str, code: int, reason: str = "") -> None:
        super().__init__(reason or status)
        self.status = status
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How the operator asked the run to behave (`runbook run` flags)."""

    yes: bool = False
    """Confirm non-destructive steps, manual steps and prose expectations automatically."""
    allow_destructive: bool = False
    """With `yes`: confirm destructive steps too (recorded as such)."""
    interactive: bool = True
    """False: nobody is at a terminal; an unanswered question stops the run."""
    from_step: str | None = None
    """Start at this node id instead of the unit's entry."""
    follow_timeout: float | None = None
    """Seconds a never-ending command without its own timeout runs when nobody can press Ctrl-C."""


# -- ports: what the run talks to ---------------------------------------------------------------


class Clock(Protocol):
    """Tells the time (a test hands in a fixed one)."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock UTC time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class View(Protocol):
    """What the operator sees (the terminal view, or a test's recorder). It receives facts; the
    run composes no screen layout."""

    def text(self, message: str) -> None: ...
    def header(self, unit: dict[str, Any], run_id: str, runs_dir: str) -> None: ...
    def clock(self, elapsed: float, target_minutes: float | None, budget: dict[str, Any] | None) -> None: ...
    def node(self, node: dict[str, Any], commands: list[str], env_lines: list[str]) -> None: ...
    def commands(self, commands: list[str], marks: list[str] | None = None) -> None:
        """Commands exactly as they run, every line; `marks` says, per command, what became of it
        (`ok`, `failed`, `running`, `destructive`, or empty)."""
        ...

    def options(self, options: list[tuple[str, str, list[str], bool]]) -> None:
        """A choice's options: (key, title, commands, destructive) each, every command shown."""
        ...

    def progress(self, message: str | None) -> None:
        """A transient status line (a countdown, a wait), redrawn in place on a terminal; None
        clears it."""
        ...

    def running(self, command: str, never_ending: bool = False) -> None: ...
    def ran(self) -> None:
        """The command `running` announced has ended (its live clock stops)."""
        ...

    def output(self, data: bytes) -> None: ...
    def result(
        self, node_id: str, status: str, exit_code: int | None, duration: float, note: str = ""
    ) -> None: ...
    def announce(self, text: str) -> None: ...


class EventSink(Protocol):
    """Receives every event, in order; the journal is the first, so an event is on disk before
    the action it announces."""

    def append(self, event: Event, sync: bool = True) -> object:
        """Take the event; a journal numbers and chains it in place (after the last event on
        disk). With `sync` False (an event that announces no action) it may reach the disk with the
        next synced one."""
        ...

    def sync(self) -> None:
        """Make every event taken so far durable."""
        ...


class OutputFile(Protocol):
    """One command's output being journaled."""

    def write(self, data: bytes) -> None: ...
    def rewrite(self, feed: Callable[[bytes], bytes], flush: Callable[[], bytes]) -> None:
        """Pass what was written through a stream filter (a secret learnt late is masked)."""
        ...

    def finish(self) -> dict[str, Any]: ...


class Snapshot(Protocol):
    """Records the containers' state (`docker_engine.snapshot`): None when no engine is configured."""

    def __call__(self, env: dict[str, str], when: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class Ports:
    """The side effects of a run, handed in (the process spawner lives in the session)."""

    view: View
    prompter: Prompter | None
    """None: nobody can be asked; an unanswered question stops the run."""
    sinks: tuple[EventSink, ...]
    """Where events go, in order (the journal first)."""
    journal: RunJournal | None = None
    """Where command output files go."""
    clock: Clock = field(default_factory=SystemClock)
    snapshot: Snapshot | None = None


@dataclass(slots=True)
class Inputs:
    """What the operator gave before the run: flags, answers, variables and notes."""

    options: RunOptions
    answers: Answers
    variables: dict[str, str] = field(default_factory=dict)
    """Values given with --var or in an answers file."""
    notes: dict[str, str] = field(default_factory=dict)
    """Notes to record at a step (taken once, when the step is reached)."""


# -- executors ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planned:
    """A command ready to run, placeholders filled: what its executor needs, and what is checked after."""

    kind: str
    """The block kind whose executor runs it (`shell`, `sql`, `http`)."""
    text: str
    """What runs, as shown and journaled (masked when written)."""
    never_ending: bool = False
    expectations: tuple[dict[str, Any], ...] = ()
    """Expectations checked against the output afterwards (an executor checks its own inside)."""
    target: str | None = None
    """Where a shell command runs: None or `local`, or `container:NAME`."""
    detail: Mapping[str, Any] = field(default_factory=dict)
    """The executor's own facts (a sql block's statements, an http request)."""
    edited_from: str | None = None
    """The commands as they were before the operator edited them."""
    destructive: tuple[str, ...] = ()
    """Why it is destructive (the risk policy's reasons); empty when it is not. A destructive
    step asks for its typed word before every attempt that runs such a command."""


class Output(Protocol):
    """Where a command's output goes: masked, into the journal, then to the screen."""

    def record(self, chunk: bytes) -> bytes:
        """Mask a chunk and journal it; returns what may be shown (may run in a reader thread)."""
        ...

    def show(self, masked: bytes) -> None:
        """Show a recorded chunk and keep it for the expectations."""
        ...

    def write(self, chunk: bytes) -> None:
        """Record, then show."""
        ...

    def began(self, group: int | None) -> None:
        """The command is about to start: the journal records it (with its process group, for a
        local process) before it runs. An executor whose `starts_process` is true calls it between
        starting the process and letting the command go; for the others the step calls it."""
        ...


class ExecutorContext(Protocol):
    """What an executor may touch."""

    @property
    def run_id(self) -> str: ...
    @property
    def session(self) -> ShellSession:
        """The run's environment and working directory (an executor that sets a variable sets it here)."""
        ...

    @property
    def masker(self) -> Masker: ...
    @property
    def settings(self) -> Mapping[str, Any]:
        """The runbook's front matter: the default database, target and so on."""
        ...

    @property
    def view(self) -> View: ...
    def emit(self, kind: str, step: str | None, data: dict[str, Any], *, sync: bool = True) -> Event:
        """Announce an event to the sinks; `sync=False` for one that announces no action (see
        EventSink.append)."""
        ...

    def ask(self, question: Question, auto: str | None = None) -> str:
        """The operator's answer about the command being run (after a session: was it done?)."""
        ...


class Executor(Protocol):
    """Runs the commands of one or more block kinds (registered in `run/executors`)."""

    @property
    def kinds(self) -> frozenset[str]:
        """The block kinds it runs."""
        ...

    @property
    def edit_refusal(self) -> str | None:
        """Why its commands cannot be edited before running (None: they can, as shell)."""
        ...

    def starts_process(self, command: Planned) -> bool:
        """True when it runs `command` as a local process group of its own and calls `out.began`
        with it before the command runs."""
        ...

    def secret_variables(self, block: Mapping[str, Any]) -> frozenset[str]:
        """Variables whose values the block puts where secrets go (an Authorization header):
        asked hidden and masked from the start, whatever their names."""
        ...

    def plan(
        self, block: Mapping[str, Any], settings: Mapping[str, Any], values: Mapping[str, str]
    ) -> list[Planned]:
        """A block's commands with the placeholder `values` filled in."""
        ...

    def run(
        self,
        ctx: ExecutorContext,
        node: Mapping[str, Any],
        command: Planned,
        out: Output,
        limit: float | None,
    ) -> CommandResult:
        """Run one planned command; its output goes to `out`. Never raises for the command's own
        failure: that is the result's status."""
        ...


class StepContext(ExecutorContext, Protocol):
    """What a step may touch: the executor's view of the run, and the run's questions and state."""

    @property
    def graph(self) -> dict[str, Any]: ...
    @property
    def unit(self) -> dict[str, Any]: ...
    @property
    def runbook_path(self) -> Path: ...
    @property
    def state(self) -> RunState: ...
    @property
    def inputs(self) -> Inputs: ...
    @property
    def options(self) -> RunOptions: ...
    @property
    def journal(self) -> RunJournal | None: ...
    @property
    def secret_names(self) -> frozenset[str]:
        """Variables whose values are secret whatever their names (declared, or sent as credentials)."""
        ...

    def decided_by(self, question_id: str, automatic: bool, flag: str) -> str: ...
    def interactive_or_answered(self, question_id: str) -> bool: ...
    def can_prompt(self) -> bool: ...
    def elapsed(self) -> float: ...
    def nodes(self) -> dict[str, dict[str, Any]]: ...
    def next_of(self, node_id: str) -> str | None: ...
