"""Asking before a step runs: the typed word, or run/skip/edit/note/shell/abort; the editor; a skip."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from typing import Any

from ..infer.shell import is_never_ending, split_commands
from ..policy.confirmation import confirm_word
from ..policy.risk import assess_shell
from .context import Planned, StepContext, Stop
from .executors import executor_for
from .questions import RUN_CHOICES, Question

__all__ = ["confirm", "confirm_edited", "edit", "skip"]


def skip(ctx: StepContext, node: dict[str, Any], reason: str) -> None:
    """Record a step as skipped, and why."""
    ctx.emit("step.skipped", node["id"], {"reason": reason})
    ctx.view.result(node["id"], "skipped", None, 0.0, reason)
    ctx.state.done[node["id"]] = "skipped"


def confirm(ctx: StepContext, node: dict[str, Any]) -> str:
    """Typed word for a destructive step; run/skip/edit/note/shell/abort for the others.

    Returns `run`, `skip` (recorded) or `edit`.

    Raises:
        Stop: the operator aborts the run.
    """
    flags = node["flags"]
    step_id = node["id"]
    options = ctx.options
    if flags["confirm"] == "typed":
        word = flags["confirm_word"] or ctx.unit["slug"]
        allowed = options.yes and options.allow_destructive
        question = Question(f"{step_id}:confirm", "typed", f"{step_id} is destructive. Run it", word=word)
        ctx.ask(question, word if allowed else None)
        by = ctx.decided_by(question.id, allowed, "allow-destructive")
        ctx.emit("step.confirmed", step_id, {"kind": "typed", "word": word, "by": by})
        return "run"
    if flags["confirm"] == "none":
        return "run"
    while True:
        auto = "r" if options.yes else None
        action = ctx.ask(Question(f"{step_id}:run", "choice", f"Run {step_id}", RUN_CHOICES), auto)
        if action == "r":
            return "run"
        if action == "s":
            skip(ctx, node, "skipped by the operator")
            return "skip"
        if action == "n":
            text = ctx.ask(Question(f"{step_id}:note", "text", "Note"))
            ctx.emit("note.added", step_id, {"text": ctx.masker.text(text)})
        elif action == "h":
            ctx.view.text("Opening a shell in the run's environment; `exit` returns to the run.")
            # $PWD as the shell starts: the one inherited from runbook's own start may be stale.
            env = {**ctx.session.env, "PWD": ctx.session.cwd}
            subprocess.call([os.environ.get("SHELL", "bash")], cwd=ctx.session.cwd, env=env)
        elif action == "e":
            return "edit"
        else:
            raise Stop("aborted", 1, f"aborted by the operator at {step_id}")


def confirm_edited(ctx: StepContext, node: dict[str, Any], edited: list[Planned]) -> None:
    """What the operator saved in the editor is judged again by the risk policy before it runs:
    when it is destructive (`rm -rf` typed into a plain step), or the step was, the typed word is
    asked, as for any destructive step; `--yes` alone never gives it.

    Raises:
        UnansweredQuestion: the word is not given, and nobody can be asked.
    """
    risky = {c.text: assess_shell(c.text).reasons for c in edited}
    reasons = list(dict.fromkeys(r for found in risky.values() for r in found))
    flags = node["flags"]
    if not reasons and not flags["destructive"]:
        return
    step_id = node["id"]
    word = flags["confirm_word"] or confirm_word([t for t, r in risky.items() if r], ctx.unit["slug"])
    for reason in reasons if not flags["destructive"] else ():
        ctx.view.text(f"  ⚠ the edit is destructive: {reason}")
    allowed = ctx.options.yes and ctx.options.allow_destructive
    question = Question(
        f"{step_id}:confirm", "typed", f"{step_id} as edited is destructive. Run it", word=word
    )
    ctx.ask(question, word if allowed else None)
    by = ctx.decided_by(question.id, allowed, "allow-destructive")
    ctx.emit(
        "step.confirmed",
        step_id,
        {"kind": "typed", "word": word, "by": by, "edited": True, "reasons": reasons},
    )


def edit(ctx: StepContext, commands: list[Planned]) -> list[Planned] | None:
    """Open the commands in $VISUAL/$EDITOR; what is saved is what runs, as shell.

    Returns None when the edit is cancelled (a kind that is not edited here, the editor failed,
    or nothing is left to run).
    """
    refusal = next((r for c in commands if (r := executor_for(c.kind).edit_refusal)), None)
    if refusal is not None:
        ctx.view.text(f"  {refusal}")
        return None
    text = "\n".join(c.text for c in commands) + "\n"
    with tempfile.NamedTemporaryFile("w+", suffix=".sh", delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        status = subprocess.call([*shlex.split(editor), path])
        with open(path, encoding="utf-8") as handle:
            edited = handle.read()
    finally:
        os.unlink(path)
    if status != 0:
        ctx.view.text(f"  the editor exited with {status}: the edit is cancelled")
        return None
    parts = split_commands(edited, 1, False)
    if not parts:
        ctx.view.text("  nothing left to run: the edit is cancelled")
        return None
    unchanged = {c.text: c for c in commands}
    result = []
    for command_text, *_ in parts:
        # A command left as it was keeps its expectations; a changed one is the operator's own.
        same = unchanged.get(command_text)
        result.append(
            Planned(
                "shell",
                command_text,
                never_ending=is_never_ending(command_text),
                expectations=same.expectations if same else (),
                target=commands[0].target,
                edited_from=text,
            )
        )
    return result
