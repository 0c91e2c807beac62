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
        if item["id"] in ctx.state.acknowledged:
            continue  # answered (yes, or overridden) before the run was stopped: recorded once
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


def choice(ctx: StepContext, node: dict[str, Any], revisit: bool = False) -> tuple[str, str | None]:
    """The branch the operator takes: (`next`, the node to go on from), or (`back`, None).

    Every option is shown with its commands, destructive ones marked. A choice made before (by
    this run, or the run a resume continues) is taken again silently, unless the operator came
    back to it: then it is asked again, and a different answer is recorded as a change.
    """
    branches = node["choice"]["branches"]
    node_id = node["id"]
    earlier = ctx.inputs.answers.get(node_id) if node_id in ctx.state.done else None
    if revisit:
        ctx.inputs.answers.used.add(node_id)  # asked again: not the answer recorded before
    elif earlier is not None and node_id in ctx.state.done:
        ctx.inputs.answers.used.add(node_id)
        return "next", _branch_entry(ctx, node, earlier)
    if node.get("prose") or node.get("blocks"):
        ctx.view.node(node, [], [])
    else:
        ctx.view.text(f"\n▶ {node_id} {node['title']}")
    options = []
    labels = []
    for branch in branches:
        commands, destructive = _option(ctx, branch["entry"])
        options.append((branch["key"], branch["title"], commands, destructive))
        mark = "  ⚠ DESTRUCTIVE" if destructive else ""
        now = "  (chosen before)" if branch["key"] == earlier else ""
        labels.append((branch["key"], branch["title"] + mark + now))
    ctx.view.options(options)
    keys = tuple(labels)
    if ctx.can_prompt() and not ctx.inputs.answers.has(node_id):
        keys = (*keys, ("back", "back to the decision before"))
    key = ctx.ask(Question(node_id, "choice", f"Choose for {node_id}", keys))
    if key == "back":
        return "back", None
    branch = next(b for b in branches if b["key"] == key)
    if earlier != key or node_id not in ctx.state.done:
        data = {"choice": node_id, "branch": key, "title": branch["title"]}
        if earlier is not None and earlier != key:
            data["changed_from"] = earlier
        ctx.emit("choice.made", node_id, data)
        ctx.inputs.answers.given[node_id] = key
    ctx.state.done[node_id] = "ok"
    return "next", _branch_entry(ctx, node, key)


def _branch_entry(ctx: StepContext, node: dict[str, Any], key: str) -> str | None:
    branch = next(b for b in node["choice"]["branches"] if b["key"] == key)
    entry: str | None = branch["entry"]
    return entry or ctx.next_of(node["id"])


def _option(ctx: StepContext, node_id: str | None) -> tuple[list[str], bool]:
    """The commands of an option's first node (every line) and whether it is destructive."""
    if node_id is None:
        return [], False
    node = ctx.nodes()[node_id]
    commands = [ctx.masker.text(c["text"]) for b in node.get("blocks", []) for c in b["commands"]]
    if not commands and node["kind"] != "choice":
        commands = ["(done by hand)"]
    return commands, bool(node.get("flags", {}).get("destructive"))


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
