"""Start-up stays light: docker, git, psycopg and jinja2 load only in the commands that use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import SEED, runbook_command

HEAVY = ("docker", "git", "psycopg", "jinja2", "playwright")
PROBE = """
import json, sys
from interpreter.cli import main
sys.argv = ["runbook", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["--version"], ["validate", "--no-shellcheck", str(SEED)], ["list", str(SEED)], ["rules"]]
)
def test_light_commands_import_no_heavy_library(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(args)], capture_output=True, text=True
    )
    assert json.loads(done.stderr.strip().split("\n")[-1]) == []


def test_validate_into_a_pipe_loads_no_colour_schema_or_highlighting_library() -> None:
    """Piped (CI), `validate` prints plain text: rich stays out, as do jsonschema (no front matter
    in the seed to check) and pygments (every fence language in the seed is a known one)."""
    heavy = (*HEAVY, "rich", "jsonschema", "pygments")
    args = ["validate", "--no-shellcheck", str(SEED)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=heavy), json.dumps(args)], capture_output=True, text=True
    )
    assert json.loads(done.stderr.strip().split("\n")[-1]) == []
    assert "rollback-procedures.md" in done.stdout and "file(s):" in done.stdout


def test_the_quick_exit_after_validate_loses_no_output_and_keeps_the_exit_code(tmp_path: Path) -> None:
    """`runbook validate` leaves without the interpreter's teardown (cli.entry): what it printed
    into a pipe, far more than a pipe's buffer, arrives whole, and the exit code (1: --strict
    makes the unwarned deletes errors) is the one `main` gives when the process ends the usual way."""
    body = "".join(
        f"{n}. **Step {n}**\n   ```bash\n   kubectl delete pod api-{n} --token=$TOKEN_{n}\n   ```\n"
        for n in range(1, 41)
    )
    for i in range(30):
        (tmp_path / f"book-{i}.md").write_text(f"# Book {i}\n\n## Procedure 1: Many\n\n{body}", "utf-8")
    args = ["validate", "--no-shellcheck", "--strict", "--format", "json", str(tmp_path)]
    usual = subprocess.run(
        [sys.executable, "-c", "import sys; from interpreter.cli import main; main(sys.argv[1:])", *args],
        capture_output=True,
    )
    quick = subprocess.run(runbook_command(*args), capture_output=True)
    assert len(usual.stdout) > 200_000  # several pipe buffers
    assert quick.stdout == usual.stdout
    assert json.loads(quick.stdout)  # whole, not cut off
    assert quick.returncode == usual.returncode == 1


PROVENANCE = """
import json, sys
from pathlib import Path
from interpreter.gitinfo import provenance
found = provenance(Path(sys.argv[1]))
print(json.dumps([found.commit, found.dirty, "git" in sys.modules]))
"""


def test_provenance_loads_gitpython_only_where_git_could_find_a_repository(tmp_path: Path) -> None:
    """Outside git, a run's provenance is empty and GitPython (80 ms) is not imported; inside a
    repository, from a folder several levels down, the commit and local changes are found."""
    outside = tmp_path / "loose" / "rollback.md"
    outside.parent.mkdir()
    outside.write_text("# Rollback\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        [sys.executable, "-c", PROVENANCE, str(outside)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert json.loads(done.stdout) == [None, None, False]

    repo = tmp_path / "repo"
    inside = repo / "docs" / "runbooks" / "rollback.md"
    inside.parent.mkdir(parents=True)
    inside.write_text("# Rollback\n", "utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-q", "-m", "first"], check=True)
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    inside.write_text("# Rollback, changed\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROVENANCE, str(inside)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert json.loads(done.stdout) == [head, True, True]
