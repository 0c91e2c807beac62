"""The one transient line under a running command: its elapsed clock and how to stop it, or a countdown.

Drawn on a terminal only, and only when the command's output so far ends a line; every write of
the view passes through it, so the line is erased before anything else is written.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from ..policy import durations

__all__ = ["Ticker"]

_LONG = 3.0
"""Seconds after which a running command shows its clock."""

Write = Callable[[bytes], None]


class Ticker:
    """One transient line under a command's output: its elapsed clock and how to stop it, or a
    countdown. Drawn only when the output so far ends a line, erased before anything else is
    written (every write of the view passes here)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.drawn = False
        self.at_line_start = True
        self.last_output = 0.0
        self.started = 0.0
        self.stopping: threading.Event | None = None
        self.thread: threading.Thread | None = None

    def start(self, write: Write, plain: bool) -> None:
        self.stop(write)
        self.started = self.last_output = time.monotonic()
        stopping = threading.Event()
        self.stopping = stopping
        self.thread = threading.Thread(target=self._tick, args=(write, plain, stopping), daemon=True)
        self.thread.start()

    def _tick(self, write: Write, plain: bool, stopping: threading.Event) -> None:
        while not stopping.wait(0.5):
            now = time.monotonic()
            if now - self.started < _LONG or now - self.last_output < 1.0:
                continue
            line = f"  ⏱ {durations.clock(now - self.started)} running — Ctrl-C stops it, the run goes on"
            with contextlib.suppress(OSError, ValueError), self.lock:
                if not stopping.is_set() and self.at_line_start:
                    self._draw(write, line, plain)

    def _draw(self, write: Write, line: str, plain: bool) -> None:
        styled = line if plain else f"\x1b[2m{line}\x1b[0m"
        write(("\r\x1b[2K" + styled).encode("utf-8"))
        self.drawn = True

    def erase(self, write: Write) -> None:
        with self.lock:
            self._erase(write)

    def _erase(self, write: Write) -> None:
        if self.drawn:
            write(b"\r\x1b[2K")
            self.drawn = False

    def write(self, write: Write, data: bytes) -> None:
        with self.lock:
            self._erase(write)
            write(data)
            if data:
                self.at_line_start = data.endswith(b"\n")
                self.last_output = time.monotonic()

    def show(self, write: Write, message: str | None, plain: bool) -> None:
        with self.lock:
            if message is None:
                self._erase(write)
            else:
                self._draw(write, message, plain)

    def stop(self, write: Write) -> None:
        if self.stopping is not None:
            self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=1.0)
        self.stopping = self.thread = None
        with contextlib.suppress(OSError, ValueError):
            self.erase(write)
