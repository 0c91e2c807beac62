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


# The shapes of runbooks in public repositories: median file 1.7 KB, 90th percentile 8 KB, the
# largest around 60 KB; about three fences a file (mostly bash, shell, console and none; some sql
# and yaml), many inside numbered items, some two levels deep; front matter in one file of six;
# HTML blocks, <details>, tables and task lists here and there; a few files with no heading, an
# unclosed fence or tabs.
_MEDIAN, _SIGMA, _LARGEST = 1150, 1.5, 60_000  # tuned so the files come out 1.7 KB median, 8 KB p90
_LANGS = (
    ["bash"] * 30 + ["shell"] * 12 + ["console"] * 14 + [""] * 24 + ["sh"] * 6 + ["sql"] * 7 + ["yaml"] * 7
)
_WORDS = str.split(
    "the service deploy database replica traffic error rate dashboard rollback release tag health "
    "check primary region cache queue worker latency alert page on-call owner backup restore verify "
    "before after confirm wait until minutes metrics logs config secret rotate drain node cluster"
)
_SERVICES = ["api", "billing", "search", "auth", "ingest", "cache", "worker", "gateway"]
_SHELL = [
    "kubectl -n {s} rollout undo deploy/{s}",
    "kubectl -n {s} get pods -l app={s} -o wide",
    "curl -fsS https://{s}.internal/healthz | jq .status",
    "systemctl restart {s}.service",
    "journalctl -u {s} --since '-15 min' | grep -c ERROR",
    "export RELEASE=$(git describe --tags --abbrev=0)",
    'aws s3 cp "s3://backups/{s}/$(date +%F).tar.gz" /tmp/',
    "for host in $(cat hosts.txt); do ssh \"$host\" 'sudo systemctl reload {s}'; done",
    'if [ "$(curl -s -o /dev/null -w "%{{http_code}}" https://{s}.internal)" != "200" ]; then echo down; fi',
    "helm rollback {s} 0 --wait",
    "docker compose -f deploy/{s}.yml up -d",
    "git checkout <stable-tag>",
    "psql \"$DATABASE_URL\" -c 'SELECT pg_is_in_recovery();'",
]
_SQL = [
    "SELECT count(*) FROM {s}_jobs WHERE state = 'stuck';",
    "UPDATE {s}_jobs SET state = 'queued' WHERE state = 'stuck' AND updated_at < now() - interval '1 hour';",
    "SELECT pid, state, query FROM pg_stat_activity WHERE datname = '{s}';",
]
_YAML = ["replicas: 3", "image: registry.internal/{s}:v1.4.2", "resources:\n  limits:\n    memory: 512Mi"]


def _sentence(rng: random.Random, words: int = 12) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(words // 2, words)))
    return text[0].upper() + text[1:] + "."


def _fence(rng: random.Random, indent: str, svc: str, lang: str | None = None) -> list[str]:
    lang = rng.choice(_LANGS) if lang is None else lang
    body: list[str] = []
    for _ in range(rng.randint(1, 4)):
        if lang == "sql":
            body.append(rng.choice(_SQL).format(s=svc))
        elif lang == "yaml":
            body.extend(rng.choice(_YAML).format(s=svc).split("\n"))
        elif lang == "console":
            body.append("$ " + rng.choice(_SHELL).format(s=svc))
            body.append(f"{svc}-7d9f  1/1  Running  0  3m")
        elif lang == "":
            body.append(rng.choice(_SHELL).format(s=svc) if rng.random() < 0.7 else "[Describe the impact]")
        else:
            if rng.random() < 0.3:
                body.append(f"# {_sentence(rng, 6)}")
            body.append(rng.choice(_SHELL).format(s=svc))
    return [f"{indent}```{lang}", *(f"{indent}{line}" for line in body), f"{indent}```"]


def _front_matter(rng: random.Random, svc: str) -> list[str]:
    return [
        "---",
        f"owner: {svc}-team",
        f"review_by: 202{rng.randint(5, 8)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "tags: [oncall, rollback]",
        "---",
        "",
    ]


def _section(rng: random.Random, svc: str, fence_rate: float) -> list[str]:
    """One section: a heading, prose, and a numbered procedure, a table, a checklist or HTML."""
    lines = [f"## {_sentence(rng, 5)[:-1]}", "", _sentence(rng, 30), ""]
    shape = rng.random()
    if shape < 0.55:
        for number in range(1, rng.randint(2, 7)):
            lines.append(f"{number}. **{_sentence(rng, 4)[:-1]}**")
            lines.append(f"   {_sentence(rng, 16)}")
            if rng.random() < fence_rate:
                lines.extend(["", *_fence(rng, "   ", svc), ""])
            if rng.random() < 0.08:  # a sub-list, its own fence two levels deep
                lines.append(f"   - {_sentence(rng, 8)}")
                lines.extend(["", *_fence(rng, "     ", svc), ""])
    elif shape < 0.67:
        lines += ["| Symptom | Action |", "|---|---|"]
        lines += [f"| {_sentence(rng, 4)} | {_sentence(rng, 5)} |" for _ in range(rng.randint(2, 6))]
    elif shape < 0.79:
        lines += [f"- [ ] {_sentence(rng, 7)}" for _ in range(rng.randint(2, 6))]
    elif shape < 0.87:
        lines += ["<details>", "<summary>Why this works</summary>", "", _sentence(rng, 25), "", "</details>"]
    elif shape < 0.92:
        lines += ['<div class="warning">', f"<p>{_sentence(rng, 12)}</p>", "</div>"]
    else:
        lines += _fence(rng, "", svc)
    return [*lines, ""]


def corpus(count: int = 1000, seed: int = 2026) -> list[tuple[str, str]]:
    """`count` runbooks as (file name, text), the same for the same seed."""
    rng = random.Random(seed)
    files = []
    for index in range(count):
        target = min(int(rng.lognormvariate(0, _SIGMA) * _MEDIAN), _LARGEST)
        if index == count // 2:
            target = _LARGEST  # the largest file is always there
        svc = rng.choice(_SERVICES)
        lines: list[str] = []
        if rng.random() < 1 / 6:
            lines += _front_matter(rng, svc)
        if rng.random() > 0.02:  # a few files have no heading at all
            lines += [f"# {svc.title()}: {_sentence(rng, 5)[:-1]}", "", _sentence(rng, 20), ""]
        size = sum(len(line) + 1 for line in lines)
        while size < target:
            section = _section(rng, svc, fence_rate=0.17)
            lines += section
            size += sum(len(line) + 1 for line in section)
        text = "\n".join(lines) + "\n"
        if rng.random() < 0.02:
            text = text.replace("    ", "\t")  # tabs for indentation
        if rng.random() < 0.01:
            text += "\n```bash\nsystemctl restart api\n"  # a fence never closed
        files.append((f"{index:04d}-{svc}.md", text))
    return files


def corpus_stats(files: list[tuple[str, str]]) -> dict[str, float]:
    """What the corpus looks like, to compare with the shapes it imitates."""
    sizes = sorted(len(text.encode("utf-8")) for _, text in files)
    fences = [sum(1 for line in text.split("\n") if line.lstrip().startswith("```")) / 2 for _, text in files]
    return {
        "files": len(files),
        "median_kb": sizes[len(sizes) // 2] / 1000,
        "p90_kb": sizes[int(len(sizes) * 0.9)] / 1000,
        "largest_kb": sizes[-1] / 1000,
        "fences_per_file": sum(fences) / len(files),
        "front_matter": sum(text.startswith("---\n") for _, text in files) / len(files),
    }
