"""Bounded work and one-line errors (issue 17, findings 14, 15, 16 and 17).

Each input here used to cost minutes or gigabytes, block for ever, or end in a traceback. The
commands run as processes with a timeout far above what they take now and far below what they
took before, so a test fails (by its timeout) if the bound is lost; no test measures speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.paths import ROOT, runbook_command
from support.services import empty_database  # noqa: F401 (a fixture)

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
"""About 450 bytes of YAML standing for 9**9 (387 million) values."""

STEP = "## Procedure 1: P\n\n1. **Step**\n\n   ```bash\n   echo hi\n   ```\n"


def runbook(
    *args: str, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        runbook_command(*args),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("runbook:")]
    assert errors, result.stderr
    return errors[0]


# -- 14. YAML alias bombs ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "list", "run"])
def test_an_alias_bomb_in_front_matter_is_a_finding_not_gigabytes(tmp_path: Path, command: str) -> None:
    assert len(BOMB) < 460
    (tmp_path / "bomb.md").write_text(f"---\n{BOMB}---\n# Bomb\n\n{STEP}")
    args = [command, "bomb.md", *(["-p", "1", "--yes", "--runs-dir", "runs"] if command == "run" else [])]
    result = runbook(*args, cwd=tmp_path, timeout=30)
    assert "stands for more than 100,000 values once its aliases (*name) are expanded" in (
        result.stdout + result.stderr
    )
    assert result.returncode in (1, 3) and "Traceback" not in result.stderr


def test_an_alias_bomb_in_a_runbook_comment_is_a_finding(tmp_path: Path) -> None:
    flow = BOMB.replace("\n", ", ").rstrip(", ")
    (tmp_path / "c.md").write_text(
        f"# C\n\n## Procedure 1: P\n\n<!-- runbook: {{{flow}}} -->\n1. **Step**\n\n   ```bash\n   echo hi\n   ```\n"
    )
    result = runbook("validate", "c.md", cwd=tmp_path, timeout=30)
    assert "runbook comment is refused: it stands for more than 100,000 values" in result.stdout


def test_an_alias_bomb_in_an_answers_file_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "rb.md").write_text(f"# R\n\n{STEP}")
    (tmp_path / "answers.yaml").write_text(BOMB)
    result = runbook(
        "run", "rb.md", "-p", "1", "--answers", "answers.yaml", "--dry-run", cwd=tmp_path, timeout=30
    )
    assert result.returncode == 2
    assert "answers.yaml: answers file is refused: it stands for more than 100,000 values" in one_line(result)


def test_yaml_nested_too_deep_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    deep = "x: " + "[" * 500 + "]" * 500 + "\n"
    (tmp_path / "deep.md").write_text(f"---\n{deep}---\n# Deep\n")
    result = runbook("validate", "deep.md", cwd=tmp_path, timeout=30)
    assert "front matter" in result.stdout and "Traceback" not in result.stderr


# -- 15. the three offenders of the review, end to end ---------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # A 16 KB line in a shell block: shellcheck took minutes on it (20 s at 4 KB).
        "1. **Step**\n\n   ```bash\n   echo " + "[" * 16_000 + "\n   ```\n",
        # 10,000 here-documents left open on one line (and 40,000): tree-sitter-bash, quadratic.
        "1. **Step**\n\n   ```bash\n   " + " ".join(f"cat <<E{i};" for i in range(40_000)) + "\n   ```\n",
        # A 230 KB line: of `(` in prose (a regex from every `(` to the end), of `|` in a block
        # (tree-sitter's error recovery).
        "1. **Step " + "(" * 230_000 + "**\n\n   ```bash\n   echo hi\n   ```\n",
        "1. **Step**\n\n   ```bash\n   echo " + "|" * 230_000 + "\n   ```\n",
    ],
    ids=["16KB-brackets", "40000-heredocs", "230KB-parens", "230KB-pipes"],
)
def test_validate_and_list_stay_bounded_on_the_reviews_long_lines(tmp_path: Path, body: str) -> None:
    (tmp_path / "long.md").write_text(f"# Long\n\n## Procedure 1: P\n\n{body}")
    for command in ("validate", "list"):
        result = runbook(command, "long.md", cwd=tmp_path, timeout=60)
        assert "Traceback" not in result.stderr, (command, result.stderr)


# -- 16. readers refuse what never ends or never answers ------------------------------------------


def test_dev_zero_and_a_fifo_are_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.md")
    for args in (
        ("validate", "/dev/zero"),
        ("validate", "x.md"),
        ("list", "x.md"),
        ("site", "x.md", "-o", "out"),
    ):
        result = runbook(*args, cwd=tmp_path, timeout=30)
        assert result.returncode == 3, (args, result.stderr)
        assert ("FIFO" in result.stdout + result.stderr) or (
            "character device" in result.stdout + result.stderr
        )
        assert "Traceback" not in result.stderr
    (tmp_path / "rb.md").write_text(f"# R\n\n{STEP}")
    answers = runbook("run", "rb.md", "-p", "1", "--answers", "x.md", "--dry-run", cwd=tmp_path, timeout=30)
    baseline = runbook("validate", "--baseline", "x.md", "rb.md", cwd=tmp_path, timeout=30)
    assert answers.returncode == 2 and "is a FIFO (named pipe), not an answers file" in one_line(answers)
    assert baseline.returncode == 2 and "is a FIFO (named pipe), not a baseline file" in one_line(baseline)


def test_a_runbook_over_four_mib_is_refused_with_the_limit(tmp_path: Path) -> None:
    (tmp_path / "huge.md").write_bytes(b"# Huge\n\n" + b"word " * (1 << 20))
    result = runbook("list", "huge.md", cwd=tmp_path, timeout=30)
    assert result.returncode == 3
    assert "huge.md: 5.0 MiB is more than a runbook file may be (4.0 MiB)" in one_line(result)


# -- 17. one-line errors, exit codes as documented ------------------------------------------------


def _namespace() -> None:
    """Skip unless a private mount namespace (to mount a small or read-only folder) can be made."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no private mount namespace here: " + probe.stderr.decode(errors="replace").strip())


def _in_namespace(script: str, tmp_path: Path) -> str:
    """Run a shell script in a private mount namespace; its stdout and stderr, together."""
    done = subprocess.run(
        ["unshare", "--mount", "--map-root-user", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PY": sys.executable},
    )
    return done.stdout + done.stderr


def test_a_full_disk_stops_the_run_in_one_line_and_the_journal_still_reads(tmp_path: Path) -> None:
    _namespace()
    (tmp_path / "full.md").write_text(
        "# Fill\n\n## Procedure 1: Fill the disk\n\n1. **Print a lot**\n\n   ```bash\n"
        "   head -c 400000 /dev/zero | tr '\\0' x\n   ```\n\n2. **Never reached**\n\n   ```bash\n   echo done\n   ```\n"
    )
    (tmp_path / "small").mkdir()
    out = _in_namespace(
        'mount -t tmpfs -o size=160k tmpfs small && "$PY" -m interpreter run full.md -p 1 --yes --runs-dir small/runs;'
        ' echo "run-exit=$?"; "$PY" -m interpreter timeline "$(ls small/runs)" --runs-dir small/runs; echo "timeline-exit=$?"',
        tmp_path,
    )
    assert "Traceback" not in out, out
    assert "run-exit=1" in out and "No space left on device" in out
    assert "timeline-exit=0" in out and "run started" in out and "started (attempt 1)" in out
    assert "echo done" not in out.split("run-exit")[0]


def test_a_read_only_runs_folder_lists_and_refuses_writes_in_one_line(tmp_path: Path) -> None:
    _namespace()
    (tmp_path / "rb.md").write_text(f"# R\n\n{STEP}")
    (tmp_path / "ro").mkdir()
    out = _in_namespace(
        'mount -t tmpfs tmpfs ro && "$PY" -m interpreter run rb.md -p 1 --yes --runs-dir ro/runs >/dev/null 2>&1'
        " && mount -o remount,ro ro"
        ' && "$PY" -m interpreter runs --runs-dir ro/runs; echo "runs-exit=$?";'
        ' "$PY" -m interpreter note "$(ls ro/runs)" hello --runs-dir ro/runs; echo "note-exit=$?";'
        ' "$PY" -m interpreter run rb.md -p 1 --yes --runs-dir ro/runs; echo "run-exit=$?"',
        tmp_path,
    )
    assert "Traceback" not in out, out
    assert "runs-exit=0" in out and " ok" in out
    assert "note-exit=1" in out and "cannot write the journal: Read-only file system" in out
    assert "run-exit=2" in out and "cannot write the run's folder: Read-only file system" in out


def test_postgresql_ending_the_connection_mid_run_is_one_line(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    (tmp_path / "cut.md").write_text(
        "# Cut\n\n## Procedure 1: Lose the store\n\n1. **End the store's other connections**\n\n   ```bash\n"
        '   "$PY" -c "import psycopg, sys; psycopg.connect(sys.argv[1], autocommit=True).execute('
        "'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        'AND pid <> pg_backend_pid()\')" "$STORE"\n   ```\n\n2. **Never reached**\n\n   ```bash\n   echo done\n   ```\n'
    )
    env = {"PY": sys.executable, "STORE": empty_database}
    result = runbook(
        "run",
        "cut.md",
        "-p",
        "1",
        "--yes",
        "--allow-destructive",
        "--store",
        empty_database,
        cwd=tmp_path,
        env=env,
    )
    listed = runbook("runs", "--store", empty_database, cwd=tmp_path)
    assert result.returncode == 1
    assert "terminating connection" in one_line(result) or "connection is lost" in one_line(result)
    assert "Traceback" not in result.stderr
    assert listed.returncode == 0 and "Lose the store" in listed.stdout  # what was committed stays


def test_sigterm_while_the_runbook_loads_is_one_line_and_143(tmp_path: Path) -> None:
    steps = "".join(
        f"{i}. **Step {i}**\n\n   ```bash\n   echo step {i} && kubectl get pods -n ns{i}\n   ```\n\n"
        for i in range(1, 40_000)
    )
    (tmp_path / "big.md").write_text(f"# Big\n\n## Procedure 1: Many steps\n\n{steps}")  # loads for seconds
    process = subprocess.Popen(
        runbook_command("run", "big.md", "-p", "1", "--yes", "--runs-dir", "runs"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    time.sleep(2.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "Traceback" not in err and "runbook: stopped by signal 15" in err
