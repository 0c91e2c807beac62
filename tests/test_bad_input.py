"""Bad input: one clear line naming the file and line, exit code 3, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.paths import FIXTURES

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
        ("bad-front-matter-value.md", 3, "shell: 'fish' is not one of ['bash', 'sh', 'zsh']"),
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
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r":3: this is a binary file, not Markdown"),
        (
            "latin1.md",
            "# Runbook\n\nCaf\xe9 au lait\n".encode("latin-1"),
            r":3:4: not valid UTF-8 \(byte 0xe9\)",
        ),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = _write(tmp_path, name, data)
    code, out, err = _run("parse", path)
    assert code == 3 and out == ""
    [message] = err.strip().split("\n")
    assert re.search(re.escape(f"runbook: {path}") + expected, message), message


@pytest.mark.parametrize(
    "command",
    [["parse"], ["list"], ["graph", "-p", "1"], ["run", "-p", "1"], ["validate"]],
    ids=lambda c: c[0],
)
def test_exit_codes_agree_in_every_command(tmp_path: Path, command: list[str]) -> None:
    """A missing path is a usage error (2); a folder given as a file cannot be read (3); an empty
    file parses (0) and says there is nothing to run."""
    code, out, err = _run(*command, str(tmp_path / "missing.md"))
    assert code == 2 and f"{tmp_path / 'missing.md'}: no such file" in err
    if command != ["validate"]:  # validate searches a folder for runbooks
        (tmp_path / "folder").mkdir()
        code, out, err = _run(*command, str(tmp_path / "folder"))
        assert code == 3 and "is a directory, not a runbook file" in err
    if command[0] in ("parse", "list", "validate"):
        empty = _write(tmp_path, "empty.md", b"\n  \n")
        code, out, err = _run(*command, empty)
        assert code == 0, err
        assert "nothing" in err + out


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
