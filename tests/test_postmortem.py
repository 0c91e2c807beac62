"""Post-mortems of recorded runs: golden Markdown (times normalised), HTML in a real browser, no secret.

`UPDATE_GOLDEN=1 pytest tests/test_postmortem.py` rewrites the golden files after a deliberate change.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import FIXTURES, ROOT, runbook_command
from support.seed import run_procedure_2_from_answers
from support.services import unavailable

from interpreter.cli import main

DEMO = ROOT / "runbooks" / "demo-rollback.md"
GOLDEN = FIXTURES / "postmortem"
DEPLOYED = "2026-11-28T21:40:00Z"
DETECTED = "2026-11-28T21:52:30Z"


def normalise(text: str, tmp_path: Path) -> str:
    """What differs between two recordings of the same run: times, durations, ids, who, where."""
    text = text.replace(str(tmp_path.resolve()), "<TMP>").replace(str(tmp_path), "<TMP>")
    text = text.replace(str(ROOT), "<ROOT>")
    text = text.replace(f"{getpass.getuser()}@{socket.gethostname()}", "<OPERATOR>")
    text = re.sub(r"\d{8}-\d{6}-[0-9a-f]{6}", "<RUN-ID>", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?( UTC)?", "<TIME>", text)
    text = re.sub(r"\b\d{2}:\d{2}:\d{2}\b", "HH:MM:SS", text)
    text = re.sub(r"T\+\d+:\d{2}:\d{2}", "T+H:MM:SS", text)
    text = re.sub(r"\b(\d+h )?\d+m \d{2}s\b", "<DURATION>", text)
    text = re.sub(r"\b\d+\.\d+s\b", "N.Ns", text)
    text = re.sub(r"\| Commit \| [^|]*\|", "| Commit | <COMMIT> |", text)
    text = re.sub(r"head [0-9a-f]{64}", "head <HASH>", text)
    return text


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


def _no_engine() -> dict[str, str]:
    """The golden runs are recorded without a container engine, so they hold no snapshot."""
    return {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}


def _record_demo(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        runbook_command("run", str(DEMO), "-p", "1", "--yes", "--runs-dir", "runs", *extra),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**_no_engine(), "DEMO_DIR": str(tmp_path / "demo"), "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    [run] = list((tmp_path / "runs").iterdir())
    return run.name


def _postmortem(tmp_path: Path, run_id: str, *extra: str) -> str:
    result = CliRunner().invoke(
        main, ["postmortem", run_id, "--runs-dir", str(tmp_path / "runs"), *extra], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_postmortem_of_the_demo_rollback(tmp_path: Path) -> None:
    run_id = _record_demo(tmp_path)
    note = CliRunner().invoke(
        main, ["note", run_id, "health check green on the dashboard", "--runs-dir", str(tmp_path / "runs")]
    )
    assert note.exit_code == 0, note.output
    text = _postmortem(tmp_path, run_id, "--deployed-at", DEPLOYED, "--detected-at", DETECTED)
    # The seed's "Document Timeline" fields: from the options where the journal cannot know them.
    assert "| Deployment start time | 2026-11-28 21:40:00 UTC | --deployed-at |" in text
    assert "| Rollback initiated time |" in text and "| run.started |" in text
    assert "health check green on the dashboard" in text
    check_golden("postmortem-demo.md", normalise(text, tmp_path))


def test_postmortem_of_the_seed_procedure_2(tmp_path: Path, fp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    result = run_procedure_2_from_answers(tmp_path, fp)
    assert result.exit_code == 0, result.output
    [run] = list((tmp_path / "runs").iterdir())
    text = _postmortem(tmp_path, run.name, "--detected-at", DETECTED)
    # Severity P1 was chosen: its response target and the table row are in the report.
    assert "| Severity | P1 |" in text
    assert "| severity | P1 |" in text  # the decision, with the severity table's row as rationale
    assert "**skipped** `2.2`" in text
    assert "**destructive**" in text and "database-migration-rollback" in text
    assert "**response target**" in text  # 21:52 detection to now is far over P1's target
    check_golden("postmortem-seed-procedure-2.md", normalise(text, tmp_path))


def test_no_secret_reaches_any_form_of_the_postmortem(tmp_path: Path) -> None:
    runbook = tmp_path / "secret.md"
    runbook.write_text(
        "---\nsecrets: [DB_PASS]\n---\n# Secrets\n\n## Procedure 1: Leak\n\n"
        '1. **Echo**\n   ```bash\n   echo "token=$API_TOKEN pass=$DB_PASS"; echo "$API_TOKEN" >&2\n   ```\n'
        '2. **Fail with it**\n   ```bash\n   echo "still $DB_PASS"; exit 3\n   ```\n'
    )
    secrets = {"API_TOKEN": "tok-8d1f7c2e9a", "DB_PASS": "pw-53b1c0ffee"}
    result = subprocess.run(
        runbook_command("run", str(runbook), "-p", "1", "--yes", "--runs-dir", "runs"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **secrets, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert result.returncode == 1  # the second step fails, and the failure is reported too
    [run] = list((tmp_path / "runs").iterdir())
    CliRunner().invoke(
        main,
        ["note", run.name, "saw pw-53b1c0ffee in a log", "--runs-dir", str(tmp_path / "runs")],
        env=secrets,
    )
    forms = {fmt: _postmortem(tmp_path, run.name, "--format", fmt) for fmt in ("md", "html", "json")}
    assert "••••" in forms["md"]
    for fmt, text in forms.items():
        for value in secrets.values():
            assert value not in text, f"{value} appears in the {fmt} post-mortem"
    written = b"".join(p.read_bytes() for p in run.rglob("*") if p.is_file())
    assert not any(v.encode() in written for v in secrets.values())


def test_the_html_postmortem_in_headless_chromium(tmp_path: Path) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        unavailable("chromium", "/usr/bin/chromium is not installed (scripts/install-browser installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    runbook = tmp_path / "failing.md"
    runbook.write_text(
        "# Failing\n\n## Procedure 1: Try\n\n**Estimated Duration**: 1 minute\n\n"
        "1. **Fine**\n   ```bash\n   echo fine\n   ```\n"
        "2. **Breaks**\n   ```bash\n   printf '\\x3cscript\\x3ealert(1)\\x3c/script\\x3e\\n'; exit 2\n   ```\n"
    )
    subprocess.run(
        runbook_command("run", str(runbook), "-p", "1", "--yes", "--runs-dir", "runs"),
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=60,
    )
    [run] = list((tmp_path / "runs").iterdir())
    page_file = tmp_path / "postmortem.html"
    _postmortem(tmp_path, run.name, "--format", "html", "-o", str(page_file))
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            bars = page.locator("#run-timeline svg rect.bar")
            assert bars.count() >= 2
            assert page.locator("#run-timeline svg rect.bar-failed").count() == 1
            box = page.locator("#run-timeline svg").bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 40
            assert "<script>alert(1)</script>" in page.locator("body").inner_text()  # shown as text
            page.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing wider than it
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
        finally:
            browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()], "the post-mortem must be one self-contained file"


def test_postmortem_json_is_the_whole_report(tmp_path: Path) -> None:
    run_id = _record_demo(tmp_path)
    report = json.loads(_postmortem(tmp_path, run_id, "--format", "json"))
    assert report["format"] == "runbook-postmortem/1"
    assert [s["status"] for s in report["steps"]] == ["ok"] * 5
    assert report["header"]["procedure"]["duration"] == "1-2 minutes"
    assert report["announcements"] and "rolled back to v1.0" in report["announcements"][0]["text"]
    bad = CliRunner().invoke(
        main, ["postmortem", run_id, "--runs-dir", str(tmp_path / "runs"), "--detected-at", "noon"]
    )
    assert bad.exit_code == 2 and "--detected-at 'noon' is not a time" in bad.output


def test_deviations_and_long_outputs(tmp_path: Path) -> None:
    runbook = tmp_path / "flaky.md"
    runbook.write_text(
        "# Flaky\n\n## Procedure 1: Flaky\n\n**Duration**: 0-0.001 minutes\n\n"
        "1. **Flaky**\n   ```bash\n   seq 1 500\n   test -e tried || { touch tried; exit 4; }\n   ```\n"
        "2. **Optional (if needed)**\n   ```bash\n   echo maybe\n   ```\n"
        "3. **Edited**\n   ```bash\n   echo as-written\n   sleep 0.1\n   ```\n"
    )
    result = subprocess.run(
        runbook_command(
            "run",
            str(runbook),
            "-p",
            "1",
            "--yes",
            "--runs-dir",
            "runs",
            "-a",
            "1.1:failed=r",
            "-a",
            "1.2=no",
            "-a",
            "1.3:run=e",
        ),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "EDITOR": "sed -i s/as-written/as-edited/"},
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [run] = list((tmp_path / "runs").iterdir())
    report = json.loads(_postmortem(tmp_path, run.name, "--format", "json"))
    kinds = [(d["kind"], d["step"]) for d in report["deviations"]]
    assert ("failed", "1.1") in kinds and ("retried", "1.1") in kinds and ("skipped", "1.2") in kinds
    [edited] = [d for d in report["deviations"] if d["kind"] == "edited"]
    assert (edited["step"], edited["original"], edited["edited"]) == (
        "1.3",
        "echo as-written\nsleep 0.1\n",
        "echo as-edited\nsleep 0.1",
    )
    # The 0-0.001 minute budget is overrun: the run took longer than 0.06 s.
    assert any(d["kind"] == "overrun" for d in report["deviations"])
    assert report["steps"][0] | {"duration": 0} == {
        "id": "1.1",
        "title": "Flaky",
        "status": "ok",
        "attempts": 2,
        "duration": 0,
        "exit_code": 0,
    }
    [first] = [t for t in report["transcript"] if t["command"] == "seq 1 500" and t["attempt"] == 1]
    assert first["cut"] and first["output"].startswith("1\n2\n") and first["output"].endswith("499\n500")
    text = _postmortem(tmp_path, run.name)
    assert f"Output cut; the full 1892 bytes are in `{first['file']}`." in text
    assert (run / first["file"]).read_bytes().count(b"\n") == 500  # the pointer leads to all of it
    runs, run_id = str(tmp_path / "runs"), run.name
    nowhere = CliRunner().invoke(main, ["postmortem", run_id, "--runs-dir", runs, "-o", "/nonexistent/pm.md"])
    assert nowhere.exit_code == 2 and "cannot write /nonexistent/pm.md" in nowhere.output
    backwards = CliRunner().invoke(
        main, ["postmortem", run_id, "--runs-dir", runs, "--deployed-at", DETECTED, "--detected-at", DEPLOYED]
    )
    assert backwards.exit_code == 2 and "is after --detected-at" in backwards.output
