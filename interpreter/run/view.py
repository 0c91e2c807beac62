"""The terminal view of a run: what the operator sees before, during and after each step."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from ..plan.typed import later_inside, sessions, shown_blocks, typed_groups, where_words
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

    def text(self, message: str) -> None:
        from rich.markup import escape

        self._print(escape(message))

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
        if "://" in runs_dir:
            self._print(f"  [dim]store: {escape(runs_dir)} (run {run_id})[/]")
        else:
            self._print(f"  [dim]journal: {escape(runs_dir)}/{run_id}/journal.jsonl[/]")

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
        self._shown(node)
        for reason in flags.get("reasons", []) if flags.get("destructive") else []:
            self._print(f"  [red]⚠ {escape(reason)}[/]")
        for command in commands:
            for number, line in enumerate(command.split("\n")):
                self._print(f"  [bold]{'$' if number == 0 else '>'}[/] {escape(line)}")
        self._typed(node)
        for line in env_lines:
            self._print(f"  [dim]{escape(line)}[/]")

    def _shown(self, node: dict[str, Any]) -> None:
        """The step's content that is neither run nor typed (a config file, sample output): as written."""
        from rich.markup import escape

        for block in shown_blocks(node):
            self._print(f"  [dim]{escape(block['lang'] or 'text')} (shown, not run):[/]")
            for line in block["code"].rstrip("\n").split("\n"):
                self._print(f"  [dim]│[/] {escape(line)}")

    def _typed(self, node: dict[str, Any]) -> None:
        """Commands for the operator to type elsewhere (in a session, in psql): apart from the
        `$ ` lines the run executes, each group headed by where it is typed."""
        from rich.markup import escape

        for session in sessions(node):
            self._print(
                f"  [magenta]⇥ opens a session ({escape(session)}): the terminal is yours until you "
                "leave it (exit)[/]"
            )
        for where, typed in typed_groups(node):
            self._print(f"  [magenta]type these yourself, {escape(where_words(where))}:[/]")
            for command in typed:
                self._command_lines(command["text"], bool(command["destructive"]))
        later = later_inside(node)
        if later:
            self._print("  [magenta]then, still inside it, what the next steps say to type:[/]")
            for item in later:
                self._print(f"    [dim]{escape(item['step'])}[/]")
                self._command_lines(item["text"], bool(item["destructive"]))

    def _command_lines(self, text: str, destructive: bool) -> None:
        from rich.markup import escape

        mark = "  [red]⚠ destructive[/]" if destructive else ""
        for number, line in enumerate(text.split("\n")):
            self._print(
                f"    [magenta]{'⌨' if number == 0 else ' '}[/] {escape(line)}{mark if number == 0 else ''}"
            )

    def running(self, command: str) -> None:
        from rich.markup import escape

        self._print(f"[dim]  $ {escape(command.split(chr(10))[0])}[/]")

    def output(self, data: bytes) -> None:
        if self.closed:
            return
        stream = self.raw or getattr(self.console.file, "buffer", None)
        try:
            if stream is not None:
                stream.write(data)
                stream.flush()
            else:
                self.console.file.write(data.decode("utf-8", "replace"))
                self.console.file.flush()
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


def stdout_view(console: Console) -> TerminalView:
    return TerminalView(console, getattr(sys.stdout, "buffer", None))
