"""The terminal view of a run: what the operator sees before, during and after each step."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from ..policy import durations

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["TerminalView"]

_STATUS_STYLE = {
    "ok": "green",
    "skipped": "dim",
    "stopped": "yellow",
    "failed": "bold red",
    "timeout": "bold red",
    "interrupted": "yellow",
    "errored": "bold red",
}


@dataclass(slots=True)
class TerminalView:
    """Prints the run for a person; plain text when piped, colour on a terminal (NO_COLOR respected)."""

    console: Console
    raw: BinaryIO | None = None
    """Where live command output goes (the console's file by default)."""
    closed: bool = False
    """The screen went away (`runbook run … | head`): the run goes on, its output in the journal."""
    live: _Live = field(default_factory=lambda: _Live())
    """The transient status line (a command's clock, a countdown), on a terminal only."""

    def __post_init__(self) -> None:
        # rich exits the program on a broken pipe; a rollback must not stop half way for that.
        self.console.on_broken_pipe = self._closed  # type: ignore[method-assign]

    def _closed(self) -> None:
        # From now on nothing is shown; standard output goes to /dev/null, so Python's own flush
        # at exit does not fail either. The run goes on and is journaled as always.
        if self.closed:
            return
        self.closed = True
        self.console.quiet = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        with contextlib.suppress(OSError):
            sys.stderr.write("runbook: the output was closed; the run goes on, its output in the journal\n")

    def _print(self, markup: str) -> None:
        if self.closed:
            return
        try:
            self.console.print(markup)
        except BrokenPipeError:
            self._closed()

    def _line(self, *parts: str | tuple[str, str], soft: bool = False) -> None:
        """One line of plain text parts, each with its style: no markup is read in them, so a
        command's `[` or trailing `\\` is shown as it is. `soft`: not wrapped by the view (a
        command's line stays one line to copy; the terminal folds it)."""
        if self.closed:
            return
        from rich.text import Text

        merged: list[tuple[str, str]] = []
        for part in parts:
            text, style = (part, "") if isinstance(part, str) else part
            if merged and merged[-1][1] == style:
                merged[-1] = (merged[-1][0] + text, style)  # one span: `$ cmd` stays searchable
            else:
                merged.append((text, style))
        try:
            self.console.print(Text.assemble(*merged), soft_wrap=True if soft else None)
        except BrokenPipeError:
            self._closed()

    def text(self, message: str) -> None:
        self._line(message)

    def _command(
        self,
        lead: list[str | tuple[str, str]],
        line: str,
        style: str = "",
        tail: list[str | tuple[str, str]] | None = None,
    ) -> None:
        """One line of a command after `lead`, exactly as it runs. On a terminal too narrow for it,
        it goes on over more lines, broken after a space (no character is dropped) and indented
        two more than it; piped, it is one line whatever its length."""
        width = self.console.width if self.console.is_terminal else 0
        start = sum(len(p if isinstance(p, str) else p[0]) for p in lead)
        pieces = _fold(line, width - start) if width and width - start >= 20 else [line]
        for index, piece in enumerate(pieces):
            head = lead if index == 0 else [" " * (start + 2)]
            end = (tail or []) if index == len(pieces) - 1 else []
            self._line(*head, (piece, style), *end, soft=True)

    def header(self, unit: dict[str, Any], run_id: str, runs_dir: str) -> None:
        from rich.markup import escape

        kind = f"Procedure {unit['number']}" if unit["kind"] == "procedure" else "Section"
        self._print(f"\n[bold]{kind}: {escape(unit['title'])}[/]  [dim]run {run_id}[/]")
        facts = []
        if unit.get("use_case"):
            facts.append(f"Use case: {unit['use_case']}")
        if unit.get("risk"):
            facts.append(f"Risk: {unit['risk']['text']}")
        if unit.get("duration"):
            facts.append(f"Duration budget: {unit['duration']['text']}")
        if unit.get("prerequisites"):
            facts.append(f"Prerequisites: {unit['prerequisites']}")
        for fact in facts:
            self._print(f"  {escape(fact)}")
        # `runs_dir` is where the run is kept as the store says it (Store.label): the journal's
        # absolute path, or the store's URL and the run id.
        # Never re-wrapped: a path is copied whole.
        self._line((f"  {'store' if '://' in runs_dir else 'journal'}: {runs_dir}", "dim"), soft=True)

    def clock(self, elapsed: float, target_minutes: float | None, budget: dict[str, Any] | None) -> None:
        parts = [f"elapsed {durations.compact(elapsed)}"]
        over = False
        if target_minutes is not None:
            parts.append(f"response target {durations.compact(target_minutes * 60)}")
            over = elapsed > target_minutes * 60
        if budget:
            parts.append(f"budget {budget['text']}")
            over = over or elapsed > budget["max"] * 60
        style = "bold red" if over else "dim"
        self._print(f"[{style}]  ⏱  {' · '.join(parts)}{' — over' if over else ''}[/]")

    def node(self, node: dict[str, Any], commands: list[str], env_lines: list[str]) -> None:
        from rich.markdown import Markdown
        from rich.markup import escape

        flags = node.get("flags") or {}
        marks = [
            m
            for m, on in (
                ("optional", flags.get("optional")),
                ("DESTRUCTIVE", flags.get("destructive")),
                ("never-ending", flags.get("never_ending")),
            )
            if on
        ]
        tail = f"  [yellow]{escape(', '.join(marks))}[/]" if marks else ""
        self._print(f"\n[bold cyan]▶ {escape(node['id'])}[/] [bold]{escape(node['title'])}[/]{tail}")
        prose = "\n\n".join(p for p in node.get("prose", []) if p.strip())
        if prose:
            self.console.print(Markdown(prose))
        for reason in flags.get("reasons", []) if flags.get("destructive") else []:
            self._print(f"  [red]⚠ {escape(reason)}[/]")
        self.commands(commands)
        for line in env_lines:
            self._print(f"  [dim]{escape(line)}[/]")

    def commands(self, commands: list[str], marks: list[str] | None = None) -> None:
        """Each command exactly as it runs, every line (`$` first, `>` for the lines after); with
        `marks`, numbered, and what became of each beside it (`✓` ok, `✗` failed, `▶` running)."""
        for index, command in enumerate(commands):
            lead: list[str | tuple[str, str]] = []
            tail: list[str | tuple[str, str]] = []
            if marks is not None:
                mark = marks[index] if index < len(marks) else ""
                sign, style = _MARKS.get(mark, (" ", ""))
                lead = [(sign, style), f" {index + 1:>2}. "]
                tail = [("  " + mark, style)] if mark and mark != "ok" else []
            indent = " " * (6 if marks is not None else 0)
            for at, line in enumerate(command.split("\n")):
                if at == 0:
                    self._command(["  ", *lead, ("$", "bold"), " "], line, tail=tail)
                else:
                    self._command(["  ", indent, (">", "bold"), " "], line)

    def options(self, options: list[tuple[str, str, list[str], bool]]) -> None:
        """A choice's options, each with every line of its commands; destructive ones marked."""
        for key, title, commands, destructive in options:
            mark = ("  ⚠ DESTRUCTIVE", "bold red") if destructive else ""
            self._line("  ", (f"{key})", "bold"), " ", title, mark)
            for command in commands:
                for at, line in enumerate(command.split("\n")):
                    self._command(["       ", ("$" if at == 0 else ">", "dim"), " "], line)

    def running(self, command: str, never_ending: bool = False) -> None:
        for at, line in enumerate(command.split("\n")):
            self._command([(f"  {'$' if at == 0 else '>'} ", "dim")], line, "dim")
        if never_ending:
            self._print("[dim]  (it runs until stopped: Ctrl-C stops it, the run goes on)[/]")
        if self.console.is_terminal and not self.closed:
            self.live.start(self._raw_write, self.console.no_color)

    def ran(self) -> None:
        self.live.stop(self._raw_write)

    def progress(self, message: str | None) -> None:
        if self.console.is_terminal and not self.closed:
            self.live.show(self._raw_write, message, self.console.no_color)

    def _raw_write(self, data: bytes) -> None:
        stream = self.raw or getattr(self.console.file, "buffer", None)
        if stream is not None:
            stream.write(data)
            stream.flush()
        else:
            self.console.file.write(data.decode("utf-8", "replace"))
            self.console.file.flush()

    def output(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self.live.write(self._raw_write, data)
        except BrokenPipeError:
            self._closed()

    def result(
        self, node_id: str, status: str, exit_code: int | None, duration: float, note: str = ""
    ) -> None:
        from rich.markup import escape

        style = _STATUS_STYLE.get(status, "")
        code = f" exit {exit_code}" if exit_code is not None else ""
        extra = f" — {escape(note)}" if note else ""
        took = durations.precise(duration)
        self._print(f"  [{style}]{status}[/]{code} in {took} [dim]({escape(node_id)})[/]{extra}")

    def announce(self, text: str) -> None:
        from rich.markup import escape
        from rich.panel import Panel

        if self.closed:
            return
        try:
            self.console.print(Panel(escape(text.strip("\n")), title="announcement", expand=False))
        except BrokenPipeError:
            self._closed()


def _fold(line: str, room: int) -> list[str]:
    """`line` in pieces of at most `room` characters, each ending after a space where it can (a
    word longer than `room` is left whole); joined, the pieces are the line."""
    pieces = []
    while len(line) > room:
        cut = line.rfind(" ", 0, room)
        if cut <= 0:
            cut = line.find(" ", room)
            if cut < 0:
                break
        pieces.append(line[: cut + 1])
        line = line[cut + 1 :]
    return [*pieces, line]


_MARKS = {
    "ok": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "timeout": ("✗", "bold red"),
    "errored": ("✗", "bold red"),
    "interrupted": ("✗", "yellow"),
    "running": ("▶", "bold yellow"),
    "unfinished": ("▶", "bold yellow"),
    "destructive": ("⚠", "bold red"),
}
"""What a command's mark looks like beside it."""

_LONG = 3.0
"""Seconds after which a running command shows its clock."""


class _Live:
    """One transient line under a command's output: its elapsed clock and how to stop it, or a
    countdown. Drawn only when the output so far ends a line, erased before more output."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.drawn = False
        self.at_line_start = True
        self.last_output = 0.0
        self.started = 0.0
        self.stopping: threading.Event | None = None
        self.thread: threading.Thread | None = None

    def start(self, write: Any, plain: bool) -> None:
        self.stop(write)
        self.started = self.last_output = time.monotonic()
        self.at_line_start = True
        stopping = threading.Event()
        self.stopping = stopping
        self.thread = threading.Thread(target=self._tick, args=(write, plain, stopping), daemon=True)
        self.thread.start()

    def _tick(self, write: Any, plain: bool, stopping: threading.Event) -> None:
        from ..policy.durations import clock

        while not stopping.wait(0.5):
            now = time.monotonic()
            if now - self.started < _LONG or now - self.last_output < 1.0:
                continue
            line = f"  ⏱ {clock(now - self.started)} running — Ctrl-C stops it, the run goes on"
            with contextlib.suppress(OSError, ValueError), self.lock:
                if stopping.is_set() or not self.at_line_start:
                    continue
                self._draw(write, line, plain)

    def _draw(self, write: Any, line: str, plain: bool) -> None:
        styled = line if plain else f"\x1b[2m{line}\x1b[0m"
        write(("\r\x1b[2K" + styled).encode("utf-8"))
        self.drawn = True

    def _erase(self, write: Any) -> None:
        if self.drawn:
            write(b"\r\x1b[2K")
            self.drawn = False

    def write(self, write: Any, data: bytes) -> None:
        with self.lock:
            self._erase(write)
            write(data)
            if data:
                self.at_line_start = data.endswith(b"\n")
                self.last_output = time.monotonic()

    def show(self, write: Any, message: str | None, plain: bool) -> None:
        with self.lock:
            if message is None:
                self._erase(write)
            else:
                self._draw(write, message, plain)

    def stop(self, write: Any) -> None:
        if self.stopping is not None:
            self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=1.0)
        self.stopping = self.thread = None
        with self.lock, contextlib.suppress(OSError, ValueError):
            self._erase(write)


def stdout_view(console: Console) -> TerminalView:
    return TerminalView(console, getattr(sys.stdout, "buffer", None))
