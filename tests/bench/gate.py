"""`runbook validate` as a CI gate on a folder of real runbooks, beside markdown-it and markdownlint-cli2.

The folder is `$RUNBOOK_BENCH_CORPUS` (for example the development corpus, `../shared/corpus`),
else a generated one of the same shapes. markdownlint-cli2, the linter teams already run on
Markdown in CI, comes from the npm registry into `~/.cache/runbook-bench` when it is missing;
without npm its row is skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import corpus
from harness import RUNBOOK, Row, benchmark, command, paired

_BARE_PARSE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from markdown_it import MarkdownIt\n"
    "md = MarkdownIt('commonmark', {'html': True}).enable('table')\n"
    "for path in sorted(Path(sys.argv[1]).rglob('*.md')):\n"
    "    md.parse(path.read_text('utf-8', errors='replace'))\n"
)
_CACHE = Path.home() / ".cache" / "runbook-bench"


def _markdownlint() -> str | None:
    """markdownlint-cli2's command, installed into the cache folder when missing; None without npm."""
    binary = _CACHE / "node_modules" / ".bin" / "markdownlint-cli2"
    if binary.exists():
        return str(binary)
    npm = shutil.which("npm")
    if npm is None:
        return None
    _CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(_CACHE), "--no-audit", "--no-fund", "markdownlint-cli2"],
        capture_output=True,
        check=False,
    )
    return str(binary) if done.returncode == 0 and binary.exists() else None


def _folder(quick: bool) -> tuple[Path, str, bool]:
    """The runbooks to check, how to name them, and whether the folder is ours to delete."""
    given = os.environ.get("RUNBOOK_BENCH_CORPUS")
    if given:
        folder = Path(given)
        return folder, f"{sum(1 for _ in folder.rglob('*.md'))} real runbooks", False
    folder = Path(tempfile.mkdtemp(prefix="runbook-bench-"))
    count = 200 if quick else 640
    for name, text in corpus(count):
        (folder / name).write_text(text, "utf-8")
    return folder, f"{count} generated runbooks", True


@benchmark("gate")
def bench_gate(quick: bool) -> list[Row]:
    """validate (no shellcheck) vs markdown-it's bare parse in one process (<= 2x) and vs
    markdownlint-cli2 (must be faster); with shellcheck, for information."""
    folder, what, owned = _folder(quick)
    try:
        repeat = 3
        validate = command(
            [RUNBOOK, "validate", "--no-shellcheck", "--format", "json", str(folder)], ok=(0, 1)
        )
        ours, bare = paired(validate, command([sys.executable, "-c", _BARE_PARSE, str(folder)]), repeat)
        rows = [
            Row(
                f"validate {what} (no shellcheck)",
                ours,
                bare,
                "markdown-it parse of the same files, one process",
                "<= 2x",
                max_ratio=2.0,
            )
        ]
        lint = _markdownlint()
        if lint is None:
            print("gate: npm is missing, so the markdownlint-cli2 row is skipped", file=sys.stderr)
            return rows
        markdownlint = command([lint, "**/*.md"], ok=(0, 1), cwd=folder)
        ours, theirs = paired(validate, markdownlint, repeat)
        rows.append(
            Row(f"validate {what} (no shellcheck)", ours, theirs, "markdownlint-cli2", "< 1x", max_ratio=1.0)
        )
        full = command([RUNBOOK, "validate", "--format", "json", str(folder)], ok=(0, 1))
        ours, theirs = paired(full, markdownlint, 1)
        rows.append(Row(f"validate {what} with shellcheck", ours, theirs, "markdownlint-cli2", "-"))
        return rows
    finally:
        if owned:
            shutil.rmtree(folder)
