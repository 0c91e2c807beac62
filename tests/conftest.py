"""Fixtures every test may ask for: the parsed seed, and the real services (tests/support/services.py).

Helpers shared by several test files live in `tests/support/` and are imported from there; no test
module imports another.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import git  # noqa: F401  (see below)
import pytest
from support.paths import ROOT, SEED
from support.services import database, engine, new_database  # noqa: F401  (fixtures, offered to every test)

from interpreter.infer.load import load
from interpreter.model.runbook import Runbook
from interpreter.plan.graph import graph_json

# GitPython binds subprocess.Popen when first imported. The run command imports it lazily, so a
# first import inside a pytest-subprocess test would bind the fake for the rest of the session.


# Started as a background job by a shell without job control (`.ci/run &` in a script), pytest
# inherits SIGINT ignored, and so would every run the tests start (Python then never raises
# KeyboardInterrupt): the Ctrl-C tests would wait for a stop that never comes. A handler, unlike
# "ignored", is reset to the default when a child execs.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache of shellcheck results for this session only (commands started by tests inherit
    it): no test reads what an earlier session, or the user, left in theirs."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["RUNBOOK_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(autouse=True)
def _own_state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs kept in no named folder go to the per-user state folder: each test has its own, so
    no test reads another's runs, or the machine user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def seed() -> Runbook:
    return load(str(SEED))


@pytest.fixture(scope="session")
def seed_graph(seed: Runbook) -> dict[str, Any]:
    return graph_json(seed)


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    return SEED.read_text("utf-8").split("\n")


@pytest.fixture(scope="session", autouse=True)
def _the_checkout_stays_clean() -> Any:
    """No test journals into the repository: each keeps its runs in its own temporary folder."""
    runs = ROOT / ".runbook"
    before = runs.exists()
    yield
    assert before or not runs.exists(), f"a test wrote runs into the checkout: {runs}"
