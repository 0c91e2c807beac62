"""Other people at work: a live run of the same procedure, and notes written from other terminals.

Two operators rolling back the same thing at once undo each other's work. Starting a procedure
that a live run in the same store is running (the same runbook file and procedure) says who runs
it, from where and since when, and offers to follow it instead. During a run, notes that other
terminals add (`runbook note`) are shown between steps, as they land.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..journal.contract import RunJournal, Store
from ..journal.folds import start
from ..journal.summary import RunSummary
from ..policy.durations import compact
from .context import StepContext, View
from .questions import Prompter, Question

__all__ = ["FollowInstead", "Other", "others_running", "show_notes", "warn"]


class FollowInstead(Exception):
    """The operator chose to follow the run already going rather than start another."""

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id


@dataclass(frozen=True, slots=True)
class Other:
    """A live run of the same procedure."""

    summary: RunSummary
    host: str
    cwd: str


def others_running(store: Store, runbook: str, procedure: str) -> list[Other]:
    """Live runs in `store` of `procedure` in the runbook at the absolute path `runbook`."""
    found = []
    for run_id in store.live_runs():
        try:
            events, _ = store.events(run_id)
        except Exception:
            continue
        began = start(events)
        if began is None:
            continue
        data = began["data"]
        if data["runbook"]["path"] != runbook or data["procedure"]["id"] != procedure:
            continue
        summary = RunSummary.of(run_id, events, live=True)
        found.append(Other(summary, str(data.get("host", "?")), str(data.get("cwd", "?"))))
    return found


def warn(
    others: list[Other], view: View, prompter: Prompter | None, answers: dict[str, str], elapsed: Any
) -> None:
    """Say who else runs this procedure now; offer to follow their run instead.

    `elapsed(summary)` is how long ago each started, in seconds.

    Raises:
        FollowInstead: the operator chose to follow the other run.
    """
    from ..errors import UsageError

    for other in others:
        s = other.summary
        view.text(
            f"warning: {s.operator} is running this procedure now: run {s.id}, started "
            f"{s.started[:19].replace('T', ' ')} UTC ({compact(elapsed(s))} ago) "
            f"on {other.host} in {other.cwd}"
        )
    first = others[0].summary.id
    choices = (("f", f"follow run {first} instead"), ("s", "start another run anyway"), ("a", "do not start"))
    question = Question("alongside", "choice", "Another run of this procedure is live", choices)
    given = answers.get("alongside")
    if given is not None:
        answer = given if given in ("f", "s", "a") else None
        if answer is None:
            raise UsageError(
                f"--answer alongside={given!r} is not an answer it takes", "answer with f, s or a"
            )
    elif prompter is None:
        view.text("  (no terminal to ask: starting anyway; --answer alongside=a would not start)")
        return
    else:
        answer = prompter.ask(question)
    if answer == "f":
        raise FollowInstead(first)
    if answer == "a":
        raise UsageError(
            "not started: another run of this procedure is live", f"`runbook follow {first}` shows it"
        )


def show_notes(ctx: StepContext) -> None:
    """Notes other terminals added (`runbook note`) since the last look, shown as they are (masked)."""
    journal: RunJournal | None = ctx.journal
    if journal is None:
        return
    for event in journal.written_since(ctx.state.heard):
        ctx.state.heard = max(ctx.state.heard, int(event["seq"]))
        if event["type"] == "note.added" and event["data"].get("from") == "runbook note":
            step = f" about {event['step']}" if event["step"] else ""
            ctx.view.text(
                f"  ✉ note from {event['actor']}{step}: {ctx.masker.text(str(event['data']['text']))}"
            )
