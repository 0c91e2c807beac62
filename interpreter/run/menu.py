"""The one menu of a step (run, skip, edit, note, shell, back, abort) and where a retry starts.

The same letters and numbers before a step runs, after it failed and when it is in doubt after a
kill; a destructive step offers them too, and its typed word is what `run` asks for. Note and
shell are done here and the menu is asked again; the other answers go back to the step.
"""

from __future__ import annotations

from typing import Any

from ..policy.terminal import headline
from .context import Planned, StepContext, Stop
from .questions import IN_DOUBT_CHOICES, Question, menu
from .subshell import open_shell

__all__ = ["ask_menu", "where_from"]

_PROMPTS = {
    "run": "Run {id}",
    "failed": "{id} failed. What now",
    "in-doubt": "What happened to {id}",
}


def ask_menu(ctx: StepContext, node: dict[str, Any], situation: str, labels: dict[str, str]) -> str:
    """The operator's choice at a step: `r`, `s`, `e`, `b` or (in doubt) `d`.

    `situation` is `run`, `failed` or `in-doubt` (the question's id is `ID:situation`).

    Raises:
        Stop: the operator aborts the run.
    """
    step_id = node["id"]
    question_id = f"{step_id}:{situation}"
    choices = IN_DOUBT_CHOICES if situation == "in-doubt" else menu()
    choices = tuple((key, labels.get(key, label)) for key, label in choices)
    question = Question(question_id, "choice", _PROMPTS[situation].format(id=step_id), choices)
    while True:
        action = ctx.ask(question, _automatic(ctx, node, situation))
        if action == "n":
            text = ctx.ask(Question(f"{step_id}:note", "text", "Note"))
            if text.strip():
                ctx.emit("note.added", step_id, {"text": ctx.masker.text(text)})
            continue
        if action == "h":
            open_shell(ctx, step_id)
            continue
        if action == "a":
            raise Stop("aborted", 1, f"aborted by the operator at {step_id}")
        return action


def _automatic(ctx: StepContext, node: dict[str, Any], situation: str) -> str | None:
    """What the menu answers by itself: `run` under --yes before a step (a destructive step then
    asks for its word, which --yes alone never gives), or when its word was given in advance."""
    if situation != "run":
        return None
    if ctx.options.yes:
        return "r"
    # On a destructive step the typed word is the answer to run: given in advance, it runs; with
    # nobody to ask, the run stops at the word (`ID:confirm`), the question that matters.
    typed = node["flags"]["confirm"] == "typed" and not ctx.inputs.answers.has(f"{node['id']}:run")
    if typed and (ctx.inputs.answers.has(f"{node['id']}:confirm") or not ctx.can_prompt()):
        return "r"
    return None


def where_from(
    ctx: StepContext, node: dict[str, Any], commands: list[Planned], failed_at: int, why: str
) -> int:
    """Where a retry starts (0-based): at the command that failed (`why`: failed, unfinished),
    the default, or at the start; the commands before it are listed as having succeeded."""
    if failed_at <= 0:
        return 0
    texts = [ctx.masker.text(c.text) for c in commands]
    marks = ["ok"] * failed_at + [why] + [""] * (len(commands) - failed_at - 1)
    ctx.view.text(
        f"  commands 1-{failed_at} succeeded already" if failed_at > 1 else "  command 1 succeeded already"
    )
    ctx.view.commands(texts, marks)
    first_line = headline(texts[failed_at])
    before = "command 1" if failed_at == 1 else f"commands 1-{failed_at}"
    question = Question(
        f"{node['id']}:retry-from",
        "choice",
        f"Run {node['id']} again from",
        (
            ("failed", f"the {why} command, {failed_at + 1}: {first_line}"),
            ("start", f"the start (runs {before} again)"),
        ),
        default="failed",
    )
    # Without a terminal, a retry answered in advance goes on from the failed command: a retry
    # never repeats what succeeded unless someone asks for it.
    auto = None if ctx.interactive_or_answered(question.id) else "failed"
    return failed_at if ctx.ask(question, auto) == "failed" else 0
