"""`runbook run --dry-run`: the resolved plan, every command and every question, nothing run."""

from __future__ import annotations

from typing import Any

from ..model.kinds import KINDS, runs
from ..policy.passwords import redact
from ..policy.values import is_plain, substitute
from ..run.questions import FAILED_CHOICES, IN_DOUBT_CHOICES, RUN_CHOICES
from .typed import group_typed, sessions, shown_blocks, where_words

__all__ = ["plan_lines"]


def plan_lines(
    unit: dict[str, Any], answers: dict[str, str], variables: dict[str, str], env: dict[str, str]
) -> list[str]:
    """Lines describing what a run would do, with the id of each question it would ask."""
    depth: dict[str, int] = {}
    lines = [f"Plan for {unit['title']} (nothing is run)"]
    if unit.get("confirm"):
        lines.append(
            f"  asks {unit['id']}:start — type {unit['confirm']['word']!r} to start (risk "
            f"{unit['risk']['level']})"
        )
    placeholders = {k.split(":", 1)[1]: v for k, v in answers.items() if k.startswith("placeholder:")}
    for node in unit["nodes"]:
        parent = node.get("parent")
        level = depth[parent["choice"]] + 1 if parent else 0
        depth[node["id"]] = level
        pad = "  " * (level + 1)
        if parent:
            lines.append(f"{pad}[branch {parent['branch']} of {parent['choice']}]")
        lines.append(f"{pad}{node['id']}  {node['kind']}  {node['title']}")
        inner = pad + "    "
        if node["kind"] == "gate":
            lines += [f"{inner}asks {item['id']} — {item['text']}" for item in node["items"]]
            continue
        if node["kind"] == "choice":
            keys = "|".join(b["key"] for b in node["choice"]["branches"])
            chosen = answers.get(node["id"])
            lines.append(f"{inner}asks {node['id']}={keys}" + (f"  (answered: {chosen})" if chosen else ""))
            continue
        flags = node["flags"]
        if flags["optional"]:
            lines.append(f"{inner}asks {node['id']}=yes|no — does it apply? ({flags['when']})")
        if flags["confirm"] == "typed":
            lines.append(f"{inner}asks {node['id']}:confirm — type {flags['confirm_word']!r} (destructive)")
        for block in node["blocks"]:
            if KINDS[block["kind"]].role == "announce":
                lines += [f"{inner}asks {node['id']}:{field}" for field in block["fields"]]
                continue
            if block in shown_blocks(node):
                count = block["code"].rstrip("\n").count("\n") + 1
                plural = "s" if count > 1 else ""
                lines.append(f"{inner}shows {block['lang'] or 'text'} ({count} line{plural}, not run)")
                continue
            known = {
                p["text"]: placeholders[p["text"]] for p in block["placeholders"] if p["text"] in placeholders
            }
            for placeholder in block["placeholders"]:
                if placeholder["kind"] != "field" and placeholder["text"] not in placeholders:
                    lines.append(f"{inner}asks placeholder:{placeholder['text']}")
            for command in block["commands"]:
                given = {k: v for k, v in known.items() if k in command["text"] and is_plain(v)}
                text = substitute(command["text"], given)
                marks = " (never-ending)" if command["never_ending"] and not command["session"] else ""
                if command["session"]:
                    marks = " (opens a session: the terminal is yours until you leave it)"
                lines.append(f"{inner}$ {text}{marks}".replace("\n", f"\n{inner}  "))  # a request, a heredoc
                lines += _later(command, inner)
            lines += _typed(block["typed"], inner)
        if sessions(node):
            lines.append(
                f"{inner}asks {node['id']}:inside=yes|no after the session (did you do what was needed "
                "inside?); needs you at a terminal: stops under --yes or without one"
            )
        if any(runs(b["kind"]) for b in node["blocks"]):
            lines.append(
                f"{inner}asks {node['id']}:run={_keys(RUN_CHOICES)} (--yes answers r), "
                f"then {node['id']}:failed={_keys(FAILED_CHOICES)} if it fails"
            )
        for use in node.get("uses", []):
            name = use["name"]
            if use["from"]:
                state = f"set by {use['from']}"
            elif name in variables or name in env:
                value = variables.get(name, env.get(name, ""))
                state = "secret, given" if use["secret"] else f"= {redact(value)}"
            else:
                state = f"asked (--var {name}=VALUE)"
            lines.append(f"{inner}${name}: {state}")
        if flags["manual"] and node["kind"] != "template":
            lines.append(f"{inner}asks {node['id']}:done — a step done by hand")
    lines.append(
        f"  (resuming a killed run asks ID:in-doubt={_keys(IN_DOUBT_CHOICES)} for a step it had started)"
    )
    return lines


def _typed(commands: list[dict[str, Any]], inner: str) -> list[str]:
    """Commands the operator types elsewhere: shown apart, never as `$ ` lines that would run."""
    lines = []
    for where, group in group_typed(commands):
        lines.append(f"{inner}typed {where_words(where)} (shown, not run):")
        for command in group:
            mark = " (destructive)" if command["destructive"] else ""
            lines.append(f"{inner}  > {command['text']}{mark}".replace("\n", f"\n{inner}    "))
    return lines


def _later(command: dict[str, Any], inner: str) -> list[str]:
    """What later steps say to type inside the session this command opens."""
    items = command.get("inside", [])
    if not items:
        return []
    lines = [f"{inner}  then, inside it, what later steps say to type:"]
    for item in items:
        mark = " (destructive)" if item["destructive"] else ""
        lines.append(f"{inner}    {item['step']}  > {item['text']}{mark}".replace("\n", f"\n{inner}      "))
    return lines


def _keys(choices: tuple[tuple[str, str], ...]) -> str:
    return "|".join(k for k, _ in choices)


def question_ids(unit: dict[str, Any]) -> set[str]:
    """Every question id a run of `unit` may ask (placeholders and variables excepted)."""
    ids = {"severity", f"{unit['id']}:start"}
    for node in unit["nodes"]:
        node_id = node["id"]
        if node["kind"] == "gate":
            for item in node["items"]:
                ids |= {item["id"], f"{item['id']}:override"}
            continue
        ids |= {
            node_id,
            f"{node_id}:run",
            f"{node_id}:failed",
            f"{node_id}:note",
            f"{node_id}:confirm",
            f"{node_id}:done",
            f"{node_id}:in-doubt",
            f"{node_id}:inside",
        }
        for block in node.get("blocks", []):
            ids |= {f"{node_id}:{name}" for name in block["fields"]}
    return ids


def _check_value(unit: dict[str, Any], key: str, value: str) -> None:
    """An answer given in advance that its question would refuse is refused now, before anything
    runs: found out when the step is reached, it would stop a run half done."""
    from ..errors import UsageError
    from ..run.questions import FAILED_CHOICES, IN_DOUBT_CHOICES, RUN_CHOICES, Question, normalise

    nodes = {n["id"]: n for n in unit["nodes"]}
    items = {i["id"] for n in unit["nodes"] if n["kind"] == "gate" for i in n["items"]}
    suffix = key.partition(":")[2]
    question: Question | None = None
    if suffix in ("run", "failed", "in-doubt"):
        menu = {"run": RUN_CHOICES, "failed": FAILED_CHOICES, "in-doubt": IN_DOUBT_CHOICES}[suffix]
        question = Question(key, "choice", key, menu)
    elif suffix in ("done", "inside") or (not suffix and key in items):
        question = Question(key, "yesno", key)
    elif not suffix and key in nodes:
        node = nodes[key]
        if node["kind"] == "choice":
            branches = tuple((b["key"], b["title"]) for b in node["choice"]["branches"])
            question = Question(key, "choice", key, branches)
        else:
            question = Question(key, "yesno", key)
    if question is not None and normalise(question, value) is None:
        allowed = "yes or no" if question.kind == "yesno" else ", ".join(k for k, _ in question.choices)
        raise UsageError(f"--answer {key}={value!r} is not an answer it takes", f"answer with {allowed}")


def check_answer_ids(unit: dict[str, Any], answers: dict[str, str]) -> None:
    """Refuse answers to questions this procedure never asks: a typo must not go unnoticed.

    Raises:
        UsageError: an answer id matches no question (with the closest ones), or a placeholder's
            answer is not a plain value.
    """
    import difflib
    import re

    from ..errors import UsageError
    from ..policy.secrets import is_secret_name
    from ..policy.values import is_plain

    known = question_ids(unit)
    for key, value in answers.items():
        if key.startswith("placeholder:") and not is_plain(value):
            # Found out only when the step is reached, it would stop a run half done.
            secret = is_secret_name(re.sub(r"\W", "_", key.split(":", 1)[1]).upper())
            raise UsageError(
                f"--answer {key}: {'••••' if secret else repr(value)} cannot fill {key.split(':', 1)[1]}:"
                " only letters, digits and"
                " . _ / @ : + = , % are allowed (no spaces, quotes, $, ; or a leading dash)",
                "use a plain value, or put it in a variable with --var NAME=VALUE",
            )
        if key in known:
            _check_value(unit, key, value)
            continue
        if key.startswith(("placeholder:", "var:")):
            continue
        if re.fullmatch(r"(.+):(expect|check)\.\d+", key) and key.rsplit(":", 1)[0] in known:
            continue
        close = difflib.get_close_matches(key, sorted(known), n=3)
        raise UsageError(
            f"--answer {key}: {unit['title']} asks no such question"
            + (f"; did you mean {', '.join(close)}?" if close else ""),
            "`runbook run … --dry-run` lists the questions and their ids",
        )
