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
