"""The one path policy: a path built from data has its kind's fixed form and stays in its folder.

Run ids, output file names, site pages and images come from journals, store rows and runbooks,
which anyone who can write to a shared store or a repository can shape. Before such a value
becomes a path it must have the form of its kind (a run id `20261128-223536-3fa2c1`, an output
`outputs/SHA256.log`), and the path, symlinks resolved, must stay inside the folder it belongs to.
A file that data (or a user) names is read only when it is a regular file (not a device, FIFO or
socket, which never end or never answer) no larger than its kind's limit. Anything else is refused
in one line that names the value, masked when it could be a secret.

The limits, and why:
- a runbook, 4 MiB: the largest of 640 real runbooks measured is 35 KB, so 4 MiB is over 100
  times that; the densest Markdown measured (a numbered step with a command every 90 bytes)
  loads in about 4 s and 80 MB per MiB, so the worst a runbook can cost is some 16 s and
  350 MB, not the 16 GB /dev/zero took.
- an answers file, 1 MiB; an image copied into the site, 10 MiB (a screenshot or a diagram,
  not a video); a validate baseline, 64 MiB (about 200,000 findings); a run's journal, 256 MiB
  (some 250,000 events: days of running; outputs are files of their own, not in it).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from ..errors import InvalidRunbookError, UnsafeDataError, UsageError

__all__ = [
    "ANSWERS_LIMIT",
    "BASELINE_LIMIT",
    "IMAGE_LIMIT",
    "JOURNAL_LIMIT",
    "OUTPUT_LIMIT",
    "OUTPUT_NAME",
    "RUNBOOK_LIMIT",
    "RUN_ID",
    "check_output_name",
    "check_run_id",
    "check_run_prefix",
    "confined",
    "excerpt",
    "open_append",
    "read_regular",
    "real_folder",
    "shown",
]

MiB = 1 << 20
RUNBOOK_LIMIT = 4 * MiB
ANSWERS_LIMIT = 1 * MiB
IMAGE_LIMIT = 10 * MiB
OUTPUT_LIMIT = 1 << 40
"""Output files are as long as the commands made them; they are only refused when not regular files."""
BASELINE_LIMIT = 64 * MiB
JOURNAL_LIMIT = 256 * MiB

RUN_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")
"""A run's id (journal/files.py `new_run_id`; schemas/events.json says the same)."""
OUTPUT_NAME = re.compile(r"outputs/[0-9a-f]{64}\.log")
"""An output file's journal name: its folder and the sha256 of its bytes."""
_PREFIX = re.compile(r"[0-9a-f-]{1,22}")


def excerpt(value: object, limit: int = 80) -> str:
    """Text from data for a message: cut to `limit` characters, a secret in it masked."""
    from .masking import Masker
    from .secrets import secret_values

    text = str(value)[: limit * 4]
    text = Masker(secret_values(text.splitlines())).text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object, limit: int = 80) -> str:
    """A value for an error message: quoted (control characters escaped), cut, secrets masked."""
    return repr(excerpt(value, limit))


def check_run_id(value: object, where: str) -> str:
    """`value` when it is a run id; `where` says what held it (a store, a journal).

    Raises:
        UnsafeDataError: it is not one (`../../x`, an absolute path, anything else).
    """
    if isinstance(value, str) and RUN_ID.fullmatch(value):
        return value
    raise UnsafeDataError(
        f"{where}: {shown(value)} is not a run id (YYYYMMDD-HHMMSS-hhhhhh); refused",
        "the store holds a run it did not write: remove it",
    )


def check_run_prefix(value: str) -> str:
    """A run id, or the start of one, given on the command line.

    Raises:
        UsageError: it holds anything but digits, a-f and dashes.
    """
    if _PREFIX.fullmatch(value):
        return value
    raise UsageError(
        f"{shown(value)} is not a run id", "give an id as `runbook runs` lists it (20261128-223536-3fa2c1)"
    )


def check_output_name(value: object, where: str) -> str:
    """`value` when it is an output file's journal name (`outputs/SHA256.log`).

    Raises:
        UnsafeDataError: it is anything else (`../x`, `/home/u/.bashrc`).
    """
    if isinstance(value, str) and OUTPUT_NAME.fullmatch(value):
        return value
    raise UnsafeDataError(
        f"{where}: output file {shown(value)} is not outputs/SHA256.log; refused",
        "the journal names a file it did not write: it was edited",
    )


def confined(root: Path, path: str | Path, what: str) -> Path:
    """`path` (relative to `root`, or absolute) resolved, symlinks followed, when it stays in `root`.

    Raises:
        UnsafeDataError: it leads outside `root` (`..`, an absolute path, a symlink out).
    """
    base = root.resolve()
    target = (base / path).resolve()
    if target == base or base in target.parents:
        return target
    raise UnsafeDataError(
        f"{what} {shown(path)} is outside {root}; refused",
        "keep it in the folder, with a path relative to it",
    )


def real_folder(path: Path, what: str) -> Path:
    """`path` when it is a folder itself, not a symlink to one (a run's folder in its runs folder).

    Raises:
        UnsafeDataError: it is a symlink, or not a folder.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path  # not made yet: whoever makes it makes a real one
    if stat.S_ISDIR(mode):
        return path
    kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
    raise UnsafeDataError(f"{what} {path} is {kind}; refused", "a run's folder is a plain folder")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _size(count: int) -> str:
    return f"{count / MiB:.1f} MiB" if count >= MiB else f"{count} bytes"


def read_regular(path: str | Path, limit: int, what: str, *, follow: bool = True) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; `what` names the kind of
    file for messages ("a runbook file"). `follow=False` refuses a symlink (a file a journal
    names). Never blocks: a FIFO is opened without waiting for a writer, then refused.

    Raises:
        FileNotFoundError: there is no such file (the caller says what that means).
        InvalidRunbookError: it is a directory, device, FIFO or socket, or larger than `limit`.
        UnsafeDataError: `follow` is False and it is a symlink.
        OSError: it cannot be read (permissions, I/O).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise UnsafeDataError(f"{path}: is a symbolic link; refused", f"{what} is a plain file") from None
        raise
    try:
        info = os.fstat(fd)
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise InvalidRunbookError(f"{path}: is {kind}, not {what}", f"name {what}")
        if info.st_size > limit:
            raise _too_large(path, info.st_size, limit, what)
        # Read in chunks up to one byte past the limit: the size on disk may be 0 (/proc) or grow.
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(MiB, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise _too_large(path, got, limit, what)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _too_large(path: str | Path, size: int, limit: int, what: str) -> InvalidRunbookError:
    return InvalidRunbookError(
        f"{path}: {_size(size)} is more than {what} may be ({_size(limit)})",
        f"{what} this large is not one runbook reads",
    )


def open_append(path: Path, what: str = "a journal") -> int:
    """A file descriptor appending to (and reading) `path`, created if missing, never through a
    symlink: a planted `journal.jsonl -> ~/.bashrc` is refused, not written to.

    Raises:
        UnsafeDataError: `path` is a symlink or not a regular file.
        OSError: it cannot be opened.
    """
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeDataError(
                f"{path}: is a symbolic link; refused", f"a {what} is a plain file"
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeDataError(f"{path}: is not a regular file; refused", f"a {what} is a plain file")
    os.set_blocking(fd, True)
    return fd
