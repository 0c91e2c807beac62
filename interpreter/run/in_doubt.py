"""A step a killed run had started and never finished: what the journal says of it, and its process group.

The journal knows which of the step's commands finished (`command.finished`) and which one was
running, in which process group (`command.started`). A resume shows that, and whether the group
still runs on this machine; the operator can wait for it, kill it or leave it. The step then goes
on from its first unfinished command (or from the start, or is marked done or skipped) through
the step's one menu.
"""

from __future__ import annotations

import socket
from typing import Any

from ..journal import folds
from .context import Planned, StepContext
from .groups import boot_id, kill_group, members, wait_group
from .questions import Question
from .state import InDoubt

__all__ = ["Settled", "before_rerun", "examine"]

Settled = tuple[int, dict[str, Any]]
"""Where the step would go on (0-based) and what was found of its process group, for the journal."""


def examine(ctx: StepContext, node: dict[str, Any], info: InDoubt, commands: list[Planned]) -> Settled:
    """Show what the killed attempt did and settle its live process group; returns where a rerun
    would start (0-based; 0 when the commands changed since) and the facts for `step.in-doubt`."""
    step_id = node["id"]
    journaled = info.journaled or folds.InDoubt(info.attempt, info.seq)
    texts = [ctx.masker.text(c.text) for c in commands]
    ctx.view.text(
        f"\n{step_id} was started (attempt {info.attempt}) and never recorded its end: it is in doubt."
    )
    finished = dict(journaled.finished)
    running = journaled.running
    marks = []
    for index in range(1, len(texts) + 1):
        status = finished.get(index)
        if status is not None:
            marks.append("ok" if status in ("ok", "stopped") else status)
        elif running is not None and running.index == index:
            marks.append("running")
        elif index < journaled.from_command:
            marks.append("ok")
        else:
            marks.append("")
    ctx.view.commands(texts, marks)
    for output in info.partial:
        index = output.command
        state = "it was running" if running is not None and running.index == index else "partial"
        if index in finished:
            state = f"it ended {finished[index]}"
        ctx.view.text(f"--- output of command {index}, {state} ({output.name}) ---")
        ctx.view.output(output.data)
    facts: dict[str, Any] = {"finished": [i for i, s in journaled.finished if s in ("ok", "stopped")]}
    if running is not None:
        facts["running"] = running.index
        facts["group"] = _group(ctx, step_id, running)
    start = journaled.first_unfinished() - 1
    if journaled.commands and list(journaled.commands) != texts:
        ctx.view.text(
            "  its commands were not these (they were edited, or the runbook changed): "
            "it can only run again from the start"
        )
        start = 0
    return min(start, max(len(commands) - 1, 0)), facts


def _group(ctx: StepContext, step_id: str, running: folds.Running) -> dict[str, Any]:
    """Whether the running command's process group still runs here; the operator's call if it does."""
    group = running.group
    host = running.actor.rpartition("@")[2]
    facts: dict[str, Any] = {"id": group}
    if group is None:
        ctx.view.text(f"  command {running.index} was running; it had no process group of its own here")
        facts["state"] = "unknown"
        return facts
    if host != socket.gethostname():
        ctx.view.text(
            f"  command {running.index} ran on {host} (process group {group}): "
            "whether it still runs cannot be told from here"
        )
        facts["state"] = "elsewhere"
        return facts
    if running.boot is not None and running.boot != boot_id():
        ctx.view.text(f"  command {running.index} ran before this machine restarted: nothing of it runs")
        facts["state"] = "gone"
        return facts
    alive = members(group)
    if not alive:
        ctx.view.text(f"  command {running.index} was running in process group {group}, which has ended")
        facts["state"] = "gone"
        return facts
    ctx.view.text(f"  command {running.index} is STILL RUNNING in process group {group}:")
    for member in alive[:8]:
        ctx.view.text(f"    {member.pid}  {ctx.masker.text(member.command)}")
    facts["state"] = "running"
    if not ctx.interactive_or_answered(f"{step_id}:group"):
        # Nobody to ask now: it is left alone, unless the step is to run again (see before_rerun).
        return facts
    return _decide(ctx, step_id, group, facts)


def before_rerun(ctx: StepContext, node: dict[str, Any], facts: dict[str, Any]) -> None:
    """A step in doubt is about to run again while its old process group still runs and nobody
    said what to do with it: ask now (without a terminal this stops the run, naming the answer),
    so two copies of a command never run at once unasked."""
    group = facts.get("group") or {}
    if group.get("state") != "running" or group.get("action") or not members(group["id"]):
        return
    facts["group"] = _decide(ctx, node["id"], group["id"], dict(group))


def _decide(ctx: StepContext, step_id: str, group: int, facts: dict[str, Any]) -> dict[str, Any]:
    """Wait for a live process group, kill it, or leave it: the operator's call."""
    question = Question(
        f"{step_id}:group",
        "choice",
        f"Process group {group} still runs",
        (
            ("w", "wait for it to end (Ctrl-C stops waiting)"),
            ("k", "kill it (SIGTERM, then SIGKILL)"),
            ("l", "leave it running and go on"),
        ),
    )
    while True:
        answer = ctx.ask(question)
        if answer == "l":
            facts["action"] = "left running"
            return facts
        if answer == "k":
            ended = kill_group(group)
            ctx.view.text(f"  process group {group} {'is gone' if ended else 'did not stop'}")
            facts["action"] = "killed" if ended else "kill failed"
            if ended:
                return facts
            continue
        try:
            wait_group(group, lambda waited: ctx.view.progress(_waiting(group, waited)))
        except KeyboardInterrupt:
            ctx.view.progress(None)
            ctx.view.text("  stopped waiting; it still runs")
            continue
        ctx.view.progress(None)
        ctx.view.text(f"  process group {group} has ended")
        facts["action"] = "waited"
        return facts


def _waiting(group: int, waited: float) -> str:
    from ..policy.durations import clock

    return f"  waiting for process group {group}: {clock(waited)} (Ctrl-C stops waiting)"
