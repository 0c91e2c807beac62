"""A command that opens a session the operator works in: the terminal handed over, then their word.

`ssh db-1`, `oc debug node/x`, `kubectl exec -it pod -- bash`, `psql` with no query: the runbook
writes commands to type inside them, which the run shows and never runs (`plan/typed.py`). The
session itself runs with the terminal handed over (`ShellSession.handover`: not captured, no
timeout), and the run waits until the operator leaves it. Then it asks whether what was needed
inside was done: the exit code of a session is that of the last command typed in it, which says
nothing about the work. A "no" fails the step, so retry opens the session again.

Nobody can work in a session for a run without a terminal, nor under `--yes`: such a run stops
before the step, naming it and how to go on. The journal records that a session was opened, what
was shown to type, and when it closed; nothing typed inside is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import RunbookError
from ..model.kinds import runs
from ..plan.typed import typed_groups
from .context import ExecutorContext, Planned, StepContext
from .questions import Question, UnansweredQuestion, normalise
from .session import CommandResult

__all__ = ["NeedsOperator", "check_operator", "open_session"]


class NeedsOperator(UnansweredQuestion):
    """A step opens a session and nobody is at the terminal to work in it (or `--yes` was given)."""

    def __init__(self, question: Question, message: str, hint: str) -> None:
        RunbookError.__init__(self, message, hint)
        self.question = question


def _opened(node: Mapping[str, Any]) -> list[str]:
    return [
        command["session"]
        for block in node.get("blocks", [])
        if runs(block["kind"])
        for command in block["commands"]
        if command.get("session")
    ]


def check_operator(ctx: StepContext, node: Mapping[str, Any]) -> None:
    """Stop the run before a step that opens a session when nobody can work in it: no terminal,
    or `--yes` (which confirms steps, never works inside them). A step answered `skip` in advance
    goes on to be skipped.

    Raises:
        NeedsOperator: the step opens a session, and the operator cannot be handed the terminal.
    """
    opened = _opened(node)
    if not opened or (ctx.can_prompt() and not ctx.options.yes):
        return
    step_id = node["id"]
    run_question = Question(f"{step_id}:run", "choice", f"Run {step_id}", (("s", "skip"),))
    given = ctx.inputs.answers.get(run_question.id)
    if given is not None and normalise(run_question, given) == "s":
        return
    why = "--yes does not work inside a session for you" if ctx.can_prompt() else "there is no terminal"
    skip = "" if node["flags"]["confirm"] == "typed" else f", or skip it with --answer {step_id}:run=s"
    raise NeedsOperator(
        Question(f"{step_id}:inside", "yesno", f"{step_id} opens {opened[0]}"),
        f"{step_id} ({node['title']}) opens a session ({opened[0]}) where you type commands "
        f"yourself, and {why}: the run stops before it",
        f"go on in a terminal without --yes: `runbook resume {ctx.run_id}`{skip}",
    )


def _typed_inside(node: Mapping[str, Any], session: str, later: tuple[str, ...]) -> list[str]:
    """What the operator is shown to type inside `session`: the step's own, then later steps'."""
    own = [
        command["text"]
        for where, group in typed_groups(dict(node))
        if where == session or where.endswith(f"(in {session})")
        for command in group
    ]
    return [*own, *later]


def open_session(ctx: ExecutorContext, node: Mapping[str, Any], command: Planned) -> CommandResult:
    """Hand the terminal to `command`, wait for the operator to leave, and ask whether it was done.

    Returns `ok` when they say so; `failed` when they say not (retry opens it again); `errored`
    when the session could not start.

    Raises:
        UnansweredQuestion: the question after the session has no answer and nobody to ask.
    """
    session = str(command.detail["session"])
    shown = ctx.masker.text(command.text)
    typed = _typed_inside(node, session, tuple(command.detail.get("inside", ())))
    ctx.emit("session.opened", node["id"], {"command": shown, "session": session, "typed": typed})
    ctx.view.text(f"  ⇥ the terminal is yours in {shown.split(chr(10))[0]}; leave it (exit) to come back")
    result = ctx.session.handover(command.text, capture=tuple(node.get("sets", [])))
    done: bool | None = None
    if result.status == "ok":
        question = Question(
            f"{node['id']}:inside",
            "yesno",
            f"Back from {session}. Did you do what was needed inside",
        )
        done = ctx.ask(question) == "yes"
    ctx.emit(
        "session.closed",
        node["id"],
        {
            "session": session,
            "exit_code": result.exit_code,
            "duration": round(result.duration, 3),
            "done": done,
        },
    )
    details = {"session": {"opened": session, "done": done}}
    if done is False:
        why = f"not done inside {session}, the operator says"
        return CommandResult("failed", result.exit_code, result.duration, why, details)
    return CommandResult(result.status, result.exit_code, result.duration, result.error, details)
