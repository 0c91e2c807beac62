"""What is decided around the steps: prerequisites, choices, the severity, a high-risk start."""

from __future__ import annotations

from typing import Any

from .context import StepContext, Stop
from .questions import Question

__all__ = ["choice", "confirm_start", "gate", "severity"]


def gate(ctx: StepContext, node: dict[str, Any]) -> None:
    """Each prerequisite acknowledged, overridden with a note, or the run stops (refused)."""
    if node["id"] in ctx.state.done:
        return
    ctx.view.node(node, [], [])
    for item in node["items"]:
        answer = ctx.ask(Question(item["id"], "yesno", f"Acknowledge: {item['text']}"))
        if answer == "yes":
            ctx.emit("gate.item", node["id"], {"item": item["id"], "text": item["text"], "answer": "yes"})
            continue
        override = f"{item['id']}:override"
        note = (
            ctx.ask(
                Question(
                    override,
                    "text",
                    "Not met. Type a note to override it, or leave empty to stop",
                    default="",
                ),
                auto=None,
            )
            if ctx.interactive_or_answered(override)
            else ""
        )
        if note.strip():
            ctx.emit(
                "gate.item",
                node["id"],
                {
                    "item": item["id"],
                    "text": item["text"],
                    "answer": "override",
                    "note": ctx.masker.text(note),
                },
            )
            continue
        ctx.emit("gate.item", node["id"], {"item": item["id"], "text": item["text"], "answer": "no"})
        ctx.emit("gate.refused", node["id"], {"item": item["id"], "reason": f"not met: {item['text']}"})
        raise Stop("refused", 1, f"prerequisite not met: {item['text']}")
    ctx.emit("gate.passed", node["id"], {"items": len(node["items"])})
    ctx.state.done[node["id"]] = "ok"


def choice(ctx: StepContext, node: dict[str, Any]) -> str | None:
    """The branch the operator takes; returns the node to go on from."""
    branches = node["choice"]["branches"]
    if node.get("prose") or node.get("blocks"):
        ctx.view.node(node, [], [])
    else:
        ctx.view.text(f"\n▶ {node['id']} {node['title']}")
    labels = []
    by_key = {}
    for branch in branches:
        preview = _preview(ctx, branch["entry"])
        labels.append((branch["key"], branch["title"] + (f"  — {preview}" if preview else "")))
        by_key[branch["key"]] = branch
    key = ctx.ask(Question(node["id"], "choice", f"Choose for {node['id']}", tuple(labels)))
    branch = by_key[key]
    if node["id"] not in ctx.state.done:  # a resumed run replays the choice without recording it again
        ctx.emit("choice.made", node["id"], {"choice": node["id"], "branch": key, "title": branch["title"]})
    ctx.state.done[node["id"]] = "ok"
    entry: str | None = branch["entry"]
    return entry or ctx.next_of(node["id"])


def _preview(ctx: StepContext, node_id: str | None) -> str:
    if node_id is None:
        return "nothing to run"
    node = ctx.nodes()[node_id]
    commands = [c["text"].split("\n")[0] for b in node.get("blocks", []) for c in b["commands"]]
    if not commands:
        return "manual" if node["kind"] != "choice" else ""
    more = f" (+{len(commands) - 1} more)" if len(commands) > 1 else ""
    return f"{commands[0]}{more}"


def severity(ctx: StepContext) -> None:
    """The severity of the incident from the runbook's severity table, which sets a response target."""
    tables = [d for d in ctx.graph["decisions"] if d["kind"] == "severity"]
    if not tables:
        return
    table = tables[0]
    choices = [
        (row["cells"][0].split(" ")[0] or str(i), " | ".join(row["cells"]))
        for i, row in enumerate(table["rows"], start=1)
    ]
    choices.append(("skip", "skip: no severity for this run"))
    question = Question("severity", "choice", f"Severity ({table['title']})", tuple(choices))
    if not ctx.inputs.answers.has("severity") and not ctx.can_prompt():
        return  # optional: without a terminal or an answer, no severity is recorded
    key = ctx.ask(question)
    if key == "skip":
        return
    row = table["rows"][[k for k, _ in choices].index(key)]
    ctx.state.target_minutes = row["response_minutes"]
    ctx.emit(
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


def confirm_start(ctx: StepContext) -> None:
    """A HIGH-risk procedure starts only after its word is typed (or --yes --allow-destructive)."""
    confirm = ctx.unit.get("confirm")
    if not confirm:
        return
    word = confirm["word"]
    options = ctx.options
    auto = word if options.yes and options.allow_destructive else None
    question = Question(
        f"{ctx.unit['id']}:start",
        "typed",
        f"{ctx.unit['title']} is {ctx.unit['risk']['text']}. Start it",
        word=word,
    )
    ctx.ask(question, auto)
    by = ctx.decided_by(question.id, auto is not None, "allow-destructive")
    ctx.emit("step.confirmed", None, {"kind": "typed", "word": word, "by": by, "what": "procedure start"})
