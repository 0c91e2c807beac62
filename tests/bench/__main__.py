"""Benchmarks: `python tests/bench` prints each figure beside a baseline measured in the same run.

The machine is shared and noisy, so absolute times drift; the ratio to the baseline holds.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import large_runbook  # noqa: E402


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) if repeat < 5 else statistics.median(times)


def bench_parse(repeat: int = 5) -> tuple[str, float, float, str]:
    """runbook's parse + inference + schema-checked graph of a 1 MB runbook vs markdown-it's bare parse."""
    from markdown_it import MarkdownIt

    from interpreter.graph import graph_json
    from interpreter.loader import load_text

    text = large_runbook(1_000_000)
    bare = MarkdownIt("commonmark").enable("table")
    baseline = _best(lambda: bare.parse(text), repeat)
    ours = _best(lambda: graph_json(load_text(text, "large.md")), repeat)
    return (f"parse 1 MB runbook ({len(text) / 1e6:.2f} MB) to graph", ours, baseline, "markdown-it parse")


def main() -> None:
    rows = [bench_parse()]
    print(f"{'benchmark':<48} {'ours':>9} {'baseline':>9} {'ratio':>7}  baseline is")
    for name, ours, baseline, what in rows:
        print(f"{name:<48} {ours * 1000:>7.0f}ms {baseline * 1000:>7.0f}ms {ours / baseline:>6.2f}x  {what}")


if __name__ == "__main__":
    main()
