"""Start-up stays light: docker, git, psycopg and jinja2 load only in the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.paths import SEED

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
