"""Running one procedure of the step graph with the operator in the loop; events go to observers."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import RunbookError
from ..policy.masking import MASK, Masker
from .questions import Answers, Prompter, Question, UnansweredQuestion, normalise
from .session import ShellSession

__all__ = ["Clock", "RunOptions", "Runner", "Stop", "Terminated"]

Observer = Callable[[dict[str, Any]], None]


class Clock:
    """Wall-clock UTC time (a test hands in a fixed one)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class RunOptions:
    yes: bool = False
    """Confirm non-destructive steps, manual steps and prose expectations automatically."""
    allow_destructive: bool = False
    """With `yes`: confirm destructive steps too (recorded as such)."""
    interactive: bool = True
    from_step: str | None = None
    follow_timeout: float | None = None
    """Seconds a never-ending command without its own timeout runs when nobody can press Ctrl-C."""


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


_TITLED = ("step.started", "step.skipped", "step.finished", "step.in-doubt")


@dataclass(slots=True)
class Runner:
    """Walks one unit's nodes in order, asks what must be asked, runs what must run.

    Everything it does is announced as a journal event to `observers` (the journal first, so
    each event is on disk before the action it announces).
    """

    graph: dict[str, Any]
    unit: dict[str, Any]
    runbook_path: Path
    run_id: str
    session: ShellSession
    view: Any
    prompter: Prompter | None
    answers: Answers
    options: RunOptions
    observers: list[Observer]
    clock: Clock = field(default_factory=Clock)
    masker: Masker = field(default_factory=Masker)
    journal: Any = None
    notes: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    """Values given with --var or in an answers file."""
    seq: int = 0
    started: datetime | None = None
    actor: str = ""
    target_minutes: float | None = None
    done: dict[str, str] = field(default_factory=dict)
    """Steps already finished (by a previous attempt of a resumed run): id → status."""
    in_doubt: dict[str, dict[str, Any]] = field(default_factory=dict)
    placeholder_values: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    """Attempts a step had before this process (a resumed run numbers on from them)."""
    by_id: dict[str, dict[str, Any]] | None = None
    """The unit's nodes by id, built once (every step event looks its title up)."""
    snapshot: Callable[[dict[str, str], str], dict[str, Any] | None] | None = None
    """Takes the containers' state at the start and end of the run (`engine.snapshot`), if given."""

    # -- events ---------------------------------------------------------------------------

    def emit(self, kind: str, step: str | None, data: dict[str, Any]) -> dict[str, Any]:
        if step is not None and kind in _TITLED and "title" not in data:
            node = self.nodes().get(step)
            if node is not None:
                data = {**data, "title": node["title"]}  # the post-mortem names steps, not just ids
        now = self.clock.now()
        if self.started is None:
            self.started = now
        event: dict[str, Any] = {
            "v": 1,
            "seq": self.seq + 1,  # the journal renumbers it after the last event on disk
            "run": self.run_id,
            "type": kind,
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "elapsed": round(max(0.0, (now - self.started).total_seconds()), 3),
            "actor": self.actor,
            "step": step,
            "data": data,
        }
        for observer in self.observers:
            observer(event)
        self.seq = int(event["seq"])
        return event

    def environment(self, when: str) -> None:
        """Record the containers as they are now, when an engine is configured."""
        data = self.snapshot(self.session.env, when) if self.snapshot is not None else None
        if data is not None:
            self.emit("environment.snapshot", None, data)

    def elapsed(self) -> float:
        return 0.0 if self.started is None else (self.clock.now() - self.started).total_seconds()

    # -- asking ---------------------------------------------------------------------------

    def ask(self, question: Question, auto: str | None = None) -> str:
        """An answer given in advance, else `auto` (what --yes decides), else the operator's.

        An answer given in advance is used once: asked again (a retry, a second note), the
        question goes to the operator, or stops a run that has none.
        """
        given = self.answers.take(question.id)
        if given is not None:
            answer = normalise(question, given)
            if answer is None:
                from ..errors import UsageError

                raise UsageError(
                    f"--answer {question.id}={given!r} is not a valid answer to: {question.prompt}",
                    f"answer with {question.how()}",
                )
            return answer
        if auto is not None:
            return auto
        if self.prompter is None or not self.options.interactive:
            raise UnansweredQuestion(question)
        return self.prompter.ask(question)

    # -- the walk -------------------------------------------------------------------------

    def nodes(self) -> dict[str, dict[str, Any]]:
        if self.by_id is None:
            self.by_id = {node["id"]: node for node in self.unit["nodes"]}
        return self.by_id

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
            from ..errors import SelectionError

            raise SelectionError(
                f"no step {wanted!r} in {self.unit['title']}",
                [n["id"] for n in self.unit["nodes"]],
                "use an id from `runbook list`",
            )
        return wanted

    def walk(self) -> None:
        from .step import run_step

        nodes = self.nodes()
        current = self.start_node()
        while current is not None:
            node = nodes[current]
            kind = node["kind"]
            if kind == "gate":
                self.gate(node)
            elif kind == "choice":
                branch = self.choice(node)
                if branch is not None:
                    current = branch
                    continue
            else:
                run_step(self, node)
            current = self.next_of(current)

    # -- gates, choices, decisions ---------------------------------------------------------

    def gate(self, node: dict[str, Any]) -> None:
        if node["id"] in self.done:
            return
        self.view.node(node, [], [])
        for item in node["items"]:
            answer = self.ask(Question(item["id"], "yesno", f"Acknowledge: {item['text']}"))
            if answer == "yes":
                self.emit(
                    "gate.item", node["id"], {"item": item["id"], "text": item["text"], "answer": "yes"}
                )
                continue
            note = (
                self.ask(
                    Question(
                        f"{item['id']}:override",
                        "text",
                        "Not met. Type a note to override it, or leave empty to stop",
                        default="",
                    ),
                    auto=None,
                )
                if self.interactive_or_answered(f"{item['id']}:override")
                else ""
            )
            if note.strip():
                self.emit(
                    "gate.item",
                    node["id"],
                    {
                        "item": item["id"],
                        "text": item["text"],
                        "answer": "override",
                        "note": self.masker.text(note),
                    },
                )
                continue
            self.emit("gate.item", node["id"], {"item": item["id"], "text": item["text"], "answer": "no"})
            self.emit("gate.refused", node["id"], {"item": item["id"], "reason": f"not met: {item['text']}"})
            raise Stop("refused", 1, f"prerequisite not met: {item['text']}")
        self.emit("gate.passed", node["id"], {"items": len(node["items"])})
        self.done[node["id"]] = "ok"

    def decided_by(self, question_id: str, automatic: bool, flag: str) -> str:
        """Who settled a question, for the journal: the flag that decided it, or the operator."""
        return flag if automatic and question_id not in self.answers.given else "operator"

    def interactive_or_answered(self, question_id: str) -> bool:
        return self.answers.has(question_id) or (self.prompter is not None and self.options.interactive)

    def choice(self, node: dict[str, Any]) -> str | None:
        branches = node["choice"]["branches"]
        if node.get("prose") or node.get("blocks"):
            self.view.node(node, [], [])
        else:
            self.view.text(f"\n▶ {node['id']} {node['title']}")
        labels = []
        by_entry = {}
        for branch in branches:
            preview = self.preview(branch["entry"])
            labels.append((branch["key"], branch["title"] + (f"  — {preview}" if preview else "")))
            by_entry[branch["key"]] = branch
        key = self.ask(Question(node["id"], "choice", f"Choose for {node['id']}", tuple(labels)))
        branch = by_entry[key]
        if node["id"] not in self.done:  # a resumed run replays the choice without recording it again
            self.emit(
                "choice.made", node["id"], {"choice": node["id"], "branch": key, "title": branch["title"]}
            )
        self.done[node["id"]] = "ok"
        return branch["entry"] or self.next_of(node["id"])

    def preview(self, node_id: str | None) -> str:
        if node_id is None:
            return "nothing to run"
        node = self.nodes()[node_id]
        commands = [c["text"].split("\n")[0] for b in node.get("blocks", []) for c in b["commands"]]
        if not commands:
            return "manual" if node["kind"] != "choice" else ""
        more = f" (+{len(commands) - 1} more)" if len(commands) > 1 else ""
        return f"{commands[0]}{more}"

    def severity(self) -> None:
        tables = [d for d in self.graph["decisions"] if d["kind"] == "severity"]
        if not tables:
            return
        table = tables[0]
        choices = [
            (row["cells"][0].split(" ")[0] or str(i), " | ".join(row["cells"]))
            for i, row in enumerate(table["rows"], start=1)
        ]
        choices.append(("skip", "skip: no severity for this run"))
        question = Question("severity", "choice", f"Severity ({table['title']})", tuple(choices))
        if not self.answers.has("severity") and not (self.prompter and self.options.interactive):
            return  # optional: without a terminal or an answer, no severity is recorded
        key = self.ask(question)
        if key == "skip":
            return
        row = table["rows"][[k for k, _ in choices].index(key)]
        self.target_minutes = row["response_minutes"]
        self.emit(
            "decision.made",
            None,
            {
                "table": table["id"],
                "severity": key,
                "row": row["cells"],
                "line": row["line"],
                "response_minutes": row["response_minutes"],
            },
        )

    def confirm_start(self) -> None:
        confirm = self.unit.get("confirm")
        if not confirm:
            return
        word = confirm["word"]
        auto = word if self.options.yes and self.options.allow_destructive else None
        question = Question(
            f"{self.unit['id']}:start",
            "typed",
            f"{self.unit['title']} is {self.unit['risk']['text']}. Start it",
            word=word,
        )
        self.ask(question, auto)
        by = self.decided_by(question.id, auto is not None, "allow-destructive")
        self.emit(
            "step.confirmed", None, {"kind": "typed", "word": word, "by": by, "what": "procedure start"}
        )

    # -- the run as a whole ---------------------------------------------------------------

    def begin(self, provenance: dict[str, Any], inputs: dict[str, str], resumed: bool) -> None:
        if resumed:
            self.emit("run.resumed", None, {"done": sorted(self.done), "in_doubt": sorted(self.in_doubt)})
            return
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
                    "yes": self.options.yes,
                    "allow_destructive": self.options.allow_destructive,
                    "interactive": self.options.interactive,
                    "from_step": self.options.from_step,
                    "follow_timeout": self.options.follow_timeout,
                },
                "answers": {k: self.masker.text(v) for k, v in self.answers.given.items()},
            },
        )

    def run(self, provenance: dict[str, Any], inputs: dict[str, str], resumed: bool = False) -> int:
        """Run the unit; returns the exit code. Unanswered questions end the run with code 2."""
        self.actor = self.actor or f"{getpass.getuser()}@{socket.gethostname()}"
        status, code, reason = "ok", 0, ""
        try:
            self.begin(provenance, inputs, resumed)
            self.environment("start")
            # A resumed HIGH-risk procedure is confirmed again, by whoever resumes it.
            self.confirm_start()
            if self.target_minutes is None:
                self.severity()
            self.walk()
        except Stop as stop:
            status, code, reason = stop.status, stop.code, stop.reason
        except UnansweredQuestion as error:
            status, code, reason = "unanswered", 2, error.message
            self.environment("end")
            self.emit(
                "run.finished",
                None,
                {"status": status, "exit_code": code, "reason": reason, "question": error.question.id},
            )
            raise
        except RunbookError as error:
            self.environment("end")
            self.emit(
                "run.finished",
                None,
                {"status": "errored", "exit_code": error.exit_code, "reason": error.message},
            )
            raise
        except Terminated as signal_:
            status, code, reason = "interrupted", 128 + signal_.signum, f"stopped by signal {signal_.signum}"
        except KeyboardInterrupt:
            status, code, reason = "interrupted", 130, "interrupted at a prompt"
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
