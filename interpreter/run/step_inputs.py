"""The values a step needs before it runs: its variables and placeholders, given, defaulted or asked.

What the operator is told and offered (issue 14 item 6, issue 13's placeholders):
- a placeholder is asked once per run, with the runbook's description of it and its example
  (`e.g. docker-desktop`); an example is never the default;
- a default is offered only when the runbook declares one (front matter `variables:`) or one can
  be computed safely from what is here now: the previous git tag for a tag or commit, the newest
  existing file of a timestamped name. Never the runbook's own example value or file name;
- Enter on an empty value is refused unless the runbook declares an empty default (an empty
  `$STAGING_DATABASE_URL` would reach the default database); `--var NAME=` given on purpose is
  taken as it is;
- a variable that only a skipped (or never run) step would have set is asked for, never taken
  as empty (`git checkout -q ""` after skipping the step that sets `$STABLE_TAG`).
Secrets are asked hidden and masked from then on.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UsageError
from ..gitinfo import previous_tag
from ..policy.masking import MASK
from ..policy.secrets import is_secret_name
from ..policy.values import is_plain, newest_matching, refusal
from ..policy.weak_secrets import weakness
from .context import Planned, StepContext
from .executors import executor_for, secret_variables
from .questions import Question
from .secrets import refuse_weak

__all__ = ["ask_inputs", "ask_placeholders", "env_lines"]

_TRIES = 3
_REF = re.compile(r"(?<![a-z])(?:tags?|release|commit|sha)(?![a-z])", re.I)
"""A placeholder that names a git reference (`<stable-tag>`, `[RELEASE]`): the previous tag fits it."""


def ask_inputs(ctx: StepContext, node: dict[str, Any]) -> None:
    """Every variable the step reads that is not set now: --var, a declared default, or the operator."""
    declared = {v["name"]: v for v in ctx.graph["runbook"]["variables"] if v.get("declared")}
    sent_as_secrets = secret_variables([node])
    for use in node.get("uses", []):
        name = use["name"]
        # Set now (by the environment, --var or a step of this run): known. A value a step that was
        # skipped, never reached (--from-step) or did not set would have given is asked for.
        if name in ctx.session.env:
            continue
        spec = declared.get(name, {})
        secret = bool(use["secret"] or spec.get("secret") or name in sent_as_secrets)
        if name in ctx.inputs.variables:
            value, source = ctx.inputs.variables[name], "var"
        else:
            default = None if secret else spec.get("default")
            question = Question(
                f"var:{name}",
                "secret" if secret else "text",
                spec.get("prompt") or f"Value for ${name} (used by {node['id']}){_unset_because(ctx, use)}",
                default=default,
                flag=f"--var {name}=VALUE",
            )
            value = (
                _strong(ctx, question, name)
                if secret
                else _value(ctx, question, f"${name}", empty_ok=default == "")
            )
            source = "asked"
        if secret:
            refuse_weak(name, value, "--var" if source == "var" else "asked")
            ctx.masker.add(value)
        ctx.session.env[name] = value
        ctx.emit(
            "input.set",
            node["id"],
            {"name": name, "value": MASK if secret else value, "secret": secret, "source": source},
        )


def _unset_because(ctx: StepContext, use: dict[str, Any]) -> str:
    """Why a variable a step of the runbook sets has no value now."""
    setter = use.get("from")
    if setter is None:
        return ""
    how = ctx.state.done.get(setter)
    if how == "skipped":
        return f"; {setter} sets it, and was skipped"
    if how is None:
        return f"; {setter} sets it, and has not run"
    return f"; {setter} ran without setting it"


def _value(ctx: StepContext, question: Question, name: str, empty_ok: bool) -> str:
    """The answer, an empty one refused when it was typed (Enter) and the runbook declares no
    empty default; one given in advance (`--answer var:X=`) is taken as it was given."""
    for _ in range(_TRIES):
        given = ctx.inputs.answers.has(question.id)
        value = ctx.ask(question)
        if value.strip() or given or empty_ok:
            return value
        ctx.view.text(
            f"  an empty value is not taken for {name}: type one (the runbook declares no empty default)"
        )
    raise UsageError(f"no value for {name}", f"give one with {question.how()}")


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
                placeholder_prompt(placeholder, node["id"]),
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


def placeholder_prompt(placeholder: dict[str, Any], step_id: str) -> str:
    """`Value for <hub> (in 1.2): the name of the hub, e.g. staging`: what the runbook says of it."""
    text = f"Value for {placeholder['text']} (in {step_id})"
    description = placeholder.get("description", "").strip().rstrip(".")
    if description:
        text += f": {description}"
    elif placeholder["kind"] == "example":
        text += ": the runbook says to put yours in its place"
    example = placeholder.get("example", "")
    if example:
        text += f", e.g. {example}"
    return text


def _placeholder_default(ctx: StepContext, placeholder: dict[str, Any]) -> str | None:
    """A default computed from what is here now, or None; never the runbook's own example."""
    text, kind = placeholder["text"], placeholder["kind"]
    if kind == "timestamp":
        # The newest file of that shape that exists now; the year-old name written in the
        # runbook is not one (issue 14 item 6).
        found = newest_matching(text, ctx.session.cwd)
        return found if found != text else None
    if kind == "commit" or (kind in ("angle", "bracket", "brace") and _REF.search(text)):
        # The release before the current one: from the repository the commands run in, else
        # from the runbook's own.
        return previous_tag(ctx.session.cwd) or previous_tag(ctx.runbook_path.resolve().parent)
    return None


def _plain_value(ctx: StepContext, question: Question) -> str:
    """A placeholder's value goes into the command text, so it must be plain: letters, digits and
    `. _ / @ : + = , %` (no leading dash). Anything else could be read as code by a shell the
    command starts (`bash -c '…'`, `ssh host '…'`), so it is refused, never quoted and hoped for."""
    name = question.id.split(":", 1)[1]
    for _ in range(_TRIES):
        value = ctx.ask(question)
        if is_plain(value):
            return value
        if not value.strip():
            message = f"an empty value cannot fill {name}: type one"
        else:
            shown = MASK if question.kind == "secret" else repr(value)  # a refused secret is still one
            message = refusal(value, name, shown)
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
