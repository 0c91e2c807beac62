"""The terminal view of a run: what the operator sees before, during and after each step.

The one door to the operator's screen during a run: every text is shown through
`policy.terminal.visible` (control characters shown, never obeyed) and command output through
`LiveOutput` (colours kept, other escape sequences dropped). When output comes faster than the
screen takes it, the view shows a sample and says how many lines it left out; the journal keeps
every byte.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from ..plan.typed import later_inside, sessions, shown_blocks, typed_groups, where_words
from ..policy import durations
from ..policy.terminal import LiveOutput, visible
from .ticker import Ticker

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["TerminalView", "stdout_view"]

_STATUS_STYLE = {
    "ok": "green",
    "skipped": "dim",
    "stopped": "yellow",
    "failed": "bold red",
    "timeout": "bold red",
    "interrupted": "yellow",
    "errored": "bold red",
}
_SGR = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "magenta": "35", "cyan": "36"}
_COLOURS = frozenset({"red", "green", "yellow", "magenta", "cyan"})
_SLOW = 0.02
"""A write to the screen that takes longer than this (seconds) means the output outruns it."""
_TAIL_LINES = 10
"""Lines shown from the end of output the screen could not keep up with (the end says how it went)."""


@dataclass(slots=True)
class TerminalView:
    """Prints the run for a person; plain text when piped, colour on a terminal (NO_COLOR respected)."""

    console: Console
    raw: BinaryIO | None = None
    """Where live command output goes (the console's file by default)."""
    closed: bool = False
    """The screen went away (`runbook run … | head`): the run goes on, its output in the journal."""
    now: Callable[[], float] = time.monotonic
    _live: LiveOutput = field(default_factory=LiveOutput)
    _skip_until: float = 0.0
    """While the screen is behind, output arriving before this moment is counted, not shown."""
    _skipped: int = 0
    """Lines left out of the screen since the last shown output."""
    _last: bytes = b""
    """The end of what was left out, shown when the command ends."""
    _open: bool = False
    """The output shown last did not end its line."""
    _ticker: Ticker = field(default_factory=lambda: Ticker())
    """The transient status line under a running command (its clock) or a countdown, on a terminal."""

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

    # -- writing ----------------------------------------------------------------------------------

    def _paint(self, text: str, style: str) -> str:
        """`text` (already made visible) in `style`, when the console shows styles."""
        console = self.console
        if not style or console.color_system is None:
            return text
        words = [w for w in style.split() if not (console.no_color and w in _COLOURS)]
        return f"\x1b[{';'.join(_SGR[w] for w in words)}m{text}\x1b[0m" if words else text

    def _write(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self._ticker.write(self._raw, data)  # the status line, if drawn, is erased first
        except BrokenPipeError:
            self._closed()

    def _raw(self, data: bytes) -> None:
        stream = self.raw or getattr(self.console.file, "buffer", None)
        if stream is not None:
            stream.write(data)
            stream.flush()
        else:
            self.console.file.write(data.decode("utf-8", "replace"))
            self.console.file.flush()

    def _line(self, *parts: tuple[str, str] | str, soft: bool = False) -> None:
        """One line of the view's own; str parts came from elsewhere and are made visible. On a
        terminal a line too long for it is broken between words (the terminal would fold it
        mid-word); `soft` lines (a command's, folded by `_command`) and piped lines never are."""
        self._end_output()
        parts = _merged(parts)  # one span for `$ cmd`: a reader (or a test) finds it as written
        width = self._columns()
        plain = "".join(visible(p if isinstance(p, str) else p[0]) for p in parts)
        if width and not soft and len(plain) > width:
            from rich.text import Text

            styled = [(visible(p), "") if isinstance(p, str) else (visible(p[0]), p[1]) for p in parts]
            self._rich(Text.assemble(*styled), width)
            return
        text = "".join(
            visible(part) if isinstance(part, str) else self._paint(visible(part[0]), part[1])
            for part in parts
        )
        self._write(text.encode("utf-8", "replace") + b"\n")

    def _rich(self, renderable: Any, width: int | None = None) -> None:
        self._end_output()
        if self.closed:
            return
        try:
            self._ticker.erase(self._raw)
            self.console.print(renderable, width=width)
        except BrokenPipeError:
            self._closed()

    def _columns(self) -> int:
        """The terminal's width (0 when piped): its own, not rich's guess (80 for TERM=dumb)."""
        if not self.console.is_terminal:
            return 0
        try:
            return os.get_terminal_size(self.console.file.fileno()).columns
        except (AttributeError, OSError, ValueError):
            return self.console.width

    def _command(
        self,
        lead: list[tuple[str, str] | str],
        line: str,
        style: str = "",
        tail: list[tuple[str, str] | str] | None = None,
    ) -> None:
        """One line of a command after `lead`, exactly as it runs. On a terminal too narrow for it,
        it goes on over more lines, broken after a space (no character is dropped) and indented
        two more than it; piped, it is one line whatever its length."""
        width = self._columns()
        start = sum(len(p if isinstance(p, str) else p[0]) for p in lead)
        pieces = _fold(line, width - start) if width and width - start >= 20 else [line]
        for index, piece in enumerate(pieces):
            head = lead if index == 0 else [" " * (start + 2)]
            end = (tail or []) if index == len(pieces) - 1 else []
            self._line(*head, (piece, style) if style else piece, *end, soft=True)

    # -- command output ---------------------------------------------------------------------------

    def output(self, data: bytes) -> None:
        if self.closed:
            return
        if self.now() < self._skip_until:
            self._miss(data)
            return
        shown = self._live.feed(data)
        if self._skipped:
            # Back on screen after a gap: from the next whole line, after saying what was left out.
            cut = shown.find(b"\n")
            if cut < 0:
                self._miss(data)
                return
            self._skipped += 1  # the line the gap cut
            shown, self._last = self._notice() + shown[cut + 1 :], b""
        started = self.now()
        self._write(shown)
        took = self.now() - started
        if shown:
            self._open = not shown.endswith(b"\n")
        if took > _SLOW:
            # The screen is slower than the output: the next reads are counted, not shown, for as
            # long as this one took to show, so the screen takes half the time at most and the
            # command is never held back by it.
            self._skip_until = self.now() + took
            self._live = LiveOutput()

    def _miss(self, data: bytes) -> None:
        self._skipped += data.count(b"\n")
        self._last = data[-4096:] if len(data) >= 4096 else (self._last + data)[-4096:]

    def _notice(self) -> bytes:
        count, self._skipped = self._skipped, 0
        return self._paint(f"… {count:,} lines not shown, all in the journal", "dim").encode() + b"\n"

    def _end_output(self) -> None:
        """A command's output ended: what was held back, and the end of what the screen missed."""
        rest = self._live.flush()
        if self._skipped:
            tail = self._last.split(b"\n")[-_TAIL_LINES - 1 :]
            self._skipped -= len(tail) - 1
            ends_line = rest.endswith(b"\n") if rest else not self._open
            rest += (b"" if ends_line else b"\n") + self._notice()
            rest += self._live.feed(b"\n".join(tail)) + self._live.flush()
        self._skip_until, self._last, self._open = 0.0, b"", False
        if rest:
            self._write(rest)

    # -- the run's facts --------------------------------------------------------------------------

    def text(self, message: str) -> None:
        self._line(message)

    def header(self, unit: dict[str, Any], run_id: str, runs_dir: str) -> None:
        kind = f"Procedure {unit['number']}" if unit["kind"] == "procedure" else "Section"
        self._end_output()
        self._write(b"\n")
        self._line((f"{kind}: {unit['title']}", "bold"), "  ", (f"run {run_id}", "dim"))
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
            self._line(f"  {fact}")
        # `runs_dir` is where the run is kept as the store says it (Store.label): the journal's
        # absolute path, or the store's URL and the run id. Never re-wrapped: a path is copied whole.
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
        self._line((f"  ⏱  {' · '.join(parts)}{' — over' if over else ''}", "bold red" if over else "dim"))

    def node(self, node: dict[str, Any], commands: list[str], env_lines: list[str]) -> None:
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
        self._end_output()
        self._write(b"\n")
        tail: list[tuple[str, str] | str] = ["  ", (", ".join(marks), "yellow")] if marks else []
        self._line((f"▶ {node['id']}", "bold cyan"), " ", (node["title"], "bold"), *tail)
        prose = "\n\n".join(visible(p) for p in node.get("prose", []) if p.strip())
        if prose:
            from rich.markdown import Markdown

            self._rich(Markdown(prose))
        self._shown(node)
        for reason in flags.get("reasons", []) if flags.get("destructive") else []:
            self._line((f"  ⚠ {reason}", "red"))
        self.commands(commands)
        self._typed(node)
        for line in env_lines:
            self._line(("  " + line, "dim"))

    def _shown(self, node: dict[str, Any]) -> None:
        """The step's content that is neither run nor typed (a config file, sample output): as written."""
        for block in shown_blocks(node):
            self._line((f"  {block['lang'] or 'text'} (shown, not run):", "dim"))
            for line in block["code"].rstrip("\n").split("\n"):
                self._line(("  │", "dim"), " ", line)

    def _typed(self, node: dict[str, Any]) -> None:
        """Commands for the operator to type elsewhere (in a session, in psql): apart from the
        `$ ` lines the run executes, each group headed by where it is typed."""
        for session in sessions(node):
            self._line(
                (
                    f"  ⇥ opens a session ({session}): the terminal is yours until you leave it (exit)",
                    "magenta",
                )
            )
        for where, typed in typed_groups(node):
            self._line((f"  type these yourself, {where_words(where)}:", "magenta"))
            for command in typed:
                self._command_lines(command["text"], bool(command["destructive"]))
        later = later_inside(node)
        if later:
            self._line(("  then, still inside it, what the next steps say to type:", "magenta"))
            for item in later:
                self._line(("    " + item["step"], "dim"))
                self._command_lines(item["text"], bool(item["destructive"]))

    def _command_lines(self, text: str, destructive: bool) -> None:
        for number, line in enumerate(text.split("\n")):
            mark: list[tuple[str, str] | str] = (
                ["  ", ("⚠ destructive", "red")] if destructive and not number else []
            )
            self._line("    ", ("⌨" if number == 0 else " ", "magenta"), " ", line, *mark)

    def commands(self, commands: list[str], marks: list[str] | None = None) -> None:
        """Each command exactly as it runs, every line (`$` first, `>` for the lines after); with
        `marks`, numbered, and what became of each beside it (`✓` ok, `✗` failed, `▶` running)."""
        for index, command in enumerate(commands):
            lead: list[tuple[str, str] | str] = []
            tail: list[tuple[str, str] | str] = []
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
            mark: list[tuple[str, str] | str] = [("  ⚠ DESTRUCTIVE", "bold red")] if destructive else []
            self._line("  ", (f"{key})", "bold"), " ", title, *mark)
            for command in commands:
                for at, line in enumerate(command.split("\n")):
                    self._command(["       ", ("$" if at == 0 else ">", "dim"), " "], line)

    def running(self, command: str, never_ending: bool = False) -> None:
        for at, line in enumerate(command.split("\n")):
            self._command([(f"  {'$' if at == 0 else '>'} ", "dim")], line, "dim")
        if never_ending:
            self._line(("  (it runs until stopped: Ctrl-C stops it, the run goes on)", "dim"))
        self._live = LiveOutput()
        if self.console.is_terminal and not self.closed:
            self._ticker.start(self._raw, self.console.no_color)

    def ran(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self._ticker.stop(self._raw)

    def progress(self, message: str | None) -> None:
        if self.console.is_terminal and not self.closed:
            with contextlib.suppress(BrokenPipeError):
                self._ticker.show(
                    self._raw, None if message is None else visible(message), self.console.no_color
                )

    def result(
        self, node_id: str, status: str, exit_code: int | None, duration: float, note: str = ""
    ) -> None:
        code = f" exit {exit_code}" if exit_code is not None else ""
        extra = f" — {note}" if note else ""
        self._line(
            "  ",
            (status, _STATUS_STYLE.get(status, "")),
            f"{code} in {durations.precise(duration)} ",
            (f"({node_id})", "dim"),
            extra,
        )

    def announce(self, text: str) -> None:
        from rich.markup import escape
        from rich.panel import Panel

        self._rich(Panel(escape(visible(text.strip("\n"))), title="announcement", expand=False))


def _merged(parts: tuple[tuple[str, str] | str, ...]) -> tuple[tuple[str, str] | str, ...]:
    """Adjacent parts of the same style as one."""
    out: list[tuple[str, str] | str] = []
    for part in parts:
        previous = out[-1] if out else None
        if isinstance(part, str) and isinstance(previous, str):
            out[-1] = previous + part
        elif isinstance(part, tuple) and isinstance(previous, tuple) and previous[1] == part[1]:
            out[-1] = (previous[0] + part[0], part[1])
        else:
            out.append(part)
    return tuple(out)


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


def stdout_view(console: Console) -> TerminalView:
    """The view on standard output. When that is a pipe (`runbook run … | tee log`), its buffer is
    made 1 MiB, as the command's own is: a megabyte read is then passed on in one write, not
    sixteen, each waiting for the reader."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        import fcntl
        import stat

        fd = sys.stdout.fileno()
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    return TerminalView(console, getattr(sys.stdout, "buffer", None))
