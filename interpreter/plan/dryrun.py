"""`runbook run --dry-run`: the resolved plan, every command and every question, nothing run."""

from __future__ import annotations

import re
from typing import Any

from ..model.kinds import KINDS, runs
from ..policy.passwords import redact
from ..policy.values import is_plain, substitute
from ..run.executors import executor_for
from ..run.questions import FAILED_CHOICES, IN_DOUBT_CHOICES, RUN_CHOICES
from .typed import group_typed, sessions, shown_blocks, where_words

__all__ = ["check_answer_ids", "plan_lines", "planned_questions", "question_ids"]


def plan_lines(
    unit: dict[str, Any],
    answers: dict[str, str],
    variables: dict[str, str],
    env: dict[str, str],
    decisions: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Lines describing what a run would do, with the id of each question it would ask, in the
    order it would ask them (`planned_questions` gives the same questions as data)."""
    lines = [f"Plan for {unit['title']} (nothing is run)"]
    for node_id, question, text in planned_questions(unit, answers, variables, env, decisions):
        if node_id is None:
            lines.append(f"  asks {_asked(question, text)}")
    depth: dict[str, int] = {}
    placeholders = {k.split(":", 1)[1]: v for k, v in answers.items() if k.startswith("placeholder:")}
    asked = _by_node(planned_questions(unit, answers, variables, env, decisions))
    for node in unit["nodes"]:
        parent = node.get("parent")
        level = depth[parent["choice"]] + 1 if parent else 0
        depth[node["id"]] = level
        pad = "  " * (level + 1)
        inner = pad + "    "
        if parent:
            lines.append(f"{pad}[branch {parent['branch']} of {parent['choice']}]")
        flags = node.get("flags") or {}
        marks = "  DESTRUCTIVE" if flags.get("destructive") else ""
        lines.append(f"{pad}{node['id']}  {node['kind']}  {node['title']}{marks}")
        questions = asked.get(node["id"], [])
        before = [q for q in questions if q[2] == "before"]
        after = [q for q in questions if q[2] != "before"]
        lines += [f"{inner}asks {_asked(q, t)}" for q, t, _ in before]
        for block in node.get("blocks", []):
            if KINDS[block["kind"]].role == "announce":
                continue
            if block in shown_blocks(node):
                count = block["code"].rstrip("\n").count("\n") + 1
                plural = "s" if count > 1 else ""
                lines.append(f"{inner}shows {block['lang'] or 'text'} ({count} line{plural}, not run)")
                continue
            known = {
                p["text"]: placeholders[p["text"]] for p in block["placeholders"] if p["text"] in placeholders
            }
            for command in block["commands"]:
                given = {k: v for k, v in known.items() if k in command["text"] and is_plain(v)}
                text = substitute(command["text"], given)
                marks = " (never-ending)" if command["never_ending"] and not command.get("session") else ""
                if command.get("session"):
                    marks = " (opens a session: the terminal is yours until you leave it)"
                marks += " (destructive)" if command.get("destructive") else ""
                first, *rest = text.split("\n")  # a request, a heredoc: its later lines under it
                lines += [f"{inner}$ {first}{marks}", *(f"{inner}  {line}" for line in rest)]
                lines += _later(command, inner)
            lines += _typed(block.get("typed", []), inner)
        lines += [f"{inner}asks {_asked(q, t)}" for q, t, _ in after]
        for use in node.get("uses", []):
            name = use["name"]
            if use["from"]:
                lines.append(f"{inner}${name}: set by {use['from']}")
            elif name in variables or name in env:
                value = variables.get(name, env.get(name, ""))
                lines.append(
                    f"{inner}${name}: " + ("secret, given" if use["secret"] else f"= {redact(value)}")
                )
    lines.append(
        f"  (if a step fails: ID:failed={_keys(FAILED_CHOICES)}, then ID:retry-from=failed|start; "
        f"resuming a killed run asks ID:in-doubt={_keys(IN_DOUBT_CHOICES)} for a step it had started)"
    )
    return lines


_KEYS = re.compile(r"[\w.-]+(?:\|[\w.-]+)+")


def _asked(question: str, text: str) -> str:
    """`ID=a|b rest` when the question takes one of some keys (as --answer ID=KEY), else `ID — text`."""
    keys = _KEYS.match(text)
    if keys:
        return f"{question}={text}"
    return question + (f" — {text}" if text else "")


def _by_node(questions: list[tuple[str | None, str, str]]) -> dict[str, list[tuple[str, str, str]]]:
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for node_id, question, text in questions:
        if node_id is not None:
            where, _, rest = text.partition("|")
            grouped.setdefault(node_id, []).append((question, rest, where))
    return grouped


def planned_questions(
    unit: dict[str, Any],
    answers: dict[str, str],
    variables: dict[str, str],
    env: dict[str, str],
    decisions: list[dict[str, Any]] | None = None,
) -> list[tuple[str | None, str, str]]:
    """Every question a run of `unit` asks when nothing fails, node by node in the order the run
    asks them: (node id or None for the run's own, question id, what it asks). For a node, the
    text starts with `before|` for questions asked before its commands are shown and `after|`
    for the others. Questions answered in advance are listed too (the run takes the answer)."""
    found: list[tuple[str | None, str, str]] = []
    if unit.get("confirm"):
        found.append(
            (
                None,
                f"{unit['id']}:start",
                f"type {unit['confirm']['word']!r} to start (risk {unit['risk']['level']})",
            )
        )
    severity = next((d for d in decisions or [] if d["kind"] == "severity"), None)
    if severity is not None:
        keys = "|".join(
            (r["cells"][0].split(" ")[0] or str(i)) for i, r in enumerate(severity["rows"], start=1)
        )
        found.append((None, "severity", f"{keys}|skip — {severity['title']} (sets the response target)"))
    for node in unit["nodes"]:
        node_id = node["id"]
        kind = node["kind"]

        def ask(question: str, text: str = "", when: str = "after", where: str = node_id) -> None:
            given = f" (answered: {answers[question]})" if question in answers else ""
            found.append((where, question, f"{when}|{text}{given}"))

        if kind == "gate":
            for item in node["items"]:
                ask(item["id"], item["text"], "before")
            continue
        if kind == "choice":
            keys = "|".join(b["key"] for b in node["choice"]["branches"])
            ask(
                node_id,
                f"{keys} (or back)" + (f" (answered: {answers[node_id]})" if node_id in answers else ""),
                "before",
            )
            continue
        flags = node["flags"]
        if flags["optional"]:
            ask(node_id, f"yes|no — does it apply? ({flags['when'] or 'optional'})", "before")
        blocks = node.get("blocks", [])
        if kind == "template":
            for block in blocks:
                for field in block.get("fields", []):
                    ask(f"{node_id}:{field}", f"[{field}]")
            continue
        runnable = [b for b in blocks if runs(b["kind"])]
        for use in node.get("uses", []) if runnable else []:
            name = use["name"]
            if use["from"] is None and name not in variables and name not in env:
                ask(f"var:{name}", f"${name} (--var {name}=VALUE)")
        for block in runnable:
            for placeholder in block["placeholders"]:
                if placeholder["kind"] != "field":
                    ask(f"placeholder:{placeholder['text']}", f"{placeholder['kind']} placeholder")
        if not runnable:
            if flags["confirm"] == "typed":
                ask(f"{node_id}:confirm", f"type {flags['confirm_word']!r} (destructive, done by hand)")
            for index, check in enumerate(node.get("checks", []), start=1):
                ask(f"{node_id}:check.{index}", check)
            ask(f"{node_id}:done", "a step done by hand (--yes answers yes)")
            continue
        ask(f"{node_id}:run", f"{_keys(RUN_CHOICES)} (--yes answers r)")
        if flags["confirm"] == "typed":
            ask(
                f"{node_id}:confirm",
                f"type {flags['confirm_word']!r} (destructive; after r, before every attempt)",
            )
        if sessions(node):
            ask(
                f"{node_id}:inside",
                "yes|no after the session (did you do what was needed inside?); needs you at a "
                "terminal: stops under --yes or without one",
            )
        # Numbered as the run numbers them: the expectations its executor leaves to be checked
        # after the commands (http and sql check theirs inside, and sql asks none).
        planned = [c for b in runnable for c in executor_for(b["kind"]).plan(b, {}, {})]
        for number, expectation in enumerate((e for c in planned for e in c.expectations), start=1):
            if not expectation["literal"]:
                ask(f"{node_id}:expect.{number}", f"Expected: {expectation['text']} (--yes answers yes)")
    return found


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
    ids = {"severity", f"{unit['id']}:start", "alongside"}
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
            f"{node_id}:retry-from",
            f"{node_id}:group",
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
    if suffix in ("run", "failed", "in-doubt", "retry-from", "group"):
        menu = {
            "run": RUN_CHOICES,
            "failed": FAILED_CHOICES,
            "in-doubt": IN_DOUBT_CHOICES,
            "retry-from": (("failed", "the failed command"), ("start", "the start")),
            "group": (("w", "wait"), ("k", "kill"), ("l", "leave")),
        }[suffix]
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
    from ..policy.values import is_plain, refusal

    known = question_ids(unit)
    for key, value in answers.items():
        if key.startswith("placeholder:") and not is_plain(value):
            # Found out only when the step is reached, it would stop a run half done.
            secret = is_secret_name(re.sub(r"\W", "_", key.split(":", 1)[1]).upper())
            raise UsageError(
                f"--answer {key}: " + refusal(value, key.split(":", 1)[1], "••••" if secret else None),
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
