"""Benchmarks: `python tests/bench [NAME...] [--quick]` prints each figure beside a baseline run alongside.

Measurements take arguments: `python tests/bench inference CORPUS_DIR` reads a folder of real
runbooks and prints what inference makes of them (see inference.py).

The machine is shared and noisy, so absolute times drift; the ratio to the baseline holds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmarks  # noqa: F401  (registers the benchmarks)
import gate  # noqa: F401  (registers the CI gate benchmark)
import inference  # noqa: F401  (registers the measurements)
import steps  # noqa: F401  (registers the step breakdown)
from harness import MEASURES, REGISTRY, compile_package, table


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in MEASURES:
        compile_package()
        return MEASURES[sys.argv[1]](sys.argv[2:])
    parser = argparse.ArgumentParser(prog="python tests/bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        help=f"benchmarks to run (default all): {', '.join(REGISTRY)}; or a measurement with its "
        f"arguments: {', '.join(MEASURES)}",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller inputs (200 runbooks, 100 steps, 200 MB)"
    )
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    compile_package()
    rows = []
    for name in args.names or list(REGISTRY):
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(REGISTRY[name](args.quick))
    print(table(rows))
    return 1 if any(row.passed is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
