"""The real services some tests need: PostgreSQL on 127.0.0.1:5432 and a Docker Engine API (podman).

Outside CI a missing service skips the test, naming it; under CI=true it fails the test.
`scripts/services` brings both up.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import pytest

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
SOCKET = os.environ.get("RUNBOOK_PODMAN_SOCKET", "/tmp/runbook-podman/podman.sock")
IMAGE = "localhost/runbook-busybox:latest"


def unavailable(service: str, why: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{service} is required under CI=true: {why} (run scripts/services)")
    pytest.skip(f"{service} not available: {why} (run scripts/services)")


def _admin() -> Any:
    import psycopg

    try:
        return psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        unavailable("PostgreSQL on 127.0.0.1:5432", str(exc).strip().split("\n")[0])


@contextmanager
def _databases() -> Iterator[Callable[[], str]]:
    """Makes empty databases on demand; drops every one it made when the block ends."""
    names: list[str] = []

    def new() -> str:
        name = f"runbook_test_{secrets.token_hex(4)}"
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return f"{POSTGRES}/{name}"

    try:
        yield new
    finally:
        if names:
            with _admin() as admin:
                for name in names:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """A fresh database for this test session, dropped afterwards: its URL (no password)."""
    with _databases() as new:
        yield new()


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """For a test that needs empty databases of its own (a second store, an import target): call it
    for each one; all are dropped after the test."""
    with _databases() as new:
        yield new


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
