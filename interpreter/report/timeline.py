"""A run's journal as a timeline a person reads: UTC time, time since start, actor, step, event."""

from __future__ import annotations

from typing import Any

from ..policy.durations import precise, since_start
from ..policy.terminal import headline, visible

__all__ = ["summary", "timeline_lines"]


def summary(event: dict[str, Any]) -> str:
    """One line saying what an event means."""
    kind, data = event["type"], event["data"]
    if kind == "run.started":
        return f"run started: {data['procedure']['title']} ({data['runbook']['path']})"
    if kind == "run.finished":
        reason = f" — {data['reason']}" if data.get("reason") else ""
        return f"run {data['status']} (exit {data['exit_code']}){reason}"
    if kind == "step.started":
        # An attempt from command K runs the commands from K: those are what it started.
        commands = "; ".join(headline(c) for c in data["commands"][max(data.get("from_command", 1), 1) - 1 :])
        if len(commands) > 120:
            commands = commands[:119] + "…"
        edited = " (edited)" if data.get("edited") else ""
        where = f", from command {data['from_command']}" if data.get("from_command") else ""
        return f"started (attempt {data['attempt']}{where}){edited}: {commands}"
    if kind == "command.started":
        group = f" in process group {data['group']}" if data.get("group") else ""
        return f"command {data['index']} started{group}: {headline(str(data['text']))}"
    if kind == "command.finished":
        return f"command {data['index']} {_ended(data)}"
    if kind == "step.back":
        return f"went back to {data['to']}"
    if kind == "shell.opened":
        return f"shell opened ({data.get('shell', 'shell')}); what is done there does not carry"
    if kind == "shell.closed":
        return f"shell closed (exit {data['exit_code']}) after {precise(data['duration'])}"
    if kind == "step.finished":
        return _ended(data)
    if kind == "choice.made":
        if data.get("changed_from"):
            return (
                f"changed the choice from {data['changed_from']} to {data['branch']}: {data.get('title', '')}"
            )
        return f"chose {data['branch']}: {data.get('title', '')}"
    if kind == "gate.item":
        return f"prerequisite {data['answer']}: {data['text']}" + (
            f" — {data['note']}" if data.get("note") else ""
        )
    if kind == "gate.passed":
        return f"prerequisites acknowledged ({data['items']})"
    if kind == "gate.refused":
        return f"prerequisite refused: {data['reason']}"
    if kind == "input.set":
        return f"{data['name']} = {data['value']} ({data['source']})"
    if kind == "step.skipped":
        return f"skipped: {data['reason']}"
    if kind == "step.confirmed":
        return f"confirmed by typing {data['word']!r} ({data['by']})"
    if kind == "expectation.checked":
        return f"expected {data['text']}: {data['result']}"
    if kind == "template.announced":
        return "announced: " + str(data["text"]).strip().split("\n")[0]
    if kind == "decision.made":
        return f"severity {data['severity']}" + (
            f", respond within {data['response_minutes']:g} min"
            if data.get("response_minutes") is not None
            else ""
        )
    if kind == "note.added":
        return f"note: {data['text']}"
    if kind == "step.in-doubt":
        found: dict[str, Any] = data.get("group") or {}
        alive = (
            f"; its process group {found['id']} was {found.get('action') or found.get('state')}"
            if found.get("id")
            else ""
        )
        where = f" from command {data['from_command']}" if data.get("from_command") else ""
        return f"in doubt after a kill; operator chose {data['decision']}{where}{alive}"
    if kind == "environment.snapshot":
        if data["error"]:
            return f"containers at the {data['when']}: engine {data['engine']} unreachable ({data['error']})"
        states = ", ".join(f"{c['name']} {c['status']}" for c in data["containers"]) or "none"
        return f"containers at the {data['when']}: {states}"
    if kind == "run.resumed":
        return "run resumed"
    if kind == "session.opened":
        typed = f", {len(data['typed'])} command(s) shown to type inside" if data["typed"] else ""
        return f"session opened: {data['command'].split(chr(10))[0]}{typed}"
    if kind == "session.closed":
        done = {True: "done inside, the operator says", False: "not done inside, the operator says"}
        code = f" exit {data['exit_code']}" if data["exit_code"] is not None else ""
        return f"session closed:{code} after {precise(data['duration'])}; " + done.get(
            data["done"], "the command did not start"
        )
    return str(kind)


def timeline_lines(
    events: list[dict[str, Any]], markdown: bool = False, width: int | None = None
) -> list[str]:
    """One line per event; with `width` (a terminal's), an event's sentence too long for it goes
    on over more lines, broken between words and indented under itself. Every text from the
    journal is made visible (control characters shown, never obeyed: a note must not rewrite the
    reader's clipboard or title)."""
    rows = [
        tuple(
            visible(cell)
            for cell in (
                e["time"][:19].replace("T", " "),
                since_start(e["elapsed"]),
                e["actor"],
                e["step"] or "",
                summary(e),
            )
        )
        for e in events
    ]
    if markdown:
        lines = ["| UTC | elapsed | actor | step | event |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return lines
    out = []
    for row in rows:
        head = "  ".join([row[0], row[1], row[2], row[3].ljust(12)]) + "  "
        out += _fit(head, row[4], width) if width else [head + row[4]]
    return out


def _fit(head: str, sentence: str, width: int) -> list[str]:
    """`head` then `sentence`, broken between words to fit `width` (a word longer than a line is
    left whole: the terminal folds it, nothing else is cut)."""
    import textwrap

    if len(head) + len(sentence) <= width:
        return [head + sentence]
    room = width - len(head)
    if room >= 30:
        return textwrap.wrap(
            sentence,
            width,
            initial_indent=head,
            subsequent_indent=" " * len(head),
            break_long_words=False,
            break_on_hyphens=False,
        )
    indent = "    "
    rest = textwrap.wrap(
        sentence,
        width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [head.rstrip(), *rest]


def _ended(data: dict[str, Any]) -> str:
    """How a step or one of its commands ended: `ok exit 0 in 1.2s`."""
    code = f" exit {data['exit_code']}" if data["exit_code"] is not None else ""
    return f"{data['status']}{code} in {precise(data['duration'])}"
