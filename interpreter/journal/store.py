"""Choosing the store a command works on (the runs folder, or PostgreSQL), and copying runs between stores.

The contract every store keeps is in contract.py; the kinds are folder.py and postgres.py.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import UnsafeDataError, UsageError
from .contract import Store
from .folder import DirectoryStore
from .locate import locate
from .postgres import PostgresStore, masked_url

__all__ = ["Copied", "Store", "copy_runs", "open_store"]


def open_store(runs_dir: str | None, url: str | None) -> Store:
    """`--store URL` (or RUNBOOK_STORE) when given, else the runs folder (locate.py: named, found
    upward, or the per-user one, with the other folders this user's runs are in).

    Raises:
        UsageError: the URL is not a PostgreSQL one, or the database cannot be reached.
    """
    url = url or os.environ.get("RUNBOOK_STORE") or None
    found = locate(runs_dir)
    root = found.root
    if not url:
        return DirectoryStore(root, found.also, remember=not found.named)
    if not url.startswith(("postgresql://", "postgres://")):
        raise UsageError(
            f"--store {masked_url(url)!r} is not a PostgreSQL URL",
            "use postgresql://USER@HOST:PORT/DATABASE, or leave it out to keep runs in a folder",
        )
    return PostgresStore(url, root)


@dataclass(frozen=True, slots=True)
class Copied:
    """What became of one run asked to be copied."""

    run_id: str
    outcome: str
    """`copied`; `present` (the target has it, with the same events); `running` (left alone: a
    process still works on it, so a copy would miss what it writes next); `refused` (its id, an
    event or an output name breaks its form: nothing of it is copied)."""
    torn: bool = False
    """Its last line was torn by a kill and is left out of the copy."""
    reason: str = ""
    """Why it was refused, in one line."""


def copy_runs(source: Store, target: Store, run_ids: tuple[str, ...] | list[str]) -> Iterator[Copied]:
    """Copy runs (those named, by id or unique prefix, else all) with their outputs from one store to
    another, each whole or not at all; yields each run's outcome as it is done.

    A run whose id, events or output names break their form (policy/paths.py, checked.py) is
    refused whole and the others are copied: a hostile row must not write outside the target.

    Raises:
        UsageError: a named run is unknown or ambiguous, or the target holds a run of the same id
            with different events (nothing of it is overwritten; the runs before it are copied).
    """
    ids = [source.resolve(r) for r in run_ids] or source.run_ids()
    for run_id in ids:
        try:
            if source.is_live(run_id):
                yield Copied(run_id, "running")
                continue
            events, torn = source.events(run_id)
            done = target.put_run(run_id, events, functools.partial(source.output, run_id))
        except UnsafeDataError as error:
            yield Copied(run_id, "refused", reason=error.message)
            continue
        yield Copied(run_id, "copied" if done else "present", torn)
