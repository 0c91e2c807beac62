"""The values a step needs before it runs: its variables and placeholders, given, defaulted or asked."""

from __future__ import annotations

import re
from typing import Any

from ..errors import UsageError
from ..gitinfo import previous_tag
from ..infer.shell import is_secret_name
from ..policy.masking import MASK
from ..policy.values import is_plain, newest_matching
from ..policy.weak_secrets import weakness
from .context import Planned, StepContext
from .executors import executor_for, secret_variables
from .questions import Question
from .secrets import refuse_weak

__all__ = ["ask_inputs", "ask_placeholders", "env_lines"]


def ask_inputs(ctx: StepContext, node: dict[str, Any]) -> None:
    """Every variable the step reads that nothing set yet: --var, a default, or the operator."""
    declared = {v["name"]: v for v in ctx.graph["runbook"]["variables"]}
    sent_as_secrets = secret_variables([node])
    for use in node.get("uses", []):
        name = use["name"]
        # A value a step of this run set is known; one a skipped step (--from-step) would have set
        # is asked for, never taken as empty.
        if name in ctx.session.env or (use["from"] is not None and use["from"] in ctx.state.done):
            continue
        spec = declared.get(name, {})
        secret = bool(use["secret"] or spec.get("secret") or name in sent_as_secrets)
        if name in ctx.inputs.variables:
            value, source = ctx.inputs.variables[name], "var"
        else:
            question = Question(
                f"var:{name}",
                "secret" if secret else "text",
                spec.get("prompt") or f"Value for ${name} (used by {node['id']})",
                default=None if secret else spec.get("default"),
                flag=f"--var {name}=VALUE",
            )
            value, source = (_strong(ctx, question, name) if secret else ctx.ask(question)), "asked"
        if secret:
            refuse_weak(name, value, "--var" if source == "var" else "asked")
            ctx.masker.add(value)
        ctx.session.env[name] = value
        ctx.emit(
            "input.set",
            node["id"],
            {"name": name, "value": MASK if secret else value, "secret": secret, "source": source},
        )


def ask_placeholders(ctx: StepContext, node: dict[str, Any], blocks: list[dict[str, Any]]) -> list[Planned]:
    """Each block's placeholders filled (asked once per run), then its commands as its executor
    plans them."""
    out: list[Planned] = []
    for block in blocks:
        wanted = {p["text"]: p for p in block["placeholders"] if p["kind"] != "field"}
        for placeholder in wanted.values():
            if placeholder["text"] in ctx.state.placeholder_values:
                continue
            key = f"placeholder:{placeholder['text']}"
            secret = is_secret_name(re.sub(r"\W", "_", placeholder["text"]).upper())
            question = Question(
                key,
                "secret" if secret else "text",
                f"Value for {placeholder['text']} ({placeholder['kind']} placeholder in {node['id']})",
                default=None if secret else _placeholder_default(ctx, placeholder),
            )
            value = _plain_value(ctx, question)
            if secret:
                refuse_weak(placeholder["text"], value, "asked")
                ctx.masker.add(value)
            ctx.state.placeholder_values[placeholder["text"]] = value
            ctx.emit(
                "input.set",
                node["id"],
                {"name": key, "value": MASK if secret else value, "secret": secret, "source": "asked"},
            )
        values = {t: ctx.state.placeholder_values[t] for t in wanted}
        out += executor_for(block["kind"]).plan(block, ctx.settings, values)
    return out


def _strong(ctx: StepContext, question: Question, name: str) -> str:
    """A secret typed at a hidden prompt, asked again while it is too weak to mask."""
    for _ in range(2):
        value = ctx.ask(question)
        why = weakness(value)
        if why is None or not ctx.can_prompt():
            return value
        ctx.view.text(f"  {name} cannot be kept secret: {why}; type a real secret")
    return ctx.ask(question)


def _placeholder_default(ctx: StepContext, placeholder: dict[str, Any]) -> str | None:
    text, kind = placeholder["text"], placeholder["kind"]
    if kind == "timestamp":
        return newest_matching(text, ctx.session.cwd) or text
    if kind == "commit" or re.search(r"tag|commit|version|release|stable", text, re.I):
        # The release before the current one: from the repository the commands run in, else
        # from the runbook's own.
        return previous_tag(ctx.session.cwd) or previous_tag(ctx.runbook_path.resolve().parent)
    return None


def _plain_value(ctx: StepContext, question: Question) -> str:
    """A placeholder's value goes into the command text, so it must be plain: letters, digits and
    `. _ / @ : + = , %` (no leading dash). Anything else could be read as code by a shell the
    command starts (`bash -c '…'`, `ssh host '…'`), so it is refused, never quoted and hoped for."""
    for _ in range(3):
        value = ctx.ask(question)
        if is_plain(value):
            return value
        shown = MASK if question.kind == "secret" else repr(value)  # a refused secret is still one
        message = (
            f"{shown} cannot fill {question.id.split(':', 1)[1]}: only letters, digits and . _ / @ : "
            "+ = , % are allowed (no spaces, quotes, $, ; or a leading dash)"
        )
        if not ctx.can_prompt():
            raise UsageError(message, "use a plain value, or put it in a variable with --var NAME=VALUE")
        ctx.view.text("  " + message)
    raise UsageError(f"no plain value for {question.id}")


def env_lines(ctx: StepContext, node: dict[str, Any]) -> list[str]:
    """`$NAME = value` for each variable the step reads, masked, for the operator to check."""
    lines = []
    for use in node.get("uses", []):
        value = ctx.session.env.get(use["name"])
        if value is not None:
            lines.append(f"${use['name']} = {ctx.masker.text(value) if not use['secret'] else MASK}")
    return lines
