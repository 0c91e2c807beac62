"""One step of a run, start to end: shown, its values asked, then its one menu until it is done,
skipped, left with `back`, or the run is aborted.

A retry goes on from the command that failed unless the operator asks for the start; a step in
doubt after a kill goes on from its first unfinished command; a destructive step asks for its
typed word before every attempt that runs a destructive command; a cancelled or empty edit runs
nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from ..model.kinds import KINDS, runs
from .attempt import Attempted, attempt
from .confirm import edit, skip, typed_word, word_needed
from .context import Planned, StepContext, Stop
from .executors import executor_for
from .handover import check_operator
from .in_doubt import before_rerun, examine
from .manual import announce_template, run_by_hand
from .menu import ask_menu, where_from
from .questions import IN_DOUBT_DECISIONS, Question
from .step_inputs import ask_inputs, ask_placeholders, env_lines

__all__ = ["Outcome", "run_step"]

Outcome = Literal["next", "back"]
"""Where the walk goes after a step: on, or back to the decision before it."""


def run_step(ctx: StepContext, node: dict[str, Any], revisit: bool = False) -> Outcome:
    """Run a step, a checklist item or a template; `revisit` when the operator came back to it.

    Raises:
        Stop: the operator aborts the run, or a failure has nobody to ask.
    """
    step_id = node["id"]
    done = ctx.state.done.get(step_id)
    if done is not None and not revisit:
        return "next"
    flags = node["flags"]
    in_doubt = ctx.state.in_doubt.get(step_id)
    runnable = [b for b in node["blocks"] if runs(b["kind"])]
    # The step first (title, prose, commands as written), then what is asked about it.
    written = [c for b in runnable for c in executor_for(b["kind"]).plan(b, ctx.settings, {})]
    shown = False
    if flags["optional"] and in_doubt is None and done != "ok":
        ctx.view.node(node, [ctx.masker.text(c.text) for c in written], env_lines(ctx, node))
        shown = True
        if revisit:
            ctx.inputs.answers.used.add(step_id)  # asked again: not the answer recorded before
        applies = ctx.ask(
            Question(step_id, "yesno", f"Does {step_id} apply? ({flags['when'] or 'optional'})")
        )
        if applies == "no":
            if done is None or revisit:
                skip(ctx, node, "not applicable")
            return "next"
    _note(ctx, step_id)
    if node["kind"] == "template":
        announce_template(
            ctx, node, next(b for b in node["blocks"] if KINDS[b["kind"]].role == "announce"), shown
        )
        return "next"
    if not runnable:
        run_by_hand(ctx, node, shown)
        return "next"
    # Then the values it needs, then the commands as they will run when a value changed them.
    if not shown:
        ctx.view.node(node, [ctx.masker.text(c.text) for c in written], env_lines(ctx, node))
    check_operator(ctx, node)  # a session needs the operator at the terminal (handover.py)
    ask_inputs(ctx, node)
    commands = ask_placeholders(ctx, node, runnable)
    if [c.text for c in commands] != [c.text for c in written]:
        ctx.view.text("  as they will run:")
        ctx.view.commands([ctx.masker.text(c.text) for c in commands], _destructive_marks(commands))
    ctx.view.clock(ctx.elapsed(), ctx.state.target_minutes, ctx.unit.get("duration"))
    return _menu_loop(ctx, node, commands, done if revisit else None)


def _destructive_marks(commands: list[Planned]) -> list[str]:
    return ["destructive" if c.destructive else "" for c in commands]


def _menu_loop(ctx: StepContext, node: dict[str, Any], commands: list[Planned], done: str | None) -> Outcome:
    """The step's menu until it is run ok, skipped or left."""
    step_id = node["id"]
    situation = "run"
    pending = 0  # where a retry goes on from: the failed command, or the first unfinished one
    facts: dict[str, Any] = {}
    info = ctx.state.in_doubt.get(step_id)
    if info is not None:
        situation = "in-doubt"
        pending, facts = examine(ctx, node, info, commands)
    elif done is not None:
        ctx.view.text(
            f"  {step_id} {'ran ok' if done == 'ok' else 'was ' + done.removeprefix('step.')} earlier"
        )
    number = ctx.state.attempts.get(step_id, 0)  # a resumed run numbers on from earlier attempts
    while True:
        word = word_needed(ctx, node, commands, pending if situation in ("failed", "in-doubt") else 0)
        action = ask_menu(ctx, node, situation, _labels(situation, pending, done, word))
        if action == "b":
            return "back"
        if action in ("s", "d"):
            if situation == "in-doubt":
                _settle(ctx, node, info, action, 0, facts)
            if action == "d":
                ctx.state.done[step_id] = "done"
                return "next"
            if done != "ok":  # a step that ran ok and was come back to is left as it ran
                reason = {"run": "skipped by the operator", "failed": "skipped after failure"}
                skip(ctx, node, reason.get(situation, "in doubt, skipped"))
            return "next"
        start = 0
        if situation in ("failed", "in-doubt"):
            start = where_from(
                ctx, node, commands, pending, "failed" if situation == "failed" else "unfinished"
            )
        planned = commands
        if action == "e":
            edited = edit(ctx, commands[start:])
            if edited is None:
                continue  # cancelled or unchanged: nothing runs, the menu again
            planned = commands[:start] + edited
        if not typed_word(ctx, node, planned, start):
            continue  # no word, nothing runs: the menu again
        if situation == "in-doubt":
            before_rerun(ctx, node, facts)
            _settle(ctx, node, info, "r", start, facts)
        commands = planned
        number += 1
        result = attempt(ctx, node, commands, number, start)
        if result.ok:
            ctx.state.done[step_id] = "ok"
            return "next"
        situation, pending, done = "failed", result.failed_at or 0, None
        _stop_without_operator(ctx, node, result)


def _labels(situation: str, start: int, done: str | None, word: str) -> dict[str, str]:
    """The menu's words for the situation (`word`: what running from `start` asks to be typed);
    its keys and their order never change."""
    typed = f" (type {word} first)" if word else ""
    if situation == "failed":
        return {"r": f"run again{typed}", "s": "skip (leave it failed)", "e": "edit, then run"}
    if situation == "in-doubt":
        where = f"from command {start + 1}" if start else "from the start"
        return {"r": f"run the rest, {where}{typed}", "s": "skip it"}
    if done == "ok":
        return {"r": f"run it again{typed}", "s": "go on (leave it as it ran)"}
    return {"r": f"run{typed}", "e": "edit, then run"}


def _settle(
    ctx: StepContext, node: dict[str, Any], info: Any, action: str, start: int, facts: dict[str, Any]
) -> None:
    """Record how a step in doubt was settled, once (its partial outputs are kept no longer)."""
    if action not in IN_DOUBT_DECISIONS or node["id"] not in ctx.state.in_doubt:
        return
    ctx.state.in_doubt.pop(node["id"])
    data = {"decision": IN_DOUBT_DECISIONS[action], "attempt": info.attempt, **facts}
    if action == "r":
        data["from_command"] = start + 1
    ctx.emit("step.in-doubt", node["id"], data)
    if ctx.journal is not None:
        ctx.journal.settle(f"{info.seq:06d}-{node['id']}-{info.attempt}-")


def _stop_without_operator(ctx: StepContext, node: dict[str, Any], result: Attempted) -> None:
    """A failure with nobody to ask stops the run; so does an interrupt without a terminal."""
    step_id = node["id"]
    failed = next((r for r in result.results if r["status"] not in ("ok", "stopped")), None)
    if failed is not None and failed["status"] == "interrupted" and not ctx.options.interactive:
        raise Stop("interrupted", 130, f"{step_id} interrupted")
    if not ctx.interactive_or_answered(f"{step_id}:failed"):
        why = f"{step_id} failed" + (
            f" (exit {failed['exit_code']})" if failed and failed["exit_code"] else ""
        )
        raise Stop("failed", 1, why)


def _note(ctx: StepContext, step_id: str) -> None:
    notes = ctx.inputs.notes
    if step_id in notes:
        ctx.emit("note.added", step_id, {"text": ctx.masker.text(notes.pop(step_id))})
