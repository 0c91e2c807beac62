"""Running one procedure of the step graph with the operator in the loop; events go to the sinks.

`Runner` is the run's `StepContext`: it holds what is run (the graph and unit), the inputs, the
ports and the run state, and walks the unit's nodes, handing each to `gates` or `step`.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RunbookError, SelectionError, UsageError
from ..journal.events import envelope
from ..policy.masking import MASK, Masker
from .alongside import show_notes
from .context import Inputs, Ports, RunJournal, RunOptions, Stop, Terminated, View
from .gates import choice, confirm_start, gate, severity
from .questions import Question, UnansweredQuestion, normalise
from .session import ShellSession
from .state import RunState
from .step import run_step

__all__ = ["RunOptions", "Runner", "Stop", "Terminated", "operator"]

_TITLED = ("step.started", "step.skipped", "step.finished", "step.in-doubt")


@dataclass(slots=True)
class Runner:
    """Walks one unit's nodes in order, asks what must be asked, runs what must run.

    Everything it does is announced as a journal event to the sinks (the journal first, so
    each event is on disk before the action it announces).
    """

    graph: dict[str, Any]
    unit: dict[str, Any]
    runbook_path: Path
    run_id: str
    session: ShellSession
    ports: Ports
    inputs: Inputs
    masker: Masker = field(default_factory=Masker)
    state: RunState = field(default_factory=RunState)
    actor: str = ""
    """`user@host` of the operator, written on every event."""
    secret_names: frozenset[str] = frozenset()
    """Variables declared secret or sent where secrets go (found once, before the run)."""
    alongside: list[str] = field(default_factory=list)
    """Live runs of the same procedure when this one started (the operator was warned)."""
    _by_id: dict[str, dict[str, Any]] | None = None
    """The unit's nodes by id, built once (every step event looks its title up)."""

    # -- what steps and executors see ----------------------------------------------------------

    @property
    def view(self) -> View:
        return self.ports.view

    @property
    def journal(self) -> RunJournal | None:
        return self.ports.journal

    @property
    def options(self) -> RunOptions:
        return self.inputs.options

    @property
    def settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.graph["runbook"]["front_matter"]
        return settings

    # -- events ---------------------------------------------------------------------------------

    def emit(self, kind: str, step: str | None, data: dict[str, Any], *, sync: bool = True) -> dict[str, Any]:
        if step is not None and kind in _TITLED and "title" not in data:
            node = self.nodes().get(step)
            if node is not None:
                data = {**data, "title": node["title"]}  # the post-mortem names steps, not just ids
        now = self.ports.clock.now()
        if self.state.started is None:
            self.state.started = now
        # Every field of every event is masked here, the one door to the sinks: a secret in a
        # SQL error, a snapshot or an answer is caught whichever code put it there.
        event = envelope(
            self.run_id,
            kind,
            step,
            self.masker.event(data),
            at=now,
            started=self.state.started,
            actor=self.actor,
            seq=self.state.seq + 1,
        )
        for sink in self.ports.sinks:
            sink.append(event, sync)
        self.state.seq = int(event["seq"])
        return event

    def environment(self, when: str) -> None:
        """Record the containers as they are now, when an engine is configured."""
        snapshot = self.ports.snapshot
        data = snapshot(self.session.env, when) if snapshot is not None else None
        if data is not None:
            self.emit("environment.snapshot", None, data)

    def elapsed(self) -> float:
        started = self.state.started
        return 0.0 if started is None else (self.ports.clock.now() - started).total_seconds()

    # -- asking ---------------------------------------------------------------------------------

    def ask(self, question: Question, auto: str | None = None) -> str:
        """An answer given in advance, else `auto` (what --yes decides), else the operator's.

        An answer given in advance is used once: asked again (a retry, a second note), the
        question goes to the operator, or stops a run that has none.

        Raises:
            UsageError: the answer given in advance is not one of the question's answers.
            UnansweredQuestion: no answer, and nobody to ask.
        """
        given = self.inputs.answers.take(question.id)
        if given is not None:
            answer = normalise(question, given)
            if answer is None:
                raise UsageError(
                    f"--answer {question.id}={given!r} is not a valid answer to: {question.prompt}",
                    f"answer with {question.how()}",
                )
            return answer
        if auto is not None:
            return auto
        if self.ports.prompter is None or not self.options.interactive:
            raise UnansweredQuestion(question)
        for sink in self.ports.sinks:
            sink.sync()  # nothing unsynced waits on a person, who may take an hour
        show_notes(self)  # what teammates wrote meanwhile, before the operator decides
        return self.ports.prompter.ask(question)

    def decided_by(self, question_id: str, automatic: bool, flag: str) -> str:
        """Who settled a question, for the journal: the flag that decided it, or the operator."""
        return flag if automatic and question_id not in self.inputs.answers.given else "operator"

    def can_prompt(self) -> bool:
        """True when an operator at a terminal can be asked."""
        return self.ports.prompter is not None and self.options.interactive

    def interactive_or_answered(self, question_id: str) -> bool:
        return self.inputs.answers.has(question_id) or self.can_prompt()

    # -- the walk -------------------------------------------------------------------------------

    def nodes(self) -> dict[str, dict[str, Any]]:
        if self._by_id is None:
            self._by_id = {node["id"]: node for node in self.unit["nodes"]}
        return self._by_id

    def next_of(self, node_id: str) -> str | None:
        for edge in self.unit["edges"]:
            if edge["from"] == node_id and edge["kind"] == "next":
                return str(edge["to"])
        return None

    def start_node(self) -> str | None:
        wanted = self.options.from_step
        if wanted is None:
            entry: str | None = self.unit["entry"]
            return entry
        if wanted not in self.nodes():
            raise SelectionError(
                f"no step {wanted!r} in {self.unit['title']}",
                [n["id"] for n in self.unit["nodes"]],
                "use an id from `runbook list`",
            )
        return wanted

    def walk(self) -> None:
        """Each node in turn; `back` returns to the decision before (a choice, a step), which is
        asked again, so a choice can be changed, on resume too."""
        nodes = self.nodes()
        current = self.start_node()
        if current is not None and current != self.unit["entry"]:
            self._before_start(current)
        trail: list[str] = []  # the choices and steps passed, for `back`
        revisit = False
        while current is not None:
            node = nodes[current]
            kind = node["kind"]
            show_notes(self)
            if kind == "gate":
                gate(self, node)
                current, revisit = self.next_of(current), False
                continue
            if kind == "choice":
                outcome, following = choice(self, node, revisit)
            else:
                outcome, following = run_step(self, node, revisit), self.next_of(current)
            if outcome == "back":
                if trail:
                    previous = trail.pop()
                    self.emit("step.back", current, {"to": previous})
                    current = previous
                else:
                    self.view.text(f"  there is no decision before {current} to go back to")
                revisit = True
                continue
            trail.append(current)
            current, revisit = following, False

    def _before_start(self, start: str) -> None:
        """--from-step: the prerequisites before the start are still asked (they are about the
        situation, not about steps), and the steps before it are recorded as not run by this run,
        so the post-mortem lists them."""
        for node in self.unit["nodes"]:
            if node["id"] == start:
                return
            if node["kind"] == "gate":
                gate(self, node)
            elif (
                node["kind"] != "choice" and node.get("parent") is None and node["id"] not in self.state.done
            ):
                self.emit(
                    "step.skipped",
                    node["id"],
                    {"reason": f"not run: the run started at {start} (--from-step)"},
                )
                self.state.done[node["id"]] = "step.skipped"

    # -- the run as a whole ---------------------------------------------------------------------

    def begin(self, provenance: dict[str, Any], inputs: dict[str, str], resumed: bool) -> None:
        if resumed:
            self.emit(
                "run.resumed",
                None,
                {"done": sorted(self.state.done), "in_doubt": sorted(self.state.in_doubt)},
            )
            return
        options = self.options
        self.emit(
            "run.started",
            None,
            {
                "runbook": {
                    "path": str(self.runbook_path),
                    **provenance,
                    "title": self.graph["runbook"]["title"],
                    "version": self.graph["runbook"]["metadata"].get("version"),
                },
                "procedure": {
                    "id": self.unit["id"],
                    "title": self.unit["title"],
                    "kind": self.unit["kind"],
                    "duration": self.unit.get("duration"),
                    "risk": self.unit.get("risk"),
                },
                "cwd": self.masker.text(self.session.cwd),
                "operator": self.actor,
                "host": socket.gethostname(),
                "inputs": {k: (MASK if self.masker.text(v) != v else v) for k, v in inputs.items()},
                "secrets": sorted(v["name"] for v in self.graph["runbook"]["variables"] if v["secret"]),
                "mode": {
                    "yes": options.yes,
                    "allow_destructive": options.allow_destructive,
                    "interactive": options.interactive,
                    "from_step": options.from_step,
                    "follow_timeout": options.follow_timeout,
                },
                "answers": {k: self.masker.text(v) for k, v in self.inputs.answers.given.items()},
                **({"alongside": self.alongside} if self.alongside else {}),
            },
        )

    def run(self, provenance: dict[str, Any], inputs: dict[str, str], resumed: bool = False) -> int:
        """Run the unit; returns the exit code. Unanswered questions end the run with code 2."""
        self.actor = self.actor or f"{getpass.getuser()}@{socket.gethostname()}"
        status, code, reason = "ok", 0, ""
        try:
            self.begin(provenance, inputs, resumed)
            self.state.heard = self.state.seq  # notes from now on are news
            self.environment("start")
            # A resumed HIGH-risk procedure is confirmed again, by whoever resumes it.
            confirm_start(self)
            if self.state.target_minutes is None:
                severity(self)
            self.walk()
        except Stop as stop:
            status, code, reason = stop.status, stop.code, stop.reason
        except UnansweredQuestion as error:
            error.message = self.masker.text(error.message)
            status, code, reason = "unanswered", 2, error.message
            self.environment("end")
            self.emit(
                "run.finished",
                None,
                {"status": status, "exit_code": code, "reason": reason, "question": error.question.id},
            )
            raise
        except RunbookError as error:
            error.message = self.masker.text(error.message)  # an error message may repeat a value
            self.environment("end")
            self.emit(
                "run.finished",
                None,
                {"status": "errored", "exit_code": error.exit_code, "reason": error.message},
            )
            raise
        except Terminated as signal_:
            status, code, reason = "interrupted", 128 + signal_.signum, f"stopped by signal {signal_.signum}"
        except KeyboardInterrupt as left:
            # Ctrl-D at a prompt, or Ctrl-C confirmed there (LeftPrompt says which and where).
            status, code, reason = "interrupted", 130, str(left) or "interrupted at a prompt"
        self.environment("end")
        self.emit("run.finished", None, {"status": status, "exit_code": code, "reason": reason})
        return code


def operator() -> str:
    """`user@host` of whoever runs the program."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = os.environ.get("USER", "unknown")
    return f"{user}@{socket.gethostname()}"
