"""A run's journal as the post-mortem people write by hand today.

The structure follows common incident reviews (the Google SRE post-mortem; PagerDuty and
incident.io timelines): a header, a summary, sections left for people with prompts, the timeline,
the steps, every deviation from the runbook, notes, decisions, announcements and the transcript.
`build` turns events into one plain dict (the JSON form); Markdown and HTML are drawn from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..errors import UsageError
from ..journal.events import parse_time
from ..journal.folds import ending, first, start
from ..journal.summary import RunSummary
from ..policy.durations import axis, human, precise, since_start
from .timeline import summary as event_summary

__all__ = ["build", "parse_moment", "to_html", "to_markdown"]

FORMAT = "runbook-postmortem/1"
EXCERPT_LINES = 20
"""Lines kept from each end of a long output; the rest is in the output file."""
EXCERPT_BYTES = 4096

TO_FILL = [
    ("Impact", "Who and what was affected, for how long, and how badly (users, requests, data, revenue)?"),
    ("Root cause", "Why did it happen? Keep asking why until you reach something you can change."),
    (
        "Action items",
        "What will prevent a repeat or shorten the next one? One line each: owner, ticket, due date.",
    ),
    ("Lessons learned", "What went well, what went badly, where did we get lucky?"),
]


def parse_moment(text: str | None, flag: str) -> str | None:
    """An ISO 8601 time given on the command line, as UTC `YYYY-MM-DDTHH:MM:SSZ`.

    Raises:
        UsageError: the text is not a time.
    """
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not a time", f"give ISO 8601, for example {flag} 2026-11-28T22:30:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _excerpt(data: bytes | None) -> tuple[str | None, bool]:
    """The output as text, cut in the middle when long; and whether it was cut."""
    if data is None:
        return None, False
    text = data.decode("utf-8", "replace")
    lines = text.splitlines()
    if len(lines) <= 2 * EXCERPT_LINES and len(data) <= 2 * EXCERPT_BYTES:
        return text.rstrip("\n"), False
    head = "\n".join(lines[:EXCERPT_LINES])[:EXCERPT_BYTES]
    tail = "\n".join(lines[-EXCERPT_LINES:])[-EXCERPT_BYTES:]
    cut = max(0, len(lines) - 2 * EXCERPT_LINES)
    return f"{head}\n… {cut} line(s) cut …\n{tail}", True


DONE = ("ok", "stopped", "done by hand")


def build(
    events: list[dict[str, Any]],
    output: Callable[[str], bytes | None],
    deployed_at: str | None = None,
    detected_at: str | None = None,
    live: bool = False,
) -> dict[str, Any]:
    """The post-mortem of a run as one JSON-ready dict.

    `output(name)` returns an output file's bytes (`outputs/SHA.log`) or None when it is not kept;
    `live` says a process still works on the run (its status is then `running`, not `killed`).
    """
    if not events:
        raise UsageError("the run has no events", "is it the right run id?")
    started = start(events) or events[0]
    data = started["data"] if started["type"] == "run.started" else {}
    # How the last attempt ended, in the words `runbook runs` uses (journal/summary.py).
    finished = ending(events)
    run = RunSummary.of(started["run"], events, live)
    runbook = data.get("runbook", {})
    procedure = data.get("procedure", {})
    start_time = started["time"]
    end_time = finished["time"] if finished else events[-1]["time"]
    duration = (parse_time(end_time) - parse_time(start_time)).total_seconds()
    status = run.status
    severity = first(events, "decision.made")
    response_minutes = severity["data"].get("response_minutes") if severity else None

    steps: dict[str, dict[str, Any]] = {}
    bars: list[dict[str, Any]] = []
    deviations: list[dict[str, Any]] = []
    transcript: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    announcements: list[dict[str, Any]] = []
    open_attempts: dict[str, dict[str, Any]] = {}
    last_elapsed = 0.0
    resumes = 0

    def step_row(step_id: str, title: str | None) -> dict[str, Any]:
        row = steps.setdefault(
            step_id,
            {
                "id": step_id,
                "title": title or step_id,
                "status": "not run",
                "attempts": 0,
                "duration": 0.0,
                "exit_code": None,
            },
        )
        if title:
            row["title"] = title
        return row

    for event in events:
        kind, step, info = event["type"], event["step"], event["data"]
        if kind == "step.started":
            row = step_row(step, info.get("title"))
            row["attempts"] = max(row["attempts"], info["attempt"])
            wait = max(0.0, event["elapsed"] - last_elapsed)
            if wait >= 0.5:
                bars.append({"kind": "wait", "step": step, "start": last_elapsed, "end": event["elapsed"]})
            open_attempts[step] = {"start": event["elapsed"], "attempt": info["attempt"]}
            if info.get("edited"):
                deviations.append(
                    {
                        "kind": "edited",
                        "step": step,
                        "text": "commands edited before running",
                        "original": info["edited"]["original"],
                        "edited": info["edited"]["edited"],
                    }
                )
            if info["attempt"] > 1:
                where = (
                    f", from command {info['from_command']}"
                    if info.get("from_command")
                    else ", from the start"
                )
                deviations.append(
                    {"kind": "retried", "step": step, "text": f"attempt {info['attempt']}{where}"}
                )
        elif kind == "step.finished":
            row = step_row(step, info.get("title"))
            row["status"] = info["status"]
            row["duration"] = round(row["duration"] + info["duration"], 3)
            row["exit_code"] = info["exit_code"]
            if info.get("manual"):
                row["status"] = "done by hand" if info["status"] == "ok" else info["status"]
            begin = open_attempts.pop(step, {"start": event["elapsed"] - info["duration"], "attempt": 1})
            bars.append(
                {
                    "kind": info["status"],
                    "step": step,
                    "start": begin["start"],
                    "end": event["elapsed"],
                    "attempt": begin["attempt"],
                }
            )
            if info["status"] not in ("ok", "stopped"):
                deviations.append(
                    {
                        "kind": "failed",
                        "step": step,
                        "text": f"{info['status']}"
                        + (f" (exit {info['exit_code']})" if info["exit_code"] is not None else ""),
                    }
                )
            for command in info["commands"]:
                kept = command["output"]
                text, cut = _excerpt(b"" if kept["bytes"] == 0 else output(kept["file"]))
                transcript.append(
                    {
                        "step": step,
                        "attempt": begin["attempt"],
                        "command": command["text"],
                        "status": command["status"],
                        "exit_code": command["exit_code"],
                        "duration": command["duration"],
                        "output": text,
                        "cut": cut,
                        "file": command["output"]["file"],
                        "bytes": command["output"]["bytes"],
                    }
                )
        elif kind == "step.skipped":
            row = step_row(step, info.get("title"))
            row["status"] = "skipped"
            deviations.append({"kind": "skipped", "step": step, "text": info["reason"]})
        elif kind == "step.in-doubt":
            row = step_row(step, info.get("title"))
            open_attempts.pop(step, None)
            deviations.append(
                {
                    "kind": "in doubt",
                    "step": step,
                    "text": f"killed mid-step; on resume the operator chose {info['decision']}",
                }
            )
            decisions.append(
                {
                    "what": f"in-doubt step {step}",
                    "choice": info["decision"],
                    "row": None,
                    "rationale": "the step had started but its end was never recorded",
                    "by": event["actor"],
                }
            )
        elif kind == "expectation.checked" and not str(info["result"]).startswith(("passed", "confirmed")):
            deviations.append(
                {"kind": "expectation", "step": step, "text": f"expected {info['text']}: {info['result']}"}
            )
        elif kind == "step.confirmed":
            what = info.get("what", "destructive step")
            deviations.append(
                {
                    "kind": "destructive",
                    "step": step,
                    "text": f"{what} confirmed by typing {info['word']!r} ({info['by']})",
                }
            )
        elif kind == "gate.item" and info["answer"] == "override":
            deviations.append(
                {
                    "kind": "override",
                    "step": step,
                    "text": f"prerequisite not met, overridden: {info['text']} — {info.get('note', '')}",
                }
            )
            decisions.append(
                {
                    "what": f"prerequisite {info['item']}",
                    "choice": "override",
                    "row": None,
                    "rationale": info.get("note", ""),
                    "by": event["actor"],
                }
            )
        elif kind == "gate.refused":
            deviations.append({"kind": "refused", "step": step, "text": info["reason"]})
        elif kind == "step.back":
            deviations.append(
                {"kind": "back", "step": step, "text": f"the operator went back to {info['to']}"}
            )
        elif kind == "shell.opened":
            deviations.append(
                {
                    "kind": "shell",
                    "step": step,
                    "text": "a shell was opened; what was done there is not journaled",
                }
            )
        elif kind == "choice.made":
            if info.get("changed_from"):
                deviations.append(
                    {
                        "kind": "changed",
                        "step": step,
                        "text": f"choice changed from {info['changed_from']} to {info['branch']}",
                    }
                )
            decisions.append(
                {
                    "what": f"choice {info['choice']}",
                    "choice": f"{info['branch']}: {info.get('title', '')}",
                    "row": None,
                    "rationale": "",
                    "by": event["actor"],
                }
            )
        elif kind == "decision.made":
            decisions.append(
                {
                    "what": "severity",
                    "choice": info["severity"],
                    "row": info.get("row"),
                    "line": info.get("line"),
                    "rationale": " | ".join(info.get("row") or []),
                    "by": event["actor"],
                }
            )
        elif kind == "note.added":
            notes.append(
                {
                    "time": event["time"],
                    "elapsed": event["elapsed"],
                    "actor": event["actor"],
                    "step": step,
                    "text": info["text"],
                }
            )
        elif kind == "template.announced":
            announcements.append({"time": event["time"], "step": step, "text": str(info["text"]).strip()})
        elif kind == "run.resumed":
            resumes += 1
        last_elapsed = event["elapsed"]
    for step_id, begin in open_attempts.items():
        deviations.append(
            {
                "kind": "unfinished",
                "step": step_id,
                "text": f"attempt {begin['attempt']} started and never recorded its end (the run was "
                "killed?); a resume asks whether it happened",
            }
        )
        bars.append(
            {
                "kind": "unfinished",
                "step": step_id,
                "start": begin["start"],
                "end": last_elapsed,
                "attempt": begin["attempt"],
            }
        )
        steps[step_id]["status"] = "unfinished"

    # A note made about a choice or a decision is its rationale.
    for decision in decisions:
        target = decision["what"].split(" ")[-1]
        said = [n["text"] for n in notes if n["step"] == target]
        if said and not decision["rationale"]:
            decision["rationale"] = "; ".join(said)

    budget = procedure.get("duration") or None
    if budget and budget.get("max") is not None and duration > budget["max"] * 60:
        deviations.append(
            {
                "kind": "overrun",
                "step": None,
                "text": f"took {human(duration)}, over the {budget['text']} the runbook budgets",
            }
        )
    response_from = detected_at or start_time
    response_taken = (parse_time(end_time) - parse_time(response_from)).total_seconds()
    since = "detection" if detected_at else "the start of the run"
    chosen = severity["data"]["severity"] if severity else ""
    if response_minutes is not None and response_taken > response_minutes * 60:
        deviations.append(
            {
                "kind": "response target",
                "step": None,
                "text": f"{human(response_taken)} from {since} to the end, over the "
                f"{response_minutes:g} min response target of {chosen}",
            }
        )

    operators = sorted({e["actor"] for e in events})
    completed = finished["time"] if finished and status == "ok" else None
    down_from = detected_at or deployed_at
    downtime = (
        (parse_time(completed) - parse_time(down_from)).total_seconds() if completed and down_from else None
    )
    document_timeline = [
        {
            "field": "Deployment start time",
            "value": deployed_at,
            "source": "--deployed-at" if deployed_at else None,
        },
        {
            "field": "Issue detected time",
            "value": detected_at,
            "source": "--detected-at" if detected_at else None,
        },
        {"field": "Rollback initiated time", "value": start_time, "source": "run.started"},
        {
            "field": "Rollback completed time",
            "value": completed,
            "source": "run.finished" if completed else None,
        },
        {
            "field": "Total downtime duration",
            "value": human(downtime) if downtime is not None else None,
            "source": ("from " + ("detection" if detected_at else "deployment") + " to rollback completed")
            if downtime is not None
            else None,
        },
    ]
    for row in document_timeline:
        row["missing"] = None if row["value"] else _missing(row["field"])
    failed = [d for d in deviations if d["kind"] == "failed"]
    summary = (
        f"{procedure.get('title', 'The procedure')} ran for {human(duration)} "
        f"by {', '.join(operators)} and "
        + (f"ended {status}" if finished else "is still running" if live else "was killed")
        + (f" (exit {finished['data']['exit_code']})" if finished else "")
        + f": {sum(1 for s in steps.values() if s['status'] in DONE)} step(s) done, "
        f"{sum(1 for s in steps.values() if s['status'] == 'skipped')} skipped, {len(failed)} failure(s)"
        + (f", resumed {resumes} time(s)" if resumes else "")
        + "."
    )
    snapshots = [e["data"] for e in events if e["type"] == "environment.snapshot"]
    return {
        "format": FORMAT,
        "run": started["run"],
        "title": f"Post-mortem: {procedure.get('title', 'run ' + started['run'])}",
        "header": {
            "runbook": {k: runbook.get(k) for k in ("path", "title", "version", "sha256", "commit", "dirty")},
            "procedure": {
                "id": procedure.get("id"),
                "title": procedure.get("title"),
                "duration": (budget or {}).get("text"),
                "risk": (procedure.get("risk") or {}).get("text"),
            },
            "operators": operators,
            "host": data.get("host"),
            "severity": severity["data"]["severity"] if severity else None,
            "response_minutes": response_minutes,
            "start": start_time,
            "end": end_time,
            "duration": round(duration, 3),
            "status": status,
            "exit_code": finished["data"]["exit_code"] if finished else None,
            "journal": _integrity(events),
            "reason": finished["data"].get("reason")
            if finished
            else "its last attempt is still going on"
            if live
            else "its last attempt recorded no end and no process works on it: `runbook resume` continues it",
        },
        "summary": summary,
        "document_timeline": document_timeline,
        "to_fill": [{"title": t, "prompt": p} for t, p in TO_FILL],
        "timeline": [
            {
                "time": e["time"],
                "elapsed": e["elapsed"],
                "actor": e["actor"],
                "step": e["step"],
                "type": e["type"],
                "event": event_summary(e),
            }
            for e in events
            if e["type"] not in ("command.started", "command.finished")  # the transcript has each
        ],
        "steps": list(steps.values()),
        "deviations": deviations,
        "notes": notes,
        "decisions": decisions,
        "announcements": announcements,
        "environment": _environment(snapshots),
        "transcript": transcript,
        "bars": bars,
    }


def _integrity(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the journal is as it was written (its hash chain), in words and as facts."""
    from ..journal.chain import verify

    verdict = verify(events)
    state = "holds" if verdict.holds else "broken" if verdict.broken is not None else "unchained"
    return {"chain": state, "head": verdict.head, "broken_at": verdict.broken, "text": verdict.describe()}


def _environment(snapshots: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Containers before and after the run, side by side, from `environment.snapshot` events."""
    if not snapshots:
        return None
    before = next((s for s in snapshots if s.get("when") == "start"), None)
    after = next((s for s in reversed(snapshots) if s.get("when") == "end"), None)
    rows: dict[str, dict[str, Any]] = {}
    for side, snap in (("before", before), ("after", after)):
        for container in (snap or {}).get("containers") or []:
            row = rows.setdefault(
                container["name"], {"name": container["name"], "before": None, "after": None}
            )
            row[side] = {k: container.get(k) for k in ("image", "status", "health")}
    errors = [s["error"] for s in (before, after) if s and s.get("error")]
    return {
        "rows": [rows[k] for k in sorted(rows)],
        "errors": errors,
        "engine": (after or before or {}).get("engine"),
    }


# -- Markdown --------------------------------------------------------------------------------


# Everything in the Markdown form that came from a run (titles, notes, command text and output,
# step ids, paths) is written so that it stays what it is: text escapes HTML, code spans and fences
# are longer than any run of backticks inside. A journal is data anyone may have written.


def _text(value: Any) -> str:
    """Text from the run as Markdown prose, on one line: no tag can open (`<` is written `&lt;`)."""
    text = "" if value is None else str(value)
    return text.replace("<", "&lt;").replace("\r", " ").replace("\n", " ")


def _code(value: Any) -> str:
    """A code span holding `value` as it is, whatever backticks it holds."""
    text = ("" if value is None else str(value)).replace("\r", " ").replace("\n", " ")
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _cell(value: Any) -> str:
    text = _text(value)
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _fence(text: str, info: str = "") -> list[str]:
    # Longer than any run of backticks anywhere in the text (an indented ```` closes a fence too).
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{info}", text, ticks]


def _utc(text: str | None) -> str:
    return text[:19].replace("T", " ") + " UTC" if text else "unknown"


def to_markdown(report: dict[str, Any]) -> str:
    head = report["header"]
    book = head["runbook"]
    out = [f"# {_text(report['title'])}", ""]
    commit = (book["commit"] or "not in git")[:12] + (" (uncommitted changes)" if book.get("dirty") else "")
    out += _table(
        ["", ""],
        [
            ["Run", _code(report["run"])],
            ["Runbook", f"{book.get('title') or ''} ({_code(book['path'])})".strip()],
            ["Version", book.get("version") or "unversioned"],
            ["Commit", commit],
            ["Content sha256", f"`{(book.get('sha256') or '')[:16]}…`"],
            ["Procedure", f"{head['procedure']['id']}: {head['procedure']['title']}"],
            ["Risk", head["procedure"]["risk"] or "not stated"],
            ["Duration budget", head["procedure"]["duration"] or "not stated"],
            ["Operators", ", ".join(head["operators"])],
            ["Severity", head["severity"] or "not chosen"],
            [
                "Response target",
                f"{head['response_minutes']:g} min" if head["response_minutes"] is not None else "none",
            ],
            ["Start", _utc(head["start"])],
            ["End", _utc(head["end"])],
            ["Duration", human(head["duration"])],
            ["Journal", f"hash chain {head['journal']['text']}"],
            [
                "Outcome",
                f"{head['status']}"
                + (f" (exit {head['exit_code']})" if head["exit_code"] is not None else "")
                + (f" — {head['reason']}" if head.get("reason") else ""),
            ],
        ],
    )
    out += ["", "## Summary", "", _text(report["summary"]), ""]
    for section in report["to_fill"]:
        out += [f"## {section['title']}", "", f"<!-- {section['prompt']} -->", "", "_To be written._", ""]
    out += ["## Document timeline", ""]
    out += _table(
        ["Field", "Value", "Source"],
        [
            [
                r["field"],
                _utc(r["value"]) if r["value"] and "T" in r["value"] else (r["value"] or "unknown"),
                r["source"] or r["missing"],
            ]
            for r in report["document_timeline"]
        ],
    )
    out += ["", "## Timeline", ""]
    out += _table(
        ["UTC", "Elapsed", "Actor", "Step", "Event"],
        [
            [t["time"][11:19], since_start(t["elapsed"]), t["actor"], t["step"] or "", t["event"]]
            for t in report["timeline"]
        ],
    )
    out += ["", "## Steps", ""]
    out += _table(
        ["Step", "Title", "Status", "Attempts", "Duration", "Exit code"],
        [
            [
                s["id"],
                s["title"],
                s["status"],
                s["attempts"],
                precise(s["duration"]),
                "" if s["exit_code"] is None else s["exit_code"],
            ]
            for s in report["steps"]
        ],
    )
    out += ["", "## Deviations", ""]
    if report["deviations"]:
        out += [
            f"- **{d['kind']}**" + (f" {_code(d['step'])}" if d["step"] else "") + f": {_text(d['text'])}"
            for d in report["deviations"]
        ]
    else:
        out += ["None: every step ran as written."]
    out += ["", "## Notes", ""]
    out += [
        f"- {n['time'][11:19]} {_text(n['actor'])}"
        + (f" ({_code(n['step'])})" if n["step"] else "")
        + f": {_text(n['text'])}"
        for n in report["notes"]
    ] or ["None."]
    out += ["", "## Decisions", ""]
    if report["decisions"]:
        out += _table(
            ["Decision", "Chosen", "Rationale", "By"],
            [[d["what"], d["choice"], d["rationale"], d["by"]] for d in report["decisions"]],
        )
    else:
        out += ["None."]
    out += ["", "## Announcements", ""]
    for item in report["announcements"]:
        out += [f"{item['time'][11:19]} ({_code(item['step'])}):", "", *_fence(item["text"], "text"), ""]
    if not report["announcements"]:
        out += ["None.", ""]
    environment = report.get("environment")
    if environment:
        out += ["## Environment before and after", ""]
        if environment["rows"]:
            out += _table(
                ["Container", "Before", "After"],
                [[r["name"], _state(r["before"]), _state(r["after"])] for r in environment["rows"]],
            )
        out += [f"- engine: {e}" for e in environment["errors"]]
        out += [""]
    out += ["## Transcript", ""]
    heading = None
    for item in report["transcript"]:
        if (item["step"], item["attempt"]) != heading:
            heading = (item["step"], item["attempt"])
            out += [f"### {_code(item['step'])} attempt {item['attempt']}", ""]
        code = "" if item["exit_code"] is None else f", exit {item['exit_code']}"
        out += _fence(item["command"], "bash")
        out += ["", f"{item['status']}{code} in {precise(item['duration'])}"]
        if item["output"] is None:
            out += ["", f"Output: not kept here ({_code(item['file'])}, {item['bytes']} bytes)."]
        elif item["output"]:
            out += ["", *_fence(item["output"], "text")]
            if item["cut"]:
                out += ["", f"Output cut; the full {item['bytes']} bytes are in {_code(item['file'])}."]
        out += [""]
    if not report["transcript"]:
        out += ["No commands ran.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _missing(field: str) -> str:
    if "Deployment" in field:
        return "not recorded: give it with --deployed-at"
    if "detected" in field:
        return "not recorded: give it with --detected-at"
    if "completed" in field:
        return "the run did not finish ok"
    return "needs --detected-at or --deployed-at and a run that finished ok"


def _state(side: dict[str, Any] | None) -> str:
    if side is None:
        return "absent"
    health = f", {side['health']}" if side.get("health") else ""
    return f"{side['status']}{health} ({side['image']})"


# -- HTML ------------------------------------------------------------------------------------

COLOURS = {
    "ok": "#2e7d32",
    "stopped": "#1565c0",
    "failed": "#c62828",
    "timeout": "#c62828",
    "interrupted": "#ef6c00",
    "errored": "#c62828",
    "unfinished": "#6a1b9a",
    "wait": "#9e9e9e",
}


def timeline_svg(report: dict[str, Any]) -> str:
    """Steps as bars on a time axis: plain inline SVG, readable without scripts."""
    from markupsafe import escape

    bars = report["bars"]
    total = max([report["header"]["duration"], *[b["end"] for b in bars]]) or 1.0
    lanes: list[str] = []
    for bar in bars:
        if bar["step"] not in lanes:
            lanes.append(bar["step"])
    label_width, width, lane_height = 160, 640, 22
    height = 30 + lane_height * max(1, len(lanes))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {label_width + width + 20} {height}" '
        f'aria-label="Run timeline: {len(lanes)} step(s) over {escape(human(total))}">',
        f"<title>Run timeline over {escape(human(total))}</title>",
    ]
    for tick in range(0, 11):
        x = label_width + width * tick / 10
        parts.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height}" class="grid"/>')
        parts.append(
            f'<text x="{x:.1f}" y="12" class="tick" text-anchor="middle">'
            f"{escape(axis(total * tick / 10, total))}</text>"
        )
    for index, step in enumerate(lanes):
        y = 24 + index * lane_height
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" class="lane" text-anchor="end">{escape(step)}</text>'
        )
    for bar in bars:
        y = 24 + lanes.index(bar["step"]) * lane_height
        x = label_width + width * bar["start"] / total
        w = max(2.0, width * (bar["end"] - bar["start"]) / total)
        colour = COLOURS.get(bar["kind"], "#c62828")
        what = (
            "waiting for the operator"
            if bar["kind"] == "wait"
            else f"attempt {bar.get('attempt', 1)}: {bar['kind']}"
        )
        tip = f"{bar['step']} {what}, {since_start(bar['start'])} to {since_start(bar['end'])}"
        dash = ' stroke-dasharray="3 2" fill-opacity="0.35"' if bar["kind"] == "wait" else ""
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{lane_height - 6}" '
            f'fill="{colour}" stroke="{colour}"{dash} '
            f'class="bar bar-{escape(bar["kind"])}"><title>{escape(tip)}</title></rect>'
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: dict[str, Any]) -> str:
    """One self-contained HTML file: no script, no external asset."""
    from jinja2 import Environment, select_autoescape
    from markupsafe import Markup

    from ..templates import read

    template = read("templates", "postmortem.html")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["utc"] = _utc
    env.filters["human"] = human
    env.filters["since_start"] = since_start
    env.filters["precise"] = precise
    env.filters["state"] = _state
    return env.from_string(template).render(r=report, svg=Markup(timeline_svg(report)), colours=COLOURS)
