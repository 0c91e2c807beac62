"""The shell session carries what an operator's terminal would, from one command's bash to the next."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interpreter.run.session import ShellSession


def test_exports_functions_unset_and_odd_names_carry(tmp_path: Path) -> None:
    session = ShellSession(env={**os.environ, "a.b": "kept", "GONE": "x"}, cwd=str(tmp_path))
    out: list[bytes] = []
    try:
        for command in (
            "export ONE=$'multi\\nline' TWO='x=y'; unset GONE",
            'greet() { echo "hello $1"; }; export -f greet',
            "IFS=abc; cd /",  # a strange IFS in one command must not garble what the next one gets
            'printf "%s|%s|%s\\n" "$ONE" "$TWO" "${GONE-unset}"; greet there; pwd',
            "set -u -o noclobber; export LATE=1",  # the command's own options must not spoil the save
        ):
            assert session.run(command, out.append).status == "ok", b"".join(out)
    finally:
        session.close()
    assert b"".join(out) == b"multi\nline|x=y|unset\nhello there\n/\n"
    assert session.env["a.b"] == "kept" and "GONE" not in session.env and session.env["LATE"] == "1"
    assert session.env["BASH_FUNC_greet%%"].startswith("() {")


def test_a_failure_while_recording_output_stops_the_command_and_is_raised(tmp_path: Path) -> None:
    session = ShellSession(env=dict(os.environ), cwd=str(tmp_path), grace=0.5)
    shown: list[bytes] = []

    def disk_full(chunk: bytes) -> bytes:
        if shown:
            raise OSError(28, "No space left on device")
        return chunk

    try:
        with pytest.raises(OSError, match="No space left"):
            session.run("while :; do echo line; done", shown.append, early=disk_full)
    finally:
        session.close()
    assert shown  # what was recorded before the failure was shown; nothing after it
