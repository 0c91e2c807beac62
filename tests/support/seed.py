"""The seed's procedure 2 run end to end, its commands faked: what they are, what is answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from interpreter.cli import main

from .paths import SEED

FAKES = [
    {"command": "docker-compose exec api alembic current", "stdout": "016_add_cognitive (head)\n"},
    {"command": "docker-compose exec api alembic history", "stdout": "015 -> 016 (head)\n"},
    {
        "command": 'cat alembic/versions/016_add_cognitive_architecture_to_agents.py | grep "def downgrade"',
        "stdout": "def downgrade():\n",
    },
    {"command": "docker-compose exec api alembic downgrade -1", "stdout": "Running downgrade 016 -> 015\n"},
    {"command": 'docker-compose exec postgres psql -U aiagents -c "\\d agents"', "stdout": "Table agents\n"},
    {"command": "curl http://localhost:8000/health", "stdout": '{"status": "healthy"}\n'},
    {"command": "git checkout v1.2.0  # Commit before migration", "stdout": ""},
    {"command": "docker-compose build api worker", "stdout": "built\n"},
    {"command": "docker-compose restart api worker", "stdout": "restarted\n"},
]
SENT = [["bash", "-c", fake["command"]] for fake in FAKES]

ANSWERS = {
    "2:start": "database-migration-rollback",
    "severity": "P1",
    "2.prerequisites.1": "yes",
    "2.prerequisites.2": "yes",
    "2.prerequisites.3": "yes",
    "2.1:run": "r",
    "2.2": "no",
    "2.3": "a",
    "2.3.a:run": "r",
    "placeholder:abc123f": "v1.2.0",
    "2.4:run": "r",
}


def run_procedure_2_from_answers(workdir: Path, fp: Any) -> Any:
    """`runbook run SEED -p 2 --answers …` in `workdir`, the commands it sends faked with `fp`."""
    fp.allow_unregistered(True)
    for fake in FAKES:
        fp.register(["bash", "-c", fake["command"]], stdout=fake["stdout"])
    answers = workdir / "answers.yaml"
    answers.write_text("answers:\n" + "".join(f"  {k!r}: {v!r}\n" for k, v in ANSWERS.items()))
    return CliRunner().invoke(
        main,
        [
            *("run", str(SEED), "-p", "2", "--answers", str(answers)),
            *("--runs-dir", str(workdir / "runs"), "--cwd", str(workdir)),
        ],
    )
