"""The Docker Engine API a run talks to (DOCKER_HOST or the default socket); snapshots of its containers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import RunbookError
from .database import redact

__all__ = ["DEFAULT_SOCKET", "address", "client", "containers", "snapshot"]

DEFAULT_SOCKET = "/var/run/docker.sock"


def address(env: Mapping[str, str]) -> str | None:
    """DOCKER_HOST, else the default socket when it exists, else None (no engine: nothing to ask)."""
    host = env.get("DOCKER_HOST", "").strip()
    if host:
        return host
    return f"unix://{DEFAULT_SOCKET}" if os.path.exists(DEFAULT_SOCKET) else None


def client(env: Mapping[str, str], timeout: float = 10.0) -> Any:
    """A `docker` SDK client for the engine `env` names; an ssh:// host goes through the ssh binary
    (the operator's keys, agent and ~/.ssh/config).

    Raises:
        RunbookError: no engine is configured, or it does not answer.
    """
    where = address(env)
    if where is None:
        raise RunbookError(
            "no container engine: DOCKER_HOST is not set and /var/run/docker.sock does not exist",
            "set DOCKER_HOST (unix://…, tcp://…, ssh://user@host)",
        )
    import docker

    ssh, tls = where.startswith("ssh://"), env.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
    try:
        # The API version from /_ping's header: `version="auto"` asks /version, which podman
        # answers slowly (it gathers host facts), and a run should not wait on that twice.
        version = env.get("DOCKER_API_VERSION") or _api_version(docker, where, timeout, ssh, tls)
        return docker.DockerClient(
            base_url=where, version=version, timeout=int(max(1, timeout)), use_ssh_client=ssh, tls=tls
        )
    except docker.errors.DockerException as exc:
        raise RunbookError(f"the container engine at {redact(where)} does not answer: {_short(exc)}") from exc
    except OSError as exc:
        raise RunbookError(f"the container engine at {redact(where)} does not answer: {exc}") from exc


def _api_version(docker: Any, where: str, timeout: float, ssh: bool, tls: bool) -> str:
    api = docker.APIClient(
        base_url=where, version="1.24", timeout=int(max(1, timeout)), use_ssh_client=ssh, tls=tls
    )
    try:
        response = api.get(api.base_url + "/_ping")
        response.raise_for_status()
        return str(response.headers.get("Api-Version") or "auto")
    except Exception as exc:
        raise docker.errors.DockerException(str(exc)) from exc
    finally:
        api.close()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().split("\n")[0]
    return redact(text[:300])


def containers(engine: Any) -> list[dict[str, Any]]:
    """Every container (running or not): name, image, status and health, sorted by name."""
    found = []
    for container in engine.containers.list(all=True):
        attrs = container.attrs or {}
        state = attrs.get("State") or {}
        health = state.get("Health") or {} if isinstance(state, dict) else {}
        image = (attrs.get("Config") or {}).get("Image") or attrs.get("Image") or ""
        found.append(
            {
                "name": container.name,
                "image": str(image),
                "status": container.status,
                "health": (health.get("Status") or None) if isinstance(health, dict) else None,
            }
        )
    return sorted(found, key=lambda c: c["name"])


def snapshot(env: Mapping[str, str], when: str) -> dict[str, Any] | None:
    """The `environment.snapshot` event's data, or None when no engine is configured at all.

    An engine that does not answer is recorded with its error; it never stops the run. A
    configured engine gets a one-second timeout: a snapshot must not hold a rollback up.
    """
    where = address(env)
    if where is None:
        return None
    data: dict[str, Any] = {"when": when, "engine": redact(where), "containers": [], "error": None}
    try:
        engine = client(env, timeout=1.0)
        try:
            data["containers"] = containers(engine)
        finally:
            engine.close()
    except RunbookError as error:
        data["error"] = error.message
    except Exception as exc:  # the engine answered badly: recorded, never fatal
        data["error"] = f"{type(exc).__name__}: {_short(exc)}"
    return data
