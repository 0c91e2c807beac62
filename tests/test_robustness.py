"""Parsing never fails: damaged variants of real runbooks still give a schema-valid graph."""

from __future__ import annotations

import random

import pytest
from support.paths import DAMAGED, FIXTURES, SEED

from interpreter.infer.load import load_text
from interpreter.plan.graph import graph_json

SOURCES = [
    SEED,
    DAMAGED,
    *sorted((FIXTURES / "golden").glob("*.md")),
    *sorted((FIXTURES / "bad").glob("*.md")),
]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 8)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "indent", "dedent", "truncate", "fence", "swap"])
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "   " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip()
        elif action == "truncate":
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif action == "fence":
            lines.insert(i, rng.choice(["```", "```bash {id=x", "~~~", "<!-- runbook: {", "---", "1. **"]))
        else:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(150))
def test_mutated_runbooks_parse_into_a_valid_graph(seed: int) -> None:
    rng = random.Random(seed)
    source = SOURCES[seed % len(SOURCES)]
    text = _mutate(source.read_text("utf-8"), rng)
    graph = graph_json(load_text(text, path="mutated.md"))  # validates against the schema
    ids = [n["id"] for u in [*graph["procedures"], *graph["sections"]] for n in u["nodes"]]
    assert len(ids) == len(set(ids)), "node ids must be unique"
    n_lines = text.count("\n") + 1
    assert all(
        1 <= n["span"]["start"] <= n["span"]["end"] <= n_lines
        for u in [*graph["procedures"], *graph["sections"]]
        for n in u["nodes"]
    )


def test_reading_a_runbook_leaves_no_reference_cycle_of_ours() -> None:
    """Reading a runbook makes no reference cycle in our own code, so a folder of them (validate,
    the site) frees each one's outline and model as soon as it is done with it, not at the next
    collection. (sqlparse's trees link each token to its parent; the seed's SQL makes some.)"""
    import gc

    load_text(SEED.read_text("utf-8"), "seed.md")  # first use: imports, caches
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        load_text(SEED.read_text("utf-8"), "seed.md")
        gc.collect()
        ours = [
            o
            for o in gc.garbage
            if (getattr(o, "__module__", None) or type(o).__module__).startswith("interpreter")
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert ours == []
