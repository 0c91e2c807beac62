"""The container target of shell blocks (`target=container:NAME`): a command run through the Docker API."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import RunbookError
from ..context import ExecutorContext
from ..session import CommandResult, Status

__all__ = ["container_name", "run_in_container"]


def container_name(target: str | None) -> str | None:
    """`container:api` → `api`; `local` or nothing → None."""
    if target and target.startswith("container:"):
        return target.split(":", 1)[1]
    return None


def run_in_container(
    ctx: ExecutorContext,
    node: Mapping[str, Any],
    text: str,
    name: str,
    sink: Callable[[bytes], None],
    limit: float | None,
    never_ending: bool,
) -> CommandResult:
    """`sh -c TEXT` in the running container NAME, output streamed, its exit code kept.

    The step's variables go in as the exec's environment. Ctrl-C or the timeout stops the
    command inside the container (SIGINT, then SIGKILL) and the run goes on.
    """
    from ..docker_engine import client

    started = time.monotonic()
    env = ctx.session.env
    try:
        engine = client(env)
    except RunbookError as error:
        return CommandResult("errored", None, 0.0, error.message)
    try:
        container, problem = _running(engine, name)
        if container is None:
            return CommandResult("errored", None, time.monotonic() - started, problem)
        variables = {u["name"]: env[u["name"]] for u in node.get("uses", []) if u["name"] in env}
        token = f"/tmp/.runbook-{ctx.run_id}-{time.monotonic_ns()}"
        # The command's pid is kept in the container so that Ctrl-C can reach it there.
        wrapped = f'echo $$ > {token} 2>/dev/null; exec sh -ec "$1"'
        api = engine.api
        command = ["sh", "-c", wrapped, "sh", text]
        exec_id = api.exec_create(container.id, command, environment=variables)["Id"]
        stream = api.exec_start(exec_id, stream=True)
        status = _pump(stream, sink, limit, never_ending)
        if status is not None:
            _stop(api, container.id, token)
            code = None
        else:
            code = _exit_code(api, exec_id)
            status = "ok" if code == 0 else "failed"
        _forget(api, container.id, token)
        return CommandResult(
            status, code, time.monotonic() - started, details={"target": f"container:{name}"}
        )
    finally:
        engine.close()


def _running(engine: Any, name: str) -> tuple[Any, str]:
    import docker

    try:
        container = engine.containers.get(name)
    except docker.errors.NotFound:
        container, why = None, f"container {name} does not exist"
    except docker.errors.APIError as exc:
        return None, f"the engine could not look up container {name}: {exc.explanation or exc}"
    else:
        if container.status == "running":
            return container, ""
        why = f"container {name} is {container.status}, not running"
    running = sorted(c.name for c in engine.containers.list())
    listed = ", ".join(running) if running else "none"
    return None, f"{why}; running containers: {listed}"


def _pump(
    stream: Any, sink: Callable[[bytes], None], limit: float | None, never_ending: bool
) -> Status | None:
    """Copy the exec's output until it ends (None), its timeout passes, or Ctrl-C."""
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=64)

    def read() -> None:
        try:
            for chunk in stream:
                chunks.put(chunk)
        except Exception:
            pass
        finally:
            chunks.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + limit if limit else None
    try:
        while True:
            wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
            try:
                chunk = chunks.get(timeout=wait)
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    return "stopped" if never_ending else "timeout"
                continue
            if chunk is None:
                return None
            sink(chunk)
    except KeyboardInterrupt:
        return "stopped" if never_ending else "interrupted"


def _exit_code(api: Any, exec_id: str) -> int | None:
    # The stream can end a moment before the engine records the exit code.
    for _ in range(50):
        info = api.exec_inspect(exec_id)
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.05)
    return None


# Stops the command and everything it started: the process tree under the recorded pid, read
# from /proc with shell builtins (a container may have no ps, pkill or setsid).
_STOP = r"""
p=$(cat "$1" 2>/dev/null) || exit 0
pairs=$(for f in /proc/[0-9]*/stat; do
  read -r l < "$f" 2>/dev/null || continue
  r=${l##*) }; set -- $r; echo "${l%% *} $2"
done)
all=$p; new=$p
while [ -n "$new" ]; do
  next=
  for q in $new; do
    next="$next $(echo "$pairs" | while read -r a b; do [ "$b" = "$q" ] && echo "$a"; done)"
  done
  new=$(echo $next); all="$all $new"
done
kill -INT $all 2>/dev/null; sleep 1; kill -KILL $all 2>/dev/null
exit 0
"""


def _stop(api: Any, container_id: str, token: str) -> None:
    try:
        exec_id = api.exec_create(container_id, ["sh", "-c", _STOP, "sh", token])["Id"]
        api.exec_start(exec_id)
    except Exception:
        pass  # the container went away: so did the command


def _forget(api: Any, container_id: str, token: str) -> None:
    try:
        exec_id = api.exec_create(container_id, ["rm", "-f", token])["Id"]
        api.exec_start(exec_id, detach=True)
    except Exception:
        pass
