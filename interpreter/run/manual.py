"""Steps with nothing to run: work done by hand, and a message template filled in and announced."""

from __future__ import annotations

import re
from typing import Any

from .confirm import skip, typed_word
from .context import StepContext
from .questions import Question

__all__ = ["announce_template", "run_by_hand"]

_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def run_by_hand(ctx: StepContext, node: dict[str, Any], shown: bool = False) -> None:
    """A step with nothing to run (bullets, SQL to run by hand): the operator says when it is done."""
    if not shown:  # its blocks too: shown as written, or typed where they go
        ctx.view.node(node, [], [])
    if not typed_word(ctx, node, []):
        skip(ctx, node, "its typed word was not given")
        return  # destructive work done by hand is confirmed like any destructive step
    auto = "yes" if ctx.options.yes else None
    for index, check in enumerate(node.get("checks", []), start=1):
        answer = ctx.ask(Question(f"{node['id']}:check.{index}", "yesno", f"Checked: {check}"), auto)
        if answer != "yes":
            skip(ctx, node, f"not checked: {check}")
            return
    done = ctx.ask(Question(f"{node['id']}:done", "yesno", f"Done with {node['id']} ({node['title']})"), auto)
    if done != "yes":
        skip(ctx, node, "not done")
        return
    ctx.emit(
        "step.finished",
        node["id"],
        {
            "status": "ok",
            "exit_code": None,
            "duration": 0.0,
            "commands": [],
            "manual": True,
            "by": ctx.decided_by(f"{node['id']}:done", auto is not None, "--yes"),
        },
    )
    ctx.view.result(node["id"], "ok", None, 0.0, "done by hand")
    ctx.state.done[node["id"]] = "ok"


def announce_template(
    ctx: StepContext, node: dict[str, Any], block: dict[str, Any], shown: bool = False
) -> None:
    """Fill a message template's fields and variables, show it, record it as an announcement."""
    if not shown:
        ctx.view.node(node, [], [])
    text = block["code"]
    for field_name in block["fields"]:
        value = ctx.ask(Question(f"{node['id']}:{field_name}", "text", f"[{field_name}]"))
        text = text.replace(f"[{field_name}]", value)

    def variable(match: re.Match[str]) -> str:
        return ctx.session.env.get(match.group(1), match.group(0))

    text = ctx.masker.text(_VAR.sub(variable, text))
    ctx.view.announce(text)
    ctx.emit("template.announced", node["id"], {"text": text})
    ctx.state.done[node["id"]] = "ok"
