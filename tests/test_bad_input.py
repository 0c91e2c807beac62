"""Bad input: one clear line naming the file and line, exit code 3, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from interpreter.cli import main

BAD = FIXTURES / "bad"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad-unclosed-fence.md", 6, "code fence ```bash opened here is never closed"),
        ("bad-front-matter-yaml.md", 3, "front matter is not valid YAML"),
        ("bad-front-matter-key.md", 3, "unknown key 'reveiw_by'; did you mean 'review_by'?"),
        ("bad-fence-attribute.md", 6, "timeout: 'soon' is not of type 'number'"),
        ("bad-comment-annotation.md", 5, "unknown key 'optinal'; did you mean 'optional'?"),
    ],
)
@pytest.mark.parametrize("command", ["parse", "list"])
def test_bad_runbook_names_file_and_line(command: str, name: str, line: int, words: str) -> None:
    path = str(BAD / name)
    code, out, err = _run(command, path)
    assert code == 3
    assert out == ""
    [message] = err.strip().split("\n")
    assert message.startswith(f"runbook: {path}:{line}:") and words in message
    assert "Traceback" not in err


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.md", b"", r":1: the file is empty"),
        ("blank.md", b"\n  \n", r":1: the file is empty"),
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r":3: this is a binary file, not Markdown"),
        (
            "latin1.md",
            "# Runbook\n\nCaf\xe9 au lait\n".encode("latin-1"),
            r":3:4: not valid UTF-8 \(byte 0xe9\)",
        ),
        ("missing.md", None, r": no such file"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, data: bytes | None, expected: str) -> None:
    path = _write(tmp_path, name, data) if data is not None else str(tmp_path / name)
    code, out, err = _run("parse", path)
    assert code == 3 and out == ""
    [message] = err.strip().split("\n")
    assert re.search(re.escape(f"runbook: {path}") + expected, message), message


def test_a_directory_is_not_a_runbook(tmp_path: Path) -> None:
    code, _, err = _run("list", str(tmp_path))
    assert code == 2 and "is a directory" in err  # click's own usage error for a path option


def test_bad_input_through_the_real_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _write(tmp_path, "bad.md", b"# T\n\n```bash\necho unclosed\n")
    done = subprocess.run(
        [sys.executable, "-m", "interpreter", "list", path], capture_output=True, text=True, check=False
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert f"{path}:3:1: error [structure/unclosed-fence]" in done.stderr
