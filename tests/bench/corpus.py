"""Seeded generators of runbooks for benchmarks: the same text every time."""

from __future__ import annotations

import random

_COMMANDS = [
    "kubectl -n {svc} rollout undo deploy/{svc}",
    "kubectl -n {svc} rollout status deploy/{svc} --timeout=120s",
    "curl -fsS http://{svc}.internal:8080/health",
    "docker-compose restart {svc}",
    'psql "$DATABASE_URL" -c "SELECT count(*) FROM {svc}_events;"',
    "git checkout <stable-tag>",
    "journalctl -u {svc} --since '-10 min' | grep -c ERROR",
    "export RELEASE=$(git describe --tags --abbrev=0)",
    'echo "rolled back to $RELEASE"',
]


def large_runbook(target_bytes: int, seed: int = 7) -> str:
    """A runbook of many procedures of numbered steps with bash blocks, tables and checklists."""
    rng = random.Random(seed)
    parts = ["# Service rollbacks\n\n**Owner:** platform\n**Next Review:** 2027-01-01\n\n"]
    size = len(parts[0])
    number = 0
    while size < target_bytes:
        number += 1
        svc = f"svc{number}"
        lines = [
            f"## Procedure {number}: Roll back {svc}\n",
            f"**Duration**: {rng.randint(2, 9)}-{rng.randint(10, 30)} minutes\n",
            f"**Risk**: {rng.choice(['LOW', 'MEDIUM', 'HIGH'])} - affects {svc}\n",
            "#### Prerequisites\n",
            "- [ ] On-call lead informed\n- [ ] Dashboards open\n",
            "#### Steps\n",
        ]
        for step in range(1, rng.randint(3, 8)):
            lines.append(
                f"{step}. **Step {step} for {svc}**{' (if available)' if rng.random() < 0.1 else ''}\n"
            )
            lines.append("   Explain what this step does and why it is safe to run now.\n")
            lines.append("   ```bash\n")
            for _ in range(rng.randint(1, 5)):
                lines.append(f"   # {rng.choice(['Check', 'Restart', 'Verify', 'Record'])} state\n")
                lines.append("   " + rng.choice(_COMMANDS).format(svc=svc) + "\n")
            lines.append("   ```\n\n")
        lines.append(
            "| Symptom | Action |\n|---|---|\n| 5xx rate up | Roll back |\n| Latency up | Scale out |\n\n"
        )
        text = "\n".join(lines) + "\n---\n\n"
        parts.append(text)
        size += len(text)
    return "".join(parts)
