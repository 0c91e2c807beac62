"""One step of a run, start to end: in doubt or optional, confirmed, attempted, retried or skipped."""

from __future__ import annotations

from typing import Any

from ..model.kinds import KINDS, runs
from .attempt import attempt
from .confirm import confirm, confirm_edited, edit, skip
from .context import StepContext, Stop
from .handover import check_operator
from .manual import announce_template, run_by_hand
from .questions import FAILED_CHOICES, IN_DOUBT_CHOICES, Question
from .step_inputs import ask_inputs, ask_placeholders, env_lines

__all__ = ["run_step"]


def run_step(ctx: StepContext, node: dict[str, Any]) -> None:
    """Run a step, a checklist item or a template; ends the run (Stop) when the operator says so."""
    step_id = node["id"]
    if step_id in ctx.state.done:
        return
    flags = node["flags"]
    if step_id in ctx.state.in_doubt and _settle_in_doubt(ctx, node):
        return
    if flags["optional"]:
        applies = ctx.ask(
            Question(step_id, "yesno", f"Does {step_id} apply? ({flags['when'] or 'optional'})")
        )
        if applies == "no":
            skip(ctx, node, "not applicable")
            return
    _note(ctx, step_id)
    if node["kind"] == "template":
        announce_template(ctx, node, next(b for b in node["blocks"] if KINDS[b["kind"]].role == "announce"))
        return
    runnable = [b for b in node["blocks"] if runs(b["kind"])]
    if not runnable:
        run_by_hand(ctx, node)
        return
    check_operator(ctx, node)  # a session needs the operator at the terminal (handover.py)
    ask_inputs(ctx, node)
    commands = ask_placeholders(ctx, node, runnable)
    # The commands are listed up front when the operator decides; each is echoed as it runs.
    asks = not ctx.options.yes or flags["confirm"] == "typed"
    shown = [ctx.masker.text(c.text) for c in commands] if asks else []
    ctx.view.node(node, shown, env_lines(ctx, node))
    ctx.view.clock(ctx.elapsed(), ctx.state.target_minutes, ctx.unit.get("duration"))
    decision = confirm(ctx, node)
    while decision == "edit":
        edited = edit(ctx, commands)
        if edited is not None:
            confirm_edited(ctx, node, edited)  # an edit that made it destructive asks the word
        decision = "run" if edited is not None else confirm(ctx, node)
        commands = edited or commands
    if decision == "skip":
        return
    number = ctx.state.attempts.get(step_id, 0)  # a resumed run numbers on from earlier attempts
    while True:
        number += 1
        ok, results = attempt(ctx, node, commands, number)
        if ok:
            ctx.state.done[step_id] = "ok"
            return
        failed = next((r for r in results if r["status"] not in ("ok", "stopped")), None)
        if failed is not None and failed["status"] == "interrupted" and not ctx.options.interactive:
            raise Stop("interrupted", 130, f"{step_id} interrupted")
        why = f"{step_id} failed" + (
            f" (exit {failed['exit_code']})" if failed and failed["exit_code"] else ""
        )
        if not ctx.interactive_or_answered(f"{step_id}:failed"):
            raise Stop("failed", 1, why)  # with nobody to ask, a failure stops the run
        action = ctx.ask(
            Question(f"{step_id}:failed", "choice", f"{step_id} failed. What now", FAILED_CHOICES)
        )
        if action == "r":
            continue
        if action == "s":
            skip(ctx, node, "skipped after failure")
            return
        if action == "e":
            edited = edit(ctx, commands)
            if edited is None:
                continue  # the edit was cancelled: the same commands, asked again on failure
            confirm_edited(ctx, node, edited)  # destructive as edited, or before: the word again
            commands = edited
            continue
        raise Stop("failed", 1, f"{step_id} failed" + (f" (exit {failed['exit_code']})" if failed else ""))


def _note(ctx: StepContext, step_id: str) -> None:
    notes = ctx.inputs.notes
    if step_id in notes:
        ctx.emit("note.added", step_id, {"text": ctx.masker.text(notes.pop(step_id))})


def _settle_in_doubt(ctx: StepContext, node: dict[str, Any]) -> bool:
    """A step that started before the run was killed and never finished: the operator decides."""
    info = ctx.state.in_doubt.pop(node["id"])
    ctx.view.text(f"\n{node['id']} was started (attempt {info.attempt}) but never finished: it is in doubt.")
    for name, data in info.partial:
        ctx.view.text(f"--- partial output ({name}) ---")
        ctx.view.output(data)
    answer = ctx.ask(
        Question(f"{node['id']}:in-doubt", "choice", f"What happened to {node['id']}", IN_DOUBT_CHOICES)
    )
    ctx.emit("step.in-doubt", node["id"], {"decision": answer, "attempt": info.attempt})
    if ctx.journal is not None:
        ctx.journal.settle(f"{info.seq:06d}-{node['id']}-{info.attempt}-")
    if answer == "rerun":
        return False
    if answer == "abort":
        raise Stop("aborted", 1, f"aborted at {node['id']} (in doubt)")
    if answer == "done":
        ctx.state.done[node["id"]] = "ok"
    else:
        skip(ctx, node, "in doubt, skipped")
    return True
