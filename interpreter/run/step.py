"""One step of a run: its inputs, its confirmation, its commands, their output and expectations."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from typing import TYPE_CHECKING, Any

from ..gitinfo import previous_tag
from ..infer.shell import is_secret_name
from ..policy.masking import MASK
from ..policy.values import is_plain, newest_matching, substitute
from .executors.container import container_name, run_in_container
from .executors.sql import run_sql, sql_command
from .expect import matches
from .questions import FAILED_CHOICES, IN_DOUBT_CHOICES, RUN_CHOICES, Question
from .session import CommandResult

if TYPE_CHECKING:
    from .runner import Runner

__all__ = ["run_step"]

_TAIL = 1 << 20  # output kept in memory per command for expectations; the file keeps it all
_FIELD = re.compile(r"\[([^\]\n]{1,60})\](?!\()")
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def run_step(runner: Runner, node: dict[str, Any]) -> None:
    """Run a step, a checklist item or a template; ends the run (Stop) when the operator says so."""
    from .runner import Stop

    step_id = node["id"]
    if step_id in runner.done:
        return
    flags = node["flags"]
    if step_id in runner.in_doubt and _settle_in_doubt(runner, node):
        return
    if flags["optional"]:
        applies = runner.ask(
            Question(step_id, "yesno", f"Does {step_id} apply? ({flags['when'] or 'optional'})")
        )
        if applies == "no":
            _skip(runner, node, "not applicable")
            return
    _note(runner, step_id)
    if node["kind"] == "template":
        _template(runner, node)
        return
    runnable = [b for b in node["blocks"] if b["kind"] in ("shell", "console", "sql")]
    if not runnable:
        _manual(runner, node)
        return
    _inputs(runner, node)
    commands = _resolved(runner, node, runnable)
    # The commands are listed up front when the operator decides; each is echoed as it runs.
    asks = not runner.options.yes or node["flags"]["confirm"] == "typed"
    shown = [runner.masker.text(c[0]) for c in commands] if asks else []
    runner.view.node(node, shown, _env_lines(runner, node))
    runner.view.clock(runner.elapsed(), runner.target_minutes, runner.unit.get("duration"))
    decision = _confirm(runner, node)
    while decision == "edit":
        edited = _edit(runner, commands)
        decision = "run" if edited is not None else _confirm(runner, node)
        commands = edited or commands
    if decision == "skip":
        return
    attempt = runner.attempts.get(step_id, 0)  # a resumed run numbers on from earlier attempts
    while True:
        attempt += 1
        ok, results = _execute(runner, node, commands, attempt)
        if ok:
            runner.done[step_id] = "ok"
            return
        failed = next((r for r in results if r["status"] not in ("ok", "stopped")), None)
        if failed is not None and failed["status"] == "interrupted" and not runner.options.interactive:
            raise Stop("interrupted", 130, f"{step_id} interrupted")
        why = f"{step_id} failed" + (
            f" (exit {failed['exit_code']})" if failed and failed["exit_code"] else ""
        )
        if not runner.interactive_or_answered(f"{step_id}:failed"):
            raise Stop("failed", 1, why)  # with nobody to ask, a failure stops the run
        action = runner.ask(
            Question(
                f"{step_id}:failed",
                "choice",
                f"{step_id} failed. What now",
                FAILED_CHOICES,
            )
        )
        if action == "r":
            continue
        if action == "s":
            _skip(runner, node, "skipped after failure")
            return
        if action == "e":
            edited = _edit(runner, commands)
            if edited is None:
                continue  # the edit was cancelled: the same commands, asked again on failure
            if node["flags"]["destructive"] and _confirm(runner, node) == "skip":
                return  # an edited destructive step is confirmed again
            commands = edited
            continue
        raise Stop("failed", 1, f"{step_id} failed" + (f" (exit {failed['exit_code']})" if failed else ""))


def _skip(runner: Runner, node: dict[str, Any], reason: str) -> None:
    runner.emit("step.skipped", node["id"], {"reason": reason})
    runner.view.result(node["id"], "skipped", None, 0.0, reason)
    runner.done[node["id"]] = "skipped"


def _note(runner: Runner, step_id: str) -> None:
    if step_id in runner.notes:
        runner.emit("note.added", step_id, {"text": runner.masker.text(runner.notes.pop(step_id))})


def _manual(runner: Runner, node: dict[str, Any]) -> None:
    """A step with nothing to run (bullets, SQL to run by hand): the operator says when it is done."""
    runner.view.node(node, [], [])
    for block in node["blocks"]:
        runner.view.text(block["code"])
    if node["flags"]["confirm"] == "typed" and _confirm(runner, node) == "skip":
        return  # destructive work done by hand is confirmed like any destructive step
    checks = node.get("checks", [])
    for index, check in enumerate(checks, start=1):
        auto = "yes" if runner.options.yes else None
        answer = runner.ask(Question(f"{node['id']}:check.{index}", "yesno", f"Checked: {check}"), auto)
        if answer != "yes":
            _skip(runner, node, f"not checked: {check}")
            return
    auto = "yes" if runner.options.yes else None
    done = runner.ask(
        Question(f"{node['id']}:done", "yesno", f"Done with {node['id']} ({node['title']})"), auto
    )
    if done == "yes":
        runner.emit(
            "step.finished",
            node["id"],
            {
                "status": "ok",
                "exit_code": None,
                "duration": 0.0,
                "commands": [],
                "manual": True,
                "by": runner.decided_by(f"{node['id']}:done", auto is not None, "--yes"),
            },
        )
        runner.view.result(node["id"], "ok", None, 0.0, "done by hand")
        runner.done[node["id"]] = "ok"
    else:
        _skip(runner, node, "not done")


def _inputs(runner: Runner, node: dict[str, Any]) -> None:
    """Every variable the step reads that nothing set yet: --var, a default, or the operator."""
    declared = {v["name"]: v for v in runner.graph["runbook"]["variables"]}
    for use in node.get("uses", []):
        name = use["name"]
        # A value a step of this run set is known; one a skipped step (--from-step) would have set
        # is asked for, never taken as empty.
        if name in runner.session.env or (use["from"] is not None and use["from"] in runner.done):
            continue
        spec = declared.get(name, {})
        secret = bool(use["secret"] or spec.get("secret"))
        if name in runner.variables:
            value, source = runner.variables[name], "var"
        else:
            question = Question(
                f"var:{name}",
                "secret" if secret else "text",
                spec.get("prompt") or f"Value for ${name} (used by {node['id']})",
                default=None if secret else spec.get("default"),
                flag=f"--var {name}=VALUE",
            )
            value, source = runner.ask(question), "asked"
        _set_input(runner, name, value, secret, source, node["id"])


def _set_input(runner: Runner, name: str, value: str, secret: bool, source: str, step: str | None) -> None:
    if secret:
        runner.masker.add(value)
    runner.session.env[name] = value
    runner.emit(
        "input.set",
        step,
        {"name": name, "value": MASK if secret else value, "secret": secret, "source": source},
    )


def _placeholder_default(runner: Runner, placeholder: dict[str, Any]) -> str | None:
    text, kind = placeholder["text"], placeholder["kind"]
    if kind == "timestamp":
        return newest_matching(text, runner.session.cwd) or text
    if kind == "commit" or re.search(r"tag|commit|version|release|stable", text, re.I):
        # The release before the current one: from the repository the commands run in, else
        # from the runbook's own.
        return previous_tag(runner.session.cwd) or previous_tag(runner.runbook_path.resolve().parent)
    return None


def _resolved(
    runner: Runner, node: dict[str, Any], blocks: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """Each command with its placeholders filled: (text to run, command, extra environment)."""
    out: list[tuple[str, dict[str, Any], dict[str, str]]] = []
    for block in blocks:
        wanted = {p["text"]: p for p in block["placeholders"] if p["kind"] != "field"}
        for placeholder in wanted.values():
            key = f"placeholder:{placeholder['text']}"
            if placeholder["text"] in runner.placeholder_values:
                continue
            secret = is_secret_name(re.sub(r"\W", "_", placeholder["text"]).upper())
            question = Question(
                key,
                "secret" if secret else "text",
                f"Value for {placeholder['text']} ({placeholder['kind']} placeholder in {node['id']})",
                default=None if secret else _placeholder_default(runner, placeholder),
            )
            value = _plain_value(runner, question)
            if secret:
                runner.masker.add(value)
            runner.placeholder_values[placeholder["text"]] = value
            runner.emit(
                "input.set",
                node["id"],
                {"name": key, "value": MASK if secret else value, "secret": secret, "source": "asked"},
            )
        if block["kind"] == "sql":
            out.append((block["code"].strip(), sql_command(runner.graph, block), {}))
            continue
        target = block["annotation"].get("target") or runner.graph["runbook"]["front_matter"].get("target")
        texts = [
            substitute(c["text"], {t: runner.placeholder_values[t] for t in wanted if t in c["text"]})
            for c in block["commands"]
        ]
        if container_name(target) is not None and len(texts) > 1:
            # Inside a container the block runs as one `sh -e` script: its `cd` and variables
            # carry from line to line, as they do in the local session, and it stops at the first
            # failing line.
            first = block["commands"][0]
            merged = {
                **first,
                "text": "\n".join(texts),
                "target": target,
                "never_ending": any(c["never_ending"] for c in block["commands"]),
                "expectations": [e for c in block["commands"] for e in c["expectations"]],
            }
            out.append((merged["text"], merged, {}))
            continue
        for text, command in zip(texts, block["commands"], strict=True):
            out.append((text, {**command, "target": target}, {}))
    return out


def _plain_value(runner: Runner, question: Question) -> str:
    """A placeholder's value goes into the command text, so it must be plain: letters, digits and
    `. _ / @ : + = , %` (no leading dash). Anything else could be read as code by a shell the
    command starts (`bash -c '…'`, `ssh host '…'`), so it is refused, never quoted and hoped for."""
    from ..errors import UsageError

    for _ in range(3):
        value = runner.ask(question)
        if is_plain(value):
            return value
        shown = MASK if question.kind == "secret" else repr(value)  # a refused secret is still one
        message = (
            f"{shown} cannot fill {question.id.split(':', 1)[1]}: only letters, digits and . _ / @ : "
            "+ = , % are allowed (no spaces, quotes, $, ; or a leading dash)"
        )
        if runner.prompter is None or not runner.options.interactive:
            raise UsageError(message, "use a plain value, or put it in a variable with --var NAME=VALUE")
        runner.view.text("  " + message)
    raise UsageError(f"no plain value for {question.id}")


def _env_lines(runner: Runner, node: dict[str, Any]) -> list[str]:
    lines = []
    for use in node.get("uses", []):
        value = runner.session.env.get(use["name"])
        if value is not None:
            lines.append(f"${use['name']} = {runner.masker.text(value) if not use['secret'] else MASK}")
    return lines


def _confirm(runner: Runner, node: dict[str, Any]) -> str:
    """Typed word for a destructive step; run/skip/edit/note/shell/abort for the others."""
    from .runner import Stop

    flags = node["flags"]
    step_id = node["id"]
    if flags["confirm"] == "typed":
        word = flags["confirm_word"] or runner.unit["slug"]
        allowed = runner.options.yes and runner.options.allow_destructive
        question = Question(f"{step_id}:confirm", "typed", f"{step_id} is destructive. Run it", word=word)
        runner.ask(question, word if allowed else None)
        by = runner.decided_by(question.id, allowed, "allow-destructive")
        runner.emit("step.confirmed", step_id, {"kind": "typed", "word": word, "by": by})
        return "run"
    if flags["confirm"] == "none":
        return "run"
    while True:
        auto = "r" if runner.options.yes else None
        action = runner.ask(
            Question(
                f"{step_id}:run",
                "choice",
                f"Run {step_id}",
                RUN_CHOICES,
            ),
            auto,
        )
        if action == "r":
            return "run"
        if action == "s":
            _skip(runner, node, "skipped by the operator")
            return "skip"
        if action == "n":
            text = runner.ask(Question(f"{step_id}:note", "text", "Note"))
            runner.emit("note.added", step_id, {"text": runner.masker.text(text)})
        elif action == "h":
            runner.view.text("Opening a shell in the run's environment; `exit` returns to the run.")
            subprocess.call([os.environ.get("SHELL", "bash")], cwd=runner.session.cwd, env=runner.session.env)
        elif action == "e":
            return "edit"
        else:
            raise Stop("aborted", 1, f"aborted by the operator at {step_id}")


def _edit(
    runner: Runner, commands: list[tuple[str, dict[str, Any], dict[str, str]]]
) -> list[tuple[str, dict[str, Any], dict[str, str]]] | None:
    """Open the commands in $VISUAL/$EDITOR; what is saved is what runs.

    Returns None when the edit is cancelled (the editor failed, or nothing is left to run).
    """
    from ..infer.shell import is_never_ending, split_commands

    if any("sql" in c[1] for c in commands):
        runner.view.text("  sql blocks are not edited here: open a shell (h) and use psql")
        return None
    text = "\n".join(c[0] for c in commands) + "\n"
    with tempfile.NamedTemporaryFile("w+", suffix=".sh", delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        status = subprocess.call([*shlex.split(editor), path])
        with open(path, encoding="utf-8") as handle:
            edited = handle.read()
    finally:
        os.unlink(path)
    if status != 0:
        runner.view.text(f"  the editor exited with {status}: the edit is cancelled")
        return None
    parts = split_commands(edited, 1, False)
    if not parts:
        runner.view.text("  nothing left to run: the edit is cancelled")
        return None
    extra = {k: v for c in commands for k, v in c[2].items()}
    unchanged = {c[0]: c[1] for c in commands}
    result = []
    for command_text, *_ in parts:
        # A command left as it was keeps its expectations; a changed one is the operator's own.
        same = unchanged.get(command_text)
        result.append(
            (
                command_text,
                {
                    "text": command_text,
                    "never_ending": is_never_ending(command_text),
                    "expectations": same["expectations"] if same else [],
                    "edited_from": text,
                    "target": commands[0][1].get("target"),
                },
                extra,
            )
        )
    return result


def _execute(
    runner: Runner,
    node: dict[str, Any],
    commands: list[tuple[str, dict[str, Any], dict[str, str]]],
    attempt: int,
) -> tuple[bool, list[dict[str, Any]]]:
    step_id = node["id"]
    texts = [runner.masker.text(c[0]) for c in commands]
    edited = next((c[1]["edited_from"] for c in commands if "edited_from" in c[1]), None)
    data: dict[str, Any] = {
        "attempt": attempt,
        "commands": texts,
        "cwd": runner.masker.text(runner.session.cwd),
    }
    if edited is not None:
        data["edited"] = {"original": runner.masker.text(edited), "edited": "\n".join(texts)}
    runner.emit("step.started", step_id, data)
    started_seq = runner.seq
    before = dict(runner.session.env)
    results: list[dict[str, Any]] = []
    total = 0.0
    status: str = "ok"
    code: int | None = 0
    timeout = node["flags"]["timeout"]
    for index, (text, command, extra) in enumerate(commands, start=1):
        never = bool(command.get("never_ending"))
        limit = timeout if timeout is not None else (runner.options.follow_timeout if never else None)
        result, output, tail = _one(runner, step_id, attempt, index, text, extra, node, limit, never, command)
        total += result.duration
        entry = {
            "text": runner.masker.text(text),
            "status": result.status,
            "exit_code": result.exit_code,
            "duration": round(result.duration, 3),
            "output": output,
            "_tail": tail,
            "expectations": command.get("expectations", []),
        }
        if result.error:
            entry["error"] = result.error
        entry.update(result.details)
        results.append(entry)
        if result.status not in ("ok", "stopped"):
            status, code = result.status, result.exit_code
            exit_text = f" (exit {result.exit_code})" if result.exit_code is not None else ""
            runner.view.text(
                f"  {result.status}: {entry['text'].split(chr(10))[0]}{exit_text}"
                + (f" — {result.error}" if result.error else "")
            )
            break
        if result.status == "stopped":
            status, code = "stopped", result.exit_code  # by the operator or its timeout: not a failure
            runner.view.text("  stopped: a never-ending command, not a failure")
    if status in ("ok", "stopped") and not _expectations(runner, node, results):
        status, code = "failed", None  # the commands ran, but not as the runbook expects
    runner.view.result(step_id, status, code if status != "ok" else 0, total)
    _mask_new_secrets(runner)
    exports = {
        k: v for k, v in runner.session.env.items() if before.get(k) != v and runner.masker.text(v) == v
    }
    removed = sorted(k for k in before if k not in runner.session.env)
    runner.emit(
        "step.finished",
        step_id,
        {
            "status": status,
            "exit_code": code if status != "ok" else 0,
            "duration": round(total, 3),
            "commands": [
                {k: v for k, v in r.items() if not k.startswith("_") and k != "expectations"} for r in results
            ],
            "exports": exports,
            "unset": removed,
            "cwd": runner.masker.text(runner.session.cwd),  # a directory may be named after a secret
        },
    )
    if runner.journal is not None:
        runner.journal.settle(f"{started_seq:06d}-{step_id}-{attempt}-")
    return status in ("ok", "stopped"), results


def _mask_new_secrets(runner: Runner) -> None:
    """Variables a step set whose names say they are secret are masked from now on."""
    from ..infer.shell import is_secret_name

    declared = {v["name"] for v in runner.graph["runbook"]["variables"] if v["secret"]}
    for name, value in runner.session.env.items():
        if name in declared or is_secret_name(name):
            runner.masker.add(value)


def _one(
    runner: Runner,
    step_id: str,
    attempt: int,
    index: int,
    text: str,
    extra: dict[str, str],
    node: dict[str, Any],
    limit: float | None,
    never: bool,
    command: dict[str, Any],
) -> tuple[CommandResult, dict[str, Any], bytes]:
    journal = runner.journal
    output = journal.output(f"{runner.seq:06d}-{step_id}-{attempt}-{index}") if journal else None
    tail = bytearray()

    def early(chunk: bytes) -> bytes:
        # In the thread reading the output: masked, then on disk before the screen shows it.
        masked = runner.masker.feed(chunk)
        if output is not None:
            output.write(masked)
        return masked

    def sink(masked: bytes) -> None:
        if not masked:
            return
        runner.view.output(masked)
        tail.extend(masked)
        if len(tail) > 2 * _TAIL:
            del tail[: len(tail) - _TAIL]  # trimmed now and then, not on every chunk

    runner.view.running(runner.masker.text(text))
    session = runner.session
    saved = dict(session.env)
    session.env.update(extra)
    capture = tuple(node.get("sets", []))
    inside = container_name(command.get("target"))

    def whole(chunk: bytes) -> None:
        sink(early(chunk))  # sql and container output arrive in this thread: mask, record, show

    if "sql" in command:
        result = run_sql(runner, node, command, whole, limit)
    elif inside is not None:
        result = run_in_container(runner, node, text, inside, whole, limit, never)
    else:
        result = session.run(text, sink, early=early, capture=capture, timeout=limit, never_ending=never)
    for name in extra:
        session.env.pop(name, None)
        saved.pop(name, None)
    rest = runner.masker.flush()
    if rest:
        runner.view.output(rest)
        tail.extend(rest)
        if output is not None:
            output.write(rest)
    del tail[: max(0, len(tail) - _TAIL)]
    info = output.finish() if output is not None else {"file": "", "sha256": "0" * 64, "bytes": len(tail)}
    return result, info, bytes(tail)


def _expectations(runner: Runner, node: dict[str, Any], results: list[dict[str, Any]]) -> bool:
    step_id = node["id"]
    ok = True
    number = 0
    for result in results:
        output = result["_tail"].decode("utf-8", "replace")
        for expectation in result["expectations"]:
            number += 1
            if expectation["literal"]:
                passed = matches(expectation["text"], output)
                verdict = "passed" if passed else "failed"
            else:
                auto = "yes" if runner.options.yes else None
                answer = runner.ask(
                    Question(
                        f"{step_id}:expect.{number}",
                        "yesno",
                        f"Expected: {expectation['text']} — is that what you see",
                    ),
                    auto,
                )
                passed = answer == "yes"
                by = runner.decided_by(f"{step_id}:expect.{number}", auto is not None, "--yes")
                verdict = ("confirmed" if passed else "rejected") + (" by --yes" if by == "--yes" else "")
            runner.emit(
                "expectation.checked",
                step_id,
                {
                    "text": expectation["text"],
                    "literal": expectation["literal"],
                    "result": verdict,
                    "command": result["text"],
                },
            )
            runner.view.text(f"  expected {expectation['text']}: {verdict}")
            ok = ok and passed
    return ok


def _template(runner: Runner, node: dict[str, Any]) -> None:
    """Fill a message template's fields and variables, show it, record it as an announcement."""
    runner.view.node(node, [], [])
    block = next(b for b in node["blocks"] if b["kind"] == "template")
    text = block["code"]
    for field_name in block["fields"]:
        value = runner.ask(Question(f"{node['id']}:{field_name}", "text", f"[{field_name}]"))
        text = text.replace(f"[{field_name}]", value)

    def variable(match: re.Match[str]) -> str:
        return runner.session.env.get(match.group(1), match.group(0))

    text = runner.masker.text(_VAR.sub(variable, text))
    runner.view.announce(text)
    runner.emit("template.announced", node["id"], {"text": text})
    runner.done[node["id"]] = "ok"


def _settle_in_doubt(runner: Runner, node: dict[str, Any]) -> bool:
    """A step that started before the run was killed and never finished: the operator decides."""
    from .runner import Stop

    info = runner.in_doubt.pop(node["id"])
    runner.view.text(
        f"\n{node['id']} was started (attempt {info['attempt']}) but never finished: it is in doubt."
    )
    for partial in info.get("partial", []):
        runner.view.text(f"--- partial output ({partial['name']}) ---")
        runner.view.output(partial["data"])
    answer = runner.ask(
        Question(
            f"{node['id']}:in-doubt",
            "choice",
            f"What happened to {node['id']}",
            IN_DOUBT_CHOICES,
        )
    )
    runner.emit("step.in-doubt", node["id"], {"decision": answer, "attempt": info["attempt"]})
    if runner.journal is not None:
        runner.journal.settle(f"{info['seq']:06d}-{node['id']}-{info['attempt']}-")
    if answer == "rerun":
        return False
    if answer == "abort":
        raise Stop("aborted", 1, f"aborted at {node['id']} (in doubt)")
    if answer == "done":
        runner.done[node["id"]] = "ok"
    else:
        _skip(runner, node, "in doubt, skipped")
    return True
