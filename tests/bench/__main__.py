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

from corpus import large_runbook


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


def bench_stray_quote(repeat: int = 3) -> tuple[str, float, float, str]:
    """A block whose stray apostrophe leaves a string open for 20,000 lines: must stay linear."""
    from interpreter.loader import load_text

    lines = "\n".join(f"   echo line {i}" for i in range(20_000))
    text = f"## Procedure 1: Big\n1. **Many**\n   ```bash\n   echo don't\n{lines}\n   ```\n"
    closed = text.replace("echo don't", "echo dont")
    baseline = _best(lambda: load_text(closed, "closed.md"), repeat)
    ours = _best(lambda: load_text(text, "open.md"), repeat)
    return ("20,000 lines after an unclosed quote", ours, baseline, "the same lines, quote closed")


def main() -> None:
    rows = [bench_parse(), bench_stray_quote()]
    print(f"{'benchmark':<48} {'ours':>9} {'baseline':>9} {'ratio':>7}  baseline is")
    for name, ours, baseline, what in rows:
        print(f"{name:<48} {ours * 1000:>7.0f}ms {baseline * 1000:>7.0f}ms {ours / baseline:>6.2f}x  {what}")


if __name__ == "__main__":
    main()
