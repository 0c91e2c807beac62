"""The benchmark harness: a registry of benchmarks, timing against a baseline run alongside, the table."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RUNBOOK = str(BIN / "runbook")


def compile_package() -> None:
    """Compile the package as pip does when it installs one, before any benchmark starts `runbook`.
    The baseline's libraries were compiled so; this checkout is an editable install, and with
    PYTHONDONTWRITEBYTECODE set (as on the development machines) every start would otherwise
    compile from source each module edited since the last compile, timing the compiler."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "interpreter")], check=True)


@dataclass(frozen=True)
class Row:
    """One line of the table: our figure beside a baseline measured in the same run."""

    name: str
    ours: float
    baseline: float
    baseline_is: str
    goal: str = ""
    """The goal as the issue states it, e.g. `<= 3x`."""
    max_ratio: float | None = None
    """Passes when ours / baseline is at most this."""
    limit: float | None = None
    """Passes when ours is under this absolute figure (memory)."""
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def passed(self) -> bool | None:
        checks = []
        if self.max_ratio is not None:
            checks.append(self.ratio <= self.max_ratio)
        if self.limit is not None:
            checks.append(self.ours < self.limit)
        return all(checks) if checks else None


Bench = Callable[[bool], list[Row]]
"""A benchmark: given `quick`, measures and returns its rows."""

REGISTRY: dict[str, Bench] = {}


def benchmark(name: str) -> Callable[[Bench], Bench]:
    """Register a benchmark under `name` (what `python tests/bench NAME` selects)."""

    def register(fn: Bench) -> Bench:
        REGISTRY[name] = fn
        return fn

    return register


Measure = Callable[[list[str]], int]
"""A measurement: given its command-line arguments, prints its figures and returns an exit code."""

MEASURES: dict[str, Measure] = {}


def measure(name: str) -> Callable[[Measure], Measure]:
    """Register a measurement under `name` (`python tests/bench NAME ARGS...`): it takes arguments,
    such as a folder of runbooks, where a benchmark takes none."""

    def register(fn: Measure) -> Measure:
        MEASURES[name] = fn
        return fn

    return register


def paired(ours: Callable[[], object], baseline: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median times of `ours` and `baseline`, run in turns so that drift hits both alike."""
    a, b = [], []
    for _ in range(repeat):
        for fn, into in ((baseline, b), (ours, a)):
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def command(args: Sequence[str], ok: tuple[int, ...] = (0,), **kwargs: object) -> Callable[[], None]:
    """A callable running `args`, output discarded, that fails loudly on an unexpected exit code."""

    def run() -> None:
        done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")

    return run


def peak_memory_mb(args: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Largest resident set of `args` or any process it started, in MB (Linux ru_maxrss is in KB)."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, check=True, env=env or dict(os.environ)
    )
    return int(out.stdout.split()[-1]) / 1000


def _figure(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:.0f} {unit}"


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table."""
    header = ("benchmark", "ours", "baseline", "ratio", "goal", "result", "baseline is")
    lines = []
    for row in rows:
        verdict = {True: "pass", False: "MISS", None: "-"}[row.passed]
        lines.append(
            (
                row.name,
                _figure(row.ours, row.unit),
                _figure(row.baseline, row.unit),
                f"{row.ratio:.2f}x",
                row.goal,
                verdict,
                row.baseline_is,
            )
        )
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    out = []
    for cells in [header, *lines]:
        out.append(
            "  ".join(
                str(c).ljust(w) if i in (0, 4, 5, 6) else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(out)
