"""`runbook runs`, `runbook follow` and the site say the same word for how each run stands.

Four real runs of one runbook: one ends ok, one fails, one is killed mid-step (SIGKILL, no end
recorded), and one is still running while the three readers look.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from support.paths import ROOT, runbook_command

from interpreter.cli import main

RUNBOOK = """# Four ways

## Procedure 1: Ends ok

1. **Say it**
   ```bash
   echo fine
   ```

## Procedure 2: Fails

1. **Fail**
   ```bash
   exit 3
   ```

## Procedure 3: Gets killed

1. **Hang**
   ```bash
   touch hanging; sleep 60
   ```

## Procedure 4: Still running

1. **Wait for the go**
   ```bash
   touch waiting; while [ ! -e go ]; do sleep 0.1; done
   ```
"""


def _start(tmp_path: Path, procedure: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        runbook_command("run", "four.md", "-p", procedure, "--yes", "--runs-dir", "runs"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared: the run did not start"
        time.sleep(0.05)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _site_statuses(out: Path, run_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Each run's word on its runbook's card and on its own page."""
    page = (out / "four.html").read_text("utf-8")
    found = {}
    for run_id in run_ids:
        card = re.search(rf'href="runs/{run_id}\.html".*?class="badge status-(\w+)">(\w+)<', page, re.S)
        assert card is not None and card[1] == card[2], f"no status for {run_id} on the runbook's page"
        own = (out / "runs" / f"{run_id}.html").read_text("utf-8")
        outcome = re.search(r'<th>Outcome</th><td class="status-(\w+)">(\w+)', own)
        assert outcome is not None and outcome[1] == outcome[2]
        found[run_id] = (card[1], outcome[1])
    return found


def _follow_word(output: str) -> str:
    """The last status word `runbook follow` said: its own last line, or the run's last end."""
    last = output.strip().splitlines()[-1]
    return re.findall(r"\brun (?:\d{8}-\d{6}-[0-9a-f]{6} )?([a-z]+)\b", last)[-1]


def test_runs_follow_and_the_site_say_the_same_word_for_each_run(tmp_path: Path) -> None:
    (tmp_path / "four.md").write_text(RUNBOOK)
    runs = str(tmp_path / "runs")
    for procedure in ("1", "2"):
        _start(tmp_path, procedure).wait(timeout=60)
    killed = _start(tmp_path, "3")
    _wait_for(tmp_path / "hanging")
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    running = _start(tmp_path, "4")
    try:
        _wait_for(tmp_path / "waiting")
        listed = json.loads(_cli("runs", "--runs-dir", runs, "--json").output)
        by_procedure = {r["procedure"]: r for r in listed}
        ids = [by_procedure[t]["id"] for t in ("Ends ok", "Fails", "Gets killed", "Still running")]
        words = [by_procedure[t]["status"] for t in ("Ends ok", "Fails", "Gets killed", "Still running")]
        assert words == ["ok", "failed", "killed", "running"]

        site = _cli("site", str(tmp_path / "four.md"), "-o", str(tmp_path / "out"), "--runs-dir", runs)
        assert site.exit_code == 0, site.output
        on_site = _site_statuses(tmp_path / "out", ids)
        assert [on_site[i] for i in ids] == [(w, w) for w in words]

        for run_id, word in zip(ids[:3], words[:3], strict=True):
            followed = _cli("follow", run_id, "--runs-dir", runs)
            assert _follow_word(followed.output) == word, followed.output
            assert followed.exit_code == (0 if word == "ok" else 1)

        # A running run is followed for as long as it runs, then follow says how it ended.
        follower = subprocess.Popen(
            runbook_command("follow", ids[3], "--runs-dir", runs),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        time.sleep(1.0)
        assert follower.poll() is None, "follow ended while the run was still running"
        (tmp_path / "go").touch()
        output, _ = follower.communicate(timeout=60)
        assert running.wait(timeout=60) == 0
        assert follower.returncode == 0 and _follow_word(output) == "ok"
        listed = json.loads(_cli("runs", "--runs-dir", runs, "--json").output)
        assert [r["status"] for r in listed if r["id"] == ids[3]] == ["ok"]
    finally:
        (tmp_path / "go").touch()
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
        running.wait()
