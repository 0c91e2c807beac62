"""The real services some tests need: PostgreSQL on 127.0.0.1:5432 and a Docker Engine API (podman).

Outside CI a missing service skips the test, naming it; under CI=true it fails the test.
`scripts/services` brings both up.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
SOCKET = os.environ.get("RUNBOOK_PODMAN_SOCKET", "/tmp/runbook-podman/podman.sock")
IMAGE = "localhost/runbook-busybox:latest"


def unavailable(service: str, why: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{service} is required under CI=true: {why} (run scripts/services)")
    pytest.skip(f"{service} not available: {why} (run scripts/services)")


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """A fresh database for this test session, dropped afterwards: its URL (no password)."""
    import psycopg

    name = f"runbook_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        unavailable("PostgreSQL on 127.0.0.1:5432", str(exc).strip().split("\n")[0])
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A database of its own for one test, dropped afterwards: its URL (no password). For tests
    that read every run a store holds."""
    import psycopg

    name = f"runbook_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        unavailable("PostgreSQL on 127.0.0.1:5432", str(exc).strip().split("\n")[0])
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or f"unix://{SOCKET}"


@pytest.fixture(scope="session")
def engine() -> Iterator[Any]:
    """A docker SDK client of the engine the tests use, with the local busybox image present."""
    import docker

    try:
        client = docker.DockerClient(base_url=docker_host(), timeout=30)
        client.ping()
    except docker.errors.DockerException as exc:
        unavailable(f"a Docker Engine API at {docker_host()}", str(exc).split("\n")[0])
    try:
        client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        unavailable(f"the image {IMAGE}", "it was not built")
    yield client
    client.close()


def start_container(client: Any, prefix: str = "runbook-test") -> Any:
    """A running busybox container with a unique name (the caller removes it)."""
    return client.containers.run(
        IMAGE, ["sleep", "600"], name=f"{prefix}-{secrets.token_hex(3)}", detach=True
    )
