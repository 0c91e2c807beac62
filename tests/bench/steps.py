"""`python tests/bench steps [N]`: where a step's time goes, in a run of N steps of `true` (500).

The run is made in this process, `runbook run FILE -p 1 --yes`, with a timer around each part of
the run loop that a step passes through; each figure is its time divided by the steps, so they add
up to the time of a step, less what is not timed (the runner walking the graph, the menu, the
output reader's thread). Then the same bash, started alone, with and without the prelude that
saves the shell's state, for comparison. The timers cost a little themselves: the total is a few
percent above an untimed run's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from harness import measure


@contextlib.contextmanager
def _timers(parts: list[tuple[Any, str, str]]) -> Iterator[Counter[str]]:
    """Time calls of each (owner, attribute, label) while inside; a call made inside another call
    of the same part (recursion) is counted once."""
    spent: Counter[str] = Counter()
    depth: Counter[str] = Counter()
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in parts]

    def timed(original: Callable[..., Any], label: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            depth[label] += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                depth[label] -= 1
                if not depth[label]:
                    spent[label] += time.perf_counter() - start

        return call

    for (owner, name, original), (_, _, label) in zip(saved, parts, strict=True):
        setattr(owner, name, timed(original, label))
    try:
        yield spent
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def _bash_alone(prelude: str | None, count: int) -> float:
    """Milliseconds to start `bash -c true` as the session does (own session, output piped, its
    state file in memory where the system has a memory file system)."""
    from interpreter.run.session import _private_root

    folder = Path(tempfile.mkdtemp(prefix="runbook-bench-", dir=_private_root()))
    env = dict(os.environ)
    if prelude is not None:
        (folder / "prelude.sh").write_text(prelude, "utf-8")
        env.update(
            BASH_ENV=str(folder / "prelude.sh"), RUNBOOK_STATE=str(folder / "state"), RUNBOOK_CAPTURE=""
        )
    start = time.perf_counter()
    for _ in range(count):
        child = subprocess.Popen(
            ["bash", "-c", "true"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert child.stdout is not None
        child.stdout.read()
        child.wait()
    took = (time.perf_counter() - start) / count * 1000
    shutil.rmtree(folder)
    return took


@measure("steps")
def measure_steps(args: list[str]) -> int:
    """A run of N trivial steps, its time split by the parts of the run loop."""
    steps = int(args[0]) if args and args[0].isdigit() else 500
    from click.testing import CliRunner

    import interpreter.journal.files as files
    import interpreter.run.runner as runner
    import interpreter.run.session as session
    import interpreter.run.view as view
    from interpreter.cli import main
    from interpreter.policy.masking import Masker

    folder = Path(tempfile.mkdtemp(prefix="runbook-bench-"))
    body = "".join(f"{n}. **Step {n}**\n   ```bash\n   true\n   ```\n" for n in range(1, steps + 1))
    book = folder / "many.md"
    book.write_text(f"# Many\n\n## Procedure 1: Many steps\n\n{body}", "utf-8")
    parts = [
        (runner.Runner, "emit", "events: mask, check, chain, write, fdatasync (4 a step)"),
        (Masker, "event", "  of which masking the event"),
        (files, "datasync", "  of which fdatasync (1 a step)"),
        (session.ShellSession, "run", "the command: bash started, run, read, state loaded"),
        (subprocess.Popen, "__init__", "  of which starting bash (fork, exec)"),
        (session.ShellSession, "_load_state", "  of which loading the state bash saved"),
        (view.TerminalView, "node", "the screen: the step shown"),
    ]
    try:
        with _timers(parts) as spent:
            start = time.perf_counter()
            args_ = ["run", str(book), "-p", "1", "--yes", "--runs-dir", str(folder / "runs")]
            done = CliRunner().invoke(main, args_)
            total = time.perf_counter() - start
        if done.exit_code != 0:
            print(done.output, file=sys.stderr)
            return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{steps} steps in {total:.2f} s: {total / steps * 1000:.2f} ms a step (in this process)")
    for _, _, label in parts:
        print(f"{spent[label] / steps * 1000:7.2f} ms  {label}")
    print("        (the command's time holds its command.started event, written before bash is let go)")
    plain = _bash_alone(None, 300)
    full = _bash_alone(session._PRELUDE, 300)
    print(f"{plain:7.2f} ms  bash -c true alone, started the same way")
    print(f"{full:7.2f} ms  the same with the prelude (state saved on exit)")
    return 0
