"""Container targets and environment snapshots against a real Docker Engine API (podman's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.runs import finished, journal, run, write
from support.services import docker_host, start_container

from interpreter.cli import main


@pytest.fixture(scope="module")
def box(engine: Any) -> Iterator[str]:
    container = start_container(engine)
    yield container.name
    container.remove(force=True)


def _snapshots(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["data"]["when"]: e["data"] for e in events if e["type"] == "environment.snapshot"}


def test_commands_run_inside_the_container_with_output_and_exit_code(tmp_path: Path, box: str) -> None:
    runbook = write(
        tmp_path,
        f"""
        ## Procedure 1: Inside
        1. **Say hello from inside**
           ```bash {{target=container:{box}}}
           echo "hello $GREETING from $(hostname)"; test -x /bin/busybox && echo "busybox here"
           ```
        2. **Fail inside**
           ```bash {{target=container:{box}}}
           echo "about to fail"; exit 3
           ```
        """,
    )
    result = run(
        tmp_path,
        str(runbook),
        "-p",
        "1",
        "--yes",
        "--var",
        "GREETING=world",
        env={"DOCKER_HOST": docker_host()},
    )
    assert result.exit_code == 1, result.output
    assert "hello world from" in result.output and "busybox here" in result.output
    events = journal(tmp_path)
    inside = finished(events, "1.1")["commands"][0]
    assert inside["status"] == "ok" and inside["target"] == f"container:{box}"
    output = (tmp_path / "runs").glob(f"*/{inside['output']['file']}")
    assert "busybox here" in next(output).read_text("utf-8")
    failed = finished(events, "1.2")
    assert (failed["status"], failed["exit_code"]) == ("failed", 3)


def test_a_missing_container_is_named_with_the_running_ones(tmp_path: Path, box: str) -> None:
    runbook = write(
        tmp_path,
        """
        ## Procedure 1: Nowhere
        1. **Into a container that is not there**
           ```bash {target=container:runbook-no-such-box}
           echo never
           ```
        """,
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", env={"DOCKER_HOST": docker_host()})
    assert result.exit_code == 1
    assert "container runbook-no-such-box does not exist; running containers:" in result.output
    assert box in result.output
    assert finished(journal(tmp_path), "1.1")["status"] == "errored"


def test_snapshots_before_and_after_a_step_that_stopped_a_container(tmp_path: Path, engine: Any) -> None:
    victim = start_container(engine, "runbook-victim")
    try:
        runbook = write(
            tmp_path,
            f"""
            ## Procedure 1: Stop the worker
            1. **Stop it**
               ```bash
               podman --url "$DOCKER_HOST" stop --time 0 {victim.name}
               ```
            """,
        )
        result = run(tmp_path, str(runbook), "-p", "1", "--yes", env={"DOCKER_HOST": docker_host()})
        assert result.exit_code == 0, result.output
        snapshots = _snapshots(journal(tmp_path))
        before = {c["name"]: c for c in snapshots["start"]["containers"]}
        after = {c["name"]: c for c in snapshots["end"]["containers"]}
        assert before[victim.name]["status"] == "running"
        assert before[victim.name]["image"] == "localhost/runbook-busybox:latest"
        assert after[victim.name]["status"] == "exited"
        assert snapshots["start"]["error"] is None and snapshots["end"]["engine"] == docker_host()
        # The post-mortem shows the container before and after, side by side.
        [run_id] = [p.name for p in (tmp_path / "runs").iterdir()]
        report = CliRunner().invoke(
            main, ["postmortem", run_id, "--runs-dir", str(tmp_path / "runs"), "--format", "json"]
        )
        rows = {r["name"]: r for r in json.loads(report.output)["environment"]["rows"]}
        assert (rows[victim.name]["before"]["status"], rows[victim.name]["after"]["status"]) == (
            "running",
            "exited",
        )
    finally:
        victim.remove(force=True)


def test_a_timeout_stops_the_command_inside_the_container(tmp_path: Path, box: str, engine: Any) -> None:
    runbook = write(
        tmp_path,
        f"""
        ## Procedure 1: Slow inside
        1. **Sleep too long**
           ```bash {{target=container:{box} timeout=1}}
           sleep 7777 | cat
           ```
        """,
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", env={"DOCKER_HOST": docker_host()})
    assert result.exit_code == 1
    assert finished(journal(tmp_path), "1.1")["status"] == "timeout"
    processes = engine.containers.get(box).exec_run(["ps"]).output.decode()
    assert "sleep 7777" not in processes and "cat" not in processes  # the whole pipeline is gone


def test_a_block_in_a_container_is_one_shell_script(tmp_path: Path, box: str) -> None:
    runbook = write(
        tmp_path,
        f"""
        ## Procedure 1: State inside
        1. **Carry state from line to line**
           ```bash {{target=container:{box}}}
           X=carried
           cd /tmp
           echo "$X in $(pwd)"
           false
           echo "never printed"
           ```
        """,
    )
    result = run(tmp_path, str(runbook), "-p", "1", "--yes", env={"DOCKER_HOST": docker_host()})
    assert "carried in /tmp" in result.output
    # It stops at the first failing line, as locally (the line is shown, every line of the script
    # is, before it runs; its output never comes).
    assert "never printed" not in [line.strip() for line in result.output.splitlines()]
    assert finished(journal(tmp_path), "1.1")["status"] == "failed"
