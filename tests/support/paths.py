"""Where the tests' inputs are, and how to start `runbook` from this checkout as a process."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SEED = ROOT / "runbooks" / "rollback-procedures.md"
DAMAGED = FIXTURES / "rollback-procedures.damaged.md"


def runbook_command(*args: str) -> list[str]:
    """The argv of `runbook ARGS...` from this checkout, for tests that run it as a process."""
    return [sys.executable, "-m", "interpreter", *args]
