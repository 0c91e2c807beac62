"""A command's output on its way to the journal and the screen (issue 16): masked in one pass read
by read, a secret split between two reads still masked, every byte journaled, the screen sampled
when the output outruns it."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from support.runs import journal, write

from interpreter.journal.outputs import partial_outputs
from interpreter.policy.masking import MASK, Masker
from interpreter.run.session import ShellSession
from interpreter.run.view import TerminalView

SECRET = "tok-Split/Me+Here-7c1e9a"
RUNBOOK = str(Path(sys.executable).parent / "runbook")


def test_a_secret_split_between_two_reads_is_masked(tmp_path: Path) -> None:
    """The command prints the first half of the secret and waits on a FIFO until the run has read
    it: the split between the two reads falls inside the secret, every time."""
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    half = len(SECRET) // 2
    command = f"printf 'before {SECRET[:half]}'; read -r _ < {fifo}; printf '{SECRET[half:]} after\\n'"
    masker = Masker([SECRET])
    reads: list[bytes] = []

    def record(chunk: bytes) -> bytes:
        reads.append(chunk)
        if len(reads) == 1:
            with open(fifo, "w") as go:  # the first read is in: let the command go on
                go.write("go\n")
        return masker.feed(chunk)

    shown: list[bytes] = []
    session = ShellSession(env=dict(os.environ), cwd=str(tmp_path))
    try:
        assert session.run(command, shown.append, early=record).status == "ok"
    finally:
        session.close()
    shown.append(masker.flush())
    assert reads[0] == f"before {SECRET[:half]}".encode()  # the split is where it was forced
    assert b"".join(shown) == f"before {MASK} after\n".encode()


def test_a_split_at_every_byte_masks_every_form(tmp_path: Path) -> None:
    import base64

    masker = Masker([SECRET])
    text = f"a {SECRET} b {SECRET.upper()} c {base64.b64encode(('u:' + SECRET).encode()).decode()} d\n"
    data = text.encode()
    whole = Masker([SECRET])
    expected = whole.feed(data) + whole.flush()
    assert SECRET.encode() not in expected and SECRET.upper().encode() not in expected
    for cut in range(len(data) + 1):
        assert masker.feed(data[:cut]) + masker.feed(data[cut:]) + masker.flush() == expected


class _SlowScreen(io.BytesIO):
    """A terminal that takes a second for every write, on a clock the test moves."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.now += 1.0
        return super().write(data)


def test_the_view_samples_output_that_outruns_the_screen_and_says_so() -> None:
    screen = _SlowScreen()
    view = TerminalView(Console(file=io.StringIO()), raw=screen, now=lambda: screen.now)
    view.running("make noise")
    lines = [f"line {n}\n".encode() for n in range(1000)]
    for start in range(0, 1000, 10):
        view.output(b"".join(lines[start : start + 10]))  # reads come faster than the screen
    view.result("1.1", "ok", 0, 1.0)
    shown = screen.getvalue().decode()
    # The first read is shown; the rest arrived while the screen was busy: counted, not shown,
    # then the end of the output (how it finished) and how many lines were left out.
    assert shown.count("line ") < 100
    assert "line 0\n" in shown and "line 999\n" in shown
    [notice] = [line for line in shown.split("\n") if "not shown" in line]
    skipped = int(notice.split()[1].replace(",", ""))
    assert skipped + shown.count("line ") == 1000
    assert notice == f"… {skipped:,} lines not shown, all in the journal"


@pytest.mark.slow
def test_the_journal_holds_every_byte_of_a_gigabyte_whatever_the_screen_showed(tmp_path: Path) -> None:
    size = 1_000_000_000
    pattern = f"a line of log output with {SECRET} in it, status=ok\n"
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Loud
        1. **Print a gigabyte**
           ```bash
           {{ yes '{pattern[:-1]}' || true; }} | head -c {size}
           ```
        """,
    )
    # The screen is a pipe closed after 100 kB: the run goes on, its output in the journal.
    done = subprocess.run(
        f"{RUNBOOK} run {rb} -p 1 --yes --runs-dir {tmp_path / 'runs'} | head -c 100000 > /dev/null",
        shell=True,
        cwd=tmp_path,
        env={**os.environ, "API_TOKEN": SECRET, "NO_COLOR": "1"},
        stderr=subprocess.PIPE,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    [output] = [
        c["output"] for e in journal(tmp_path) if e["type"] == "step.finished" for c in e["data"]["commands"]
    ]
    masked = pattern.replace(SECRET, MASK).encode()
    copies, rest = divmod(size, len(pattern))
    expected = hashlib.sha256()
    block = masked * 10_000
    for _ in range(copies // 10_000):
        expected.update(block)
    expected.update(masked * (copies % 10_000) + pattern[:rest].replace(SECRET, MASK).encode())
    assert output["sha256"] == expected.hexdigest()
    [file] = (tmp_path / "runs").glob(f"*/{output['file']}")
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    assert digest.hexdigest() == expected.hexdigest()  # the file holds what its name says
    assert output["bytes"] == copies * len(masked) + len(pattern[:rest].replace(SECRET, MASK).encode())


def test_the_in_doubt_screen_lists_partial_outputs_in_the_order_the_commands_ran(tmp_path: Path) -> None:
    """Names sort as text (`-10` before `-2`); the screen shows them by command number."""
    for command in (1, 2, 9, 10, 11):
        (tmp_path / f"000012-2.3-1-{command}.partial").write_bytes(f"out {command}\n".encode())
    (tmp_path / "000012-2.3-2-1.partial").write_bytes(b"another attempt\n")
    found = partial_outputs(tmp_path, "2.3", 1, 100)
    assert [(p.command, p.data) for p in found] == [(n, f"out {n}\n".encode()) for n in (1, 2, 9, 10, 11)]
