"""Run `runbook` with the commands a test names faked by pytest-subprocess, and record what was sent.

    python tests/support/fake_run.py SPEC.json run FILE --procedure 2 ...

SPEC.json: {"fakes": [{"command": "docker-compose exec api alembic current", "stdout": "…"}],
            "calls": "where to write the command lines sent"}. Each fake answers `bash -c COMMAND`,
the exact line the interpreter sends; anything else (git for provenance) runs for real.
"""

from __future__ import annotations

import json
import sys

from pytest_subprocess import FakeProcess

from interpreter.cli import main


def run() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    code = 0
    with FakeProcess() as fake:
        fake.allow_unregistered(True)
        for item in spec["fakes"]:
            fake.register(
                ["bash", "-c", item["command"]],
                stdout=item.get("stdout", ""),
                returncode=item.get("returncode", 0),
                occurrences=item.get("occurrences", 1),
            )
        try:
            main(sys.argv[2:], prog_name="runbook")
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            sent = [list(call) for call in fake.calls if list(call)[:2] == ["bash", "-c"]]
            with open(spec["calls"], "w", encoding="utf-8") as handle:
                json.dump(sent, handle)
    return code


if __name__ == "__main__":
    sys.exit(run())
