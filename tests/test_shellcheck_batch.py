"""shellcheck in `runbook validate`: a few processes for a whole run, findings back at their blocks'
lines and columns, and a cache that never checks an unchanged block twice and never breaks a run.

The real shellcheck runs behind a logging wrapper put first on the PATH, so the tests can count the
processes and the scripts each was given.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.paths import runbook_command

from interpreter.validate.shellcheck_batch import find_shellcheck

REAL = find_shellcheck()
pytestmark = pytest.mark.skipif(REAL is None, reason="shellcheck is not installed")

HEAD = "---\nowner: sre\nreview_by: 2099-01-01\n---\n\n# Runbook {n}\n\n## Procedure 1: P\n\n"
# SC2045 (iterating over ls output) at `$(ls`, a warning shellcheck gives whatever the context.
BAD = '1. **Loop {n}**\n   ```bash\n   for f in $(ls /srv/{n}); do echo "$f"; done\n   ```\n'
CLEAN = "2. **Check {n}**\n   ```bash\n   systemctl status app-{n}\n   ```\n"


def _wrapper(folder: Path, version: str = "") -> Path:
    """A `shellcheck` that logs each call (one line of arguments) and runs the real one."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "shellcheck"
    lie = f'if [ "$1" = --version ]; then echo "version: {version}"; exit 0; fi\n' if version else ""
    script.write_text(f'#!/bin/sh\necho "$*" >> "{folder}/calls.log"\n{lie}exec "{REAL}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def _checks(bin_dir: Path) -> list[list[str]]:
    """The scripts each shellcheck process was given (calls other than --version)."""
    log = bin_dir / "calls.log"
    calls = log.read_text().splitlines() if log.exists() else []
    return [[a for a in call.split() if a.endswith(".sh")] for call in calls if "json1" in call]


def _validate(folder: Path, bin_dir: Path, cache: Path | str, *extra: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "RUNBOOK_CACHE_DIR": str(cache),
    }
    done = subprocess.run(
        runbook_command("validate", "--format", "json", *extra, str(folder)),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _shellcheck_findings(report: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    return sorted(
        (Path(f["path"]).name, g["line"], g["column"], g["message"].split(":")[0])
        for f in report["files"]
        for g in f["findings"]
        if g["rule"] == "code/shellcheck"
    )


def _runbooks(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        (folder / f"rb{n:02}.md").write_text(HEAD.format(n=n) + BAD.format(n=n) + CLEAN.format(n=n))


def test_one_run_checks_every_file_in_a_few_processes_at_the_right_places(tmp_path: Path) -> None:
    _runbooks(tmp_path / "runbooks", 30)
    bin_dir = _wrapper(tmp_path / "bin")
    report = _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache")
    # The loop sits on line 12 of every file, `$(ls` at column 13 (3 of indent, 10 into the line).
    assert _shellcheck_findings(report) == [(f"rb{n:02}.md", 12, 13, "SC2045") for n in range(30)]
    checks = _checks(bin_dir)
    assert len(checks) < 30  # not one process per file, let alone per block
    assert sum(len(c) for c in checks) == 60  # each distinct block once


def test_a_warm_cache_checks_nothing_and_a_changed_block_alone(tmp_path: Path) -> None:
    _runbooks(tmp_path / "runbooks", 5)
    bin_dir = _wrapper(tmp_path / "bin")
    first = _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache")
    (bin_dir / "calls.log").unlink()
    assert _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache") == first
    assert _checks(bin_dir) == []
    # Another runbook holding the same blocks is served from the cache too; an edited block is not.
    shutil.copy(tmp_path / "runbooks" / "rb00.md", tmp_path / "runbooks" / "copy.md")
    edited = tmp_path / "runbooks" / "rb03.md"
    edited.write_text(edited.read_text().replace("systemctl status app-3", "cd /srv/3 && ls"))
    again = _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache")
    assert [len(c) for c in _checks(bin_dir)] == [1]
    assert ("copy.md", 12, 13, "SC2045") in _shellcheck_findings(again)


def test_damaged_entries_are_misses_and_are_written_anew(tmp_path: Path) -> None:
    _runbooks(tmp_path / "runbooks", 6)
    bin_dir = _wrapper(tmp_path / "bin")
    cache = tmp_path / "cache"
    first = _validate(tmp_path / "runbooks", bin_dir, cache)
    shards = sorted((cache / "shellcheck").glob("*.json"))
    assert len(shards) >= 3
    damage = [b'{"ab12": [[12, 13, 2045, "Iter', b"[[12, 13, 2045]]", None]
    for number, shard in enumerate(shards):
        if damage[number % 3] is None:  # every entry of a foreign shape
            shard.write_text(json.dumps({key: [[1, 2]] for key in json.loads(shard.read_text())}))
        else:  # a write cut short; something else's JSON
            shard.write_bytes(damage[number % 3])  # type: ignore[arg-type]
    (bin_dir / "calls.log").unlink()
    assert _validate(tmp_path / "runbooks", bin_dir, cache) == first
    assert sum(len(c) for c in _checks(bin_dir)) == 12  # every entry was damaged: all checked again
    (bin_dir / "calls.log").unlink()
    assert _validate(tmp_path / "runbooks", bin_dir, cache) == first
    assert _checks(bin_dir) == []  # and written anew


def test_a_shard_keeps_its_youngest_entries(tmp_path: Path) -> None:
    from interpreter.validate.cache import ResultCache

    cache = ResultCache(tmp_path)
    for n in range(1005):
        cache.put(f"ab{n:04}", n)
    cache.put("cd0001", "other shard")
    cache.flush()
    again = ResultCache(tmp_path)
    assert again.get("ab0004") is None and again.get("ab0005") == 5 and again.get("ab1004") == 1004
    assert again.get("cd0001") == "other shard"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "ab.json", "cd.json"]  # no temporary


def test_a_new_shellcheck_version_is_a_cache_miss(tmp_path: Path) -> None:
    _runbooks(tmp_path / "runbooks", 2)
    bin_dir = _wrapper(tmp_path / "bin")
    _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache")
    _wrapper(bin_dir, version="99.0-upgraded")  # the binary changes: its version is asked again
    (bin_dir / "calls.log").unlink()
    _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache")
    assert sum(len(c) for c in _checks(bin_dir)) == 4


@pytest.mark.parametrize("where", ["a file", "off"])
def test_no_usable_cache_folder_still_gives_every_finding(tmp_path: Path, where: str) -> None:
    _runbooks(tmp_path / "runbooks", 2)
    bin_dir = _wrapper(tmp_path / "bin")
    cache: Path | str = ""
    if where == "a file":
        cache = tmp_path / "not-a-folder"
        cache.write_text("")
    report = _validate(tmp_path / "runbooks", bin_dir, cache)
    assert [f[0] for f in _shellcheck_findings(report)] == ["rb00.md", "rb01.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["bin", "runbooks", *(["not-a-folder"] * bool(cache))]
    )


def test_runs_sharing_a_cold_cache_at_once_agree(tmp_path: Path) -> None:
    _runbooks(tmp_path / "runbooks", 20)
    bin_dir = _wrapper(tmp_path / "bin")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "RUNBOOK_CACHE_DIR": str(tmp_path / "cache"),
    }
    command = runbook_command("validate", "--format", "json", str(tmp_path / "runbooks"))
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, env=env) for _ in range(3)]
    outputs = [json.loads(run.communicate()[0]) for run in runs]
    assert all(output == outputs[0] for output in outputs)
    assert len(_shellcheck_findings(outputs[0])) == 20
    leftovers = [p.name for p in (tmp_path / "cache").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    # Their flushes took turns: what each learnt is there, and a fourth run checks nothing.
    (bin_dir / "calls.log").unlink()
    assert _validate(tmp_path / "runbooks", bin_dir, tmp_path / "cache") == outputs[0]
    assert _checks(bin_dir) == []


def test_the_cache_defaults_to_the_xdg_cache_folder(tmp_path: Path) -> None:
    _runbooks(tmp_path / "runbooks", 1)
    bin_dir = _wrapper(tmp_path / "bin")
    env = {k: v for k, v in os.environ.items() if k != "RUNBOOK_CACHE_DIR"}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    subprocess.run(
        runbook_command("validate", str(tmp_path / "runbooks")), env=env, capture_output=True, check=False
    )
    assert list((tmp_path / "xdg" / "runbook" / "shellcheck").rglob("*.json"))


def test_a_flush_waits_for_the_lock_another_run_holds(tmp_path: Path) -> None:
    """Merging shards takes turns, so that runs flushing at once keep each other's entries."""
    import fcntl
    import threading
    import time

    from interpreter.validate.cache import ResultCache

    with open(tmp_path / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        cache = ResultCache(tmp_path)
        cache.put("ab01", 1)
        flushing = threading.Thread(target=cache.flush)
        flushing.start()
        time.sleep(0.3)
        assert not (tmp_path / "ab.json").exists()  # waiting its turn
        fcntl.flock(held, fcntl.LOCK_UN)
        flushing.join(5)
    assert ResultCache(tmp_path).get("ab01") == 1


def test_scripts_go_to_the_ordinary_temporary_folder_when_memory_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interpreter.validate import shellcheck_batch, validate

    blocked = tmp_path / "full"
    blocked.write_text("")  # a file: nothing can be made in it, as in a full /dev/shm
    monkeypatch.setattr(shellcheck_batch, "_scratch_dir", lambda: str(blocked))
    monkeypatch.setenv("RUNBOOK_CACHE_DIR", "")
    _runbooks(tmp_path / "runbooks", 2)
    results = validate([str(tmp_path / "runbooks")])
    assert [f.line for r in results for f in r.findings if f.rule == "code/shellcheck"] == [12, 12]
