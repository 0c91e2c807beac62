"""One attempt at a step: each command through its kind's executor, output masked into the journal
and onto the screen, then the expectations checked."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from ..policy.names import refusal
from ..policy.secrets import is_secret_name
from ..policy.terminal import headline
from ..policy.weak_secrets import weakness
from .context import OutputFile, Planned, StepContext
from .executors import executor_for
from .expect import matches
from .groups import boot_id
from .questions import Question
from .session import CommandResult
from .waiting import pause, wait_for

__all__ = ["Attempted", "attempt"]

_TAIL = 1 << 20  # output kept in memory per command for expectations; the file keeps it all


@dataclass(frozen=True, slots=True)
class Attempted:
    """How an attempt went."""

    ok: bool
    results: list[dict[str, Any]]
    """Each command run in this attempt, as its journal entry (with `index`, 1-based)."""
    failed_at: int | None
    """The index (0-based, in the step's commands) of the command that failed, or whose
    expectation failed; None when the attempt succeeded. Every command before it has succeeded,
    in this attempt or an earlier one, so a retry may start there."""


def attempt(
    ctx: StepContext, node: dict[str, Any], commands: list[Planned], number: int, start: int = 0
) -> Attempted:
    """Run the commands in order from `start` (0-based) until one fails; the commands before
    `start` succeeded in an earlier attempt and do not run again.

    Each command's start is journaled (with its process group) before it runs, and its end after.
    """
    step_id = node["id"]
    session = ctx.session
    texts = [ctx.masker.text(c.text) for c in commands]
    edited = next((c.edited_from for c in commands if c.edited_from is not None), None)
    data: dict[str, Any] = {"attempt": number, "commands": texts, "cwd": ctx.masker.text(session.cwd)}
    if start:
        data["from_command"] = start + 1
    if edited is not None:
        data["edited"] = {"original": ctx.masker.text(edited), "edited": "\n".join(texts)}
    # Written, not yet fsynced: the first command's start, synced before it runs, makes it durable.
    ctx.emit("step.started", step_id, data, sync=False)
    started_seq = ctx.state.seq
    before = dict(session.env)
    results: list[dict[str, Any]] = []
    total = 0.0
    status: str = "ok"
    code: int | None = 0
    failed_at: int | None = None
    timeout = node["flags"]["timeout"]
    for index in range(start, len(commands)):
        command = commands[index]
        never = command.never_ending
        limit = timeout if timeout is not None else (ctx.options.follow_timeout if never else None)
        result, output, tail = _one(ctx, node, started_seq, number, index + 1, command, limit)
        total += result.duration
        entry: dict[str, Any] = {
            "index": index + 1,
            "text": texts[index],
            "status": result.status,
            "exit_code": result.exit_code,
            "duration": round(result.duration, 3),
            "output": output,
            "_tail": tail,
            "expectations": list(command.expectations),
        }
        if result.error:
            entry["error"] = result.error
        entry.update(result.details)
        results.append(entry)
        if result.status not in ("ok", "stopped"):
            status, code, failed_at = result.status, result.exit_code, index
            exit_text = f" (exit {result.exit_code})" if result.exit_code is not None else ""
            ctx.view.text(
                f"  {result.status}: command {index + 1}, {headline(texts[index])}{exit_text}"
                + (f" — {ctx.masker.text(result.error)}" if result.error else "")
            )
            break
        if result.status == "stopped":
            status, code = "stopped", result.exit_code  # by the operator or its timeout: not a failure
            ctx.view.text("  stopped: a never-ending command, not a failure")
    if status in ("ok", "stopped"):
        failed_at = _expectations(ctx, node, results)
        if failed_at is not None:
            status, code = "failed", None  # the commands ran, but not as the runbook expects
    ctx.view.result(step_id, status, code if status != "ok" else 0, total)
    exports, removed = _changes(ctx, before)
    ctx.emit(
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
            "cwd": ctx.masker.text(session.cwd),  # a directory may be named after a secret
        },
        # The end of a step announces no action: it reaches the disk with the fsync of whatever
        # comes next (the next command's start, a question, the run's end), one fsync per boundary.
        sync=False,
    )
    if ctx.journal is not None:
        ctx.journal.settle(f"{started_seq:06d}-{step_id}-{number}-")
    return Attempted(status in ("ok", "stopped"), results, failed_at)


def _changes(ctx: StepContext, before: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Variables set and unset since `before`. A secret's value, and what bash or the loader would
    read as code, never go to the journal."""
    env = ctx.session.env
    exports = {
        k: v
        for k, v in env.items()
        if before.get(k) != v and not _secret(ctx, k) and refusal(k) is None and ctx.masker.text(v) == v
    }
    removed = sorted(k for k in before if k not in env and k not in _SHELL_OWN and refusal(k) is None)
    return exports, removed


_SHELL_OWN = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})
"""Variables bash keeps for itself: the session does not carry them, so their going is no news."""


def _secret(ctx: StepContext, name: str) -> bool:
    return name in ctx.secret_names or is_secret_name(name)


def _learn_secrets(ctx: StepContext, before: dict[str, str], step_id: str) -> bool:
    """Secret variables the command just set (`export API_TOKEN=$(…)`) are masked from now on:
    the session learns a command's exports when it ends. True when there is a new one."""
    new = False
    for name, value in ctx.session.env.items():
        if before.get(name) == value or not _secret(ctx, name):
            continue
        if weakness(value) is None:
            new = ctx.masker.add(value) or new
        else:
            ctx.view.text(
                f"  warning: {name}, set by {step_id}, is too weak to mask ({weakness(value)}); "
                "it is not journaled, but a command that prints it shows it"
            )
    return new


@dataclass(slots=True)
class _Output:
    """One command's output: masked, written to its journal file, then shown and kept for checks."""

    ctx: StepContext
    file: OutputFile | None
    step: str
    start: dict[str, Any]
    """The `command.started` event's data, written when the command is about to run."""
    tail: bytearray = field(default_factory=bytearray)
    announced: bool = False

    def began(self, group: int | None) -> None:
        if self.announced:
            return
        self.announced = True
        data = {**self.start, "group": group}
        if group is not None:
            data["boot"] = boot_id()
        self.ctx.emit("command.started", self.step, data)

    def record(self, chunk: bytes) -> bytes:
        # In the thread reading the output: masked, then on disk before the screen shows it.
        masked = self.ctx.masker.feed(chunk)
        if self.file is not None:
            self.file.write(masked)
        return masked

    def show(self, masked: bytes) -> None:
        if not masked:
            return
        self.ctx.view.output(masked)
        self.tail.extend(masked)
        if len(self.tail) > 2 * _TAIL:
            del self.tail[: len(self.tail) - _TAIL]  # trimmed now and then, not on every chunk

    def write(self, chunk: bytes) -> None:
        self.show(self.record(chunk))


def _one(
    ctx: StepContext,
    node: dict[str, Any],
    started_seq: int,
    number: int,
    index: int,
    command: Planned,
    limit: float | None,
) -> tuple[CommandResult, dict[str, Any], bytes]:
    journal = ctx.journal
    step_id = node["id"]
    text = ctx.masker.text(command.text)
    out = _Output(
        ctx,
        journal.output(f"{started_seq:06d}-{step_id}-{number}-{index}") if journal else None,
        step_id,
        {"attempt": number, "index": index, "text": text},
    )
    executor = executor_for(command.kind)
    before = dict(ctx.session.env)
    wait = wait_for(ctx, command)
    first = time.monotonic()
    checks = 0
    while True:
        checks += 1
        ctx.view.running(text, command.never_ending)
        try:
            if not executor.starts_process(command):
                out.began(None)
            result = executor.run(ctx, node, command, out, limit)
            out.began(None)  # an executor that could not start its process still recorded a start
        finally:
            ctx.view.ran()
        if wait is None or result.status != "ok" or wait.holds(bytes(out.tail)):
            break
        if not pause(ctx, wait, first, checks):
            break
        out.tail.clear()  # the next check is judged on its own output
    if checks > 1:
        result = replace(result, duration=time.monotonic() - first)
    rest = ctx.masker.flush()
    if rest:
        ctx.view.output(rest)
        out.tail.extend(rest)
        if out.file is not None:
            out.file.write(rest)
    if _learn_secrets(ctx, before, step_id):
        # The screen showed it already (the value was known only now); the journal will not.
        if out.file is not None:
            out.file.rewrite(ctx.masker.feed, ctx.masker.flush)
        out.tail[:] = ctx.masker.mask_bytes(bytes(out.tail))
    tail = out.tail
    del tail[: max(0, len(tail) - _TAIL)]
    info = out.file.finish() if out.file is not None else {"file": "", "sha256": "0" * 64, "bytes": len(tail)}
    exports, removed = _changes(ctx, before)
    # The end of a command announces no action: the next event (the next command's start, the
    # step's end) takes it to the disk.
    ctx.emit(
        "command.finished",
        step_id,
        {
            "attempt": number,
            "index": index,
            "status": result.status,
            "exit_code": result.exit_code,
            "duration": round(result.duration, 3),
            "exports": exports,
            "unset": removed,
            "cwd": ctx.masker.text(ctx.session.cwd),
            **({"checks": checks} if wait is not None else {}),
        },
        sync=False,
    )
    return result, info, bytes(tail)


def _expectations(ctx: StepContext, node: dict[str, Any], results: list[dict[str, Any]]) -> int | None:
    """Check each command's expectations; the index (0-based) of the first command with one that
    failed, or None."""
    step_id = node["id"]
    failed: int | None = None
    number = 0
    for result in results:
        output = result["_tail"].decode("utf-8", "replace")
        for expectation in result["expectations"]:
            number += 1
            if expectation["literal"]:
                passed = matches(expectation["text"], output)
                verdict = "passed" if passed else "failed"
            else:
                auto = "yes" if ctx.options.yes else None
                question_id = f"{step_id}:expect.{number}"
                answer = ctx.ask(
                    Question(question_id, "yesno", f"Expected: {expectation['text']} — is that what you see"),
                    auto,
                )
                passed = answer == "yes"
                by = ctx.decided_by(question_id, auto is not None, "--yes")
                verdict = ("confirmed" if passed else "rejected") + (" by --yes" if by == "--yes" else "")
            ctx.emit(
                "expectation.checked",
                step_id,
                {
                    "text": expectation["text"],
                    "literal": expectation["literal"],
                    "result": verdict,
                    "command": result["text"],
                },
                sync=False,  # announces no action: synced with the step's boundary
            )
            ctx.view.text(f"  expected {expectation['text']}: {verdict}")
            if not passed and failed is None:
                failed = int(result["index"]) - 1
    return failed
