"""Work over many runbooks in forked worker processes, one per processor, results in order.

The site's pages and `validate`'s files are independent of one another: one per processor cuts the
wall time a CI job waits. Workers are forked, so they inherit the imported modules, compiled
templates and regexes and the job itself without a second start-up and without pickling it; only
results travel back. Where fork is unsafe (macOS) or missing (Windows), or the work is too small
to pay for a process, it runs here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["PER_PROCESS", "fanned_out", "processes_for"]

T = TypeVar("T")

PER_PROCESS = 50
"""Runbooks worth a process of their own: below that, forking costs more than it saves."""

_JOB: Callable[[list[int]], list[Any]] | None = None
"""The job a forked worker works for (set before the fork, inherited, never pickled)."""


def processes_for(count: int, jobs: int | None = None) -> int:
    """How many processes `count` runbooks get: `jobs` when given, else one per processor this
    process may use, each with at least PER_PROCESS runbooks; 1 where fork is not used."""
    if jobs is not None:
        return max(1, jobs)
    if not sys.platform.startswith("linux"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, count // PER_PROCESS))


def fanned_out(count: int, job: Callable[[list[int]], list[T]], processes: int) -> list[T]:
    """`job(indices)` over `range(count)`, one result an index, in index order.

    The first index is done here before the fork, so that what every item needs (lazy imports,
    compiled templates, parsers) is ready once instead of once in each worker. The rest is cut in
    four shares a process, each a stride through the items (big and small runbooks mixed), handed
    out as workers come free: on a shared machine one worker can be slowed while another is not.
    Ctrl-C or a failure in one worker stops them all.
    """
    global _JOB
    if processes <= 1 or count < 2:
        return job(list(range(count)))
    import multiprocessing

    first = job([0])
    shares_count = min(processes * 4, count - 1)
    shares = [list(range(1 + n, count, shares_count)) for n in range(shares_count)]
    _JOB = job
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=_worker_signals)
    try:
        parts = pool.map(_work, shares, chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()  # Ctrl-C, or an item that failed: the other workers stop too
        raise
    finally:
        pool.join()
        _JOB = None
    ordered: list[Any] = [None] * count
    ordered[0] = first[0]
    for share, part in zip(shares, parts, strict=True):
        for index, result in zip(share, part, strict=True):
            ordered[index] = result
    return ordered


def _work(indices: list[int]) -> list[Any]:
    assert _JOB is not None
    return _JOB(indices)


def _worker_signals() -> None:
    """A worker leaves Ctrl-C to the parent, which stops it with SIGTERM: it then ends as from an
    exit, so that its shellcheck processes are stopped and their temporary files removed, whatever
    handlers it inherited from the process it was forked from."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
