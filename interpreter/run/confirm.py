"""What a step asks before its commands run: the typed word of a destructive one; the editor; a skip."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from typing import Any

from ..infer.shell import is_never_ending, split_commands
from ..policy.confirmation import confirm_word
from .context import Planned, StepContext
from .executors import executor_for
from .questions import Question

__all__ = ["edit", "skip", "typed_word", "word_needed"]


def skip(ctx: StepContext, node: dict[str, Any], reason: str) -> None:
    """Record a step as skipped, and why."""
    ctx.emit("step.skipped", node["id"], {"reason": reason})
    ctx.view.result(node["id"], "skipped", None, 0.0, reason)
    ctx.state.done[node["id"]] = "skipped"


def typed_word(ctx: StepContext, node: dict[str, Any], commands: list[Planned], start: int = 0) -> bool:
    """Before every attempt of a destructive step, retries and resumes included: the word typed
    (or --yes --allow-destructive), unless none of the commands about to run (from `start`) is
    destructive while others of the step are. Commands the operator edited are judged again by the
    risk policy (`edit` does it): an edit that makes a plain step destructive asks for the word too.
    Returns False when the word was not given: nothing runs, and the operator is back at the menu.

    Raises:
        UnansweredQuestion: the word is not given, and nobody can be asked.
    """
    about = commands[start:]
    word = word_needed(ctx, node, commands, start)
    if not word:
        return True
    reasons = list(dict.fromkeys(r for c in about for r in c.destructive))
    edited = any(c.edited_from is not None for c in about)
    flags = node["flags"]
    step_id = node["id"]
    for reason in reasons:
        ctx.view.text(
            f"  ⚠ {'the edit is destructive: ' if edited and not flags['destructive'] else ''}{reason}"
        )
    options = ctx.options
    allowed = options.yes and options.allow_destructive
    what = f"{step_id} as edited" if edited else step_id
    question = Question(f"{step_id}:confirm", "typed", f"{what} is destructive. Run it", word=word)
    if ctx.ask(question, word if allowed else None) != word:
        return False
    by = ctx.decided_by(question.id, allowed, "allow-destructive")
    data: dict[str, Any] = {"kind": "typed", "word": word, "by": by}
    if start:
        data["from_command"] = start + 1
    if edited:
        data.update(edited=True, reasons=reasons)
    ctx.emit("step.confirmed", step_id, data)
    return True


def word_needed(ctx: StepContext, node: dict[str, Any], commands: list[Planned], start: int = 0) -> str:
    """The word an attempt from command `start` asks for, or "" when it asks none: one rule for the
    question (`typed_word`) and for the menu's label, so the menu never promises a question that
    does not come, nor hides one that does."""
    about = commands[start:]
    destructive = [c.text for c in about if c.destructive]
    if node["flags"]["confirm"] != "typed" and not destructive:
        return ""
    if not destructive and any(c.destructive for c in commands):
        return ""  # the destructive commands succeeded already and do not run again
    return str(node["flags"]["confirm_word"] or confirm_word(destructive, ctx.unit["slug"]))


def edit(ctx: StepContext, commands: list[Planned]) -> list[Planned] | None:
    """Open the commands in $VISUAL/$EDITOR; what is saved is what runs, as shell.

    Returns None when the edit is cancelled or changes nothing (a kind that is not edited here,
    the editor failed, nothing is left to run, or the text is as it was): nothing runs then.
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
        ctx.view.text(f"  the editor exited with {status}: the edit is cancelled, nothing was run")
        return None
    parts = split_commands(edited, 1, False)
    if not parts:
        ctx.view.text("  nothing left to run: the edit is cancelled, nothing was run")
        return None
    if edited.strip() == text.strip() or [p[0] for p in parts] == [c.text for c in commands]:
        ctx.view.text("  nothing changed: nothing is recorded as edited, and nothing was run")
        return None
    from ..policy.risk import assess_shell

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
                destructive=same.destructive if same else assess_shell(command_text).reasons,
            )
        )
    return result
