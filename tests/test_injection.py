"""Injection battery: values full of shell syntax arrive as text through every door; none of it runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from support.paths import runbook_command
from support.runs import journal, run, write

PAYLOADS = [
    "; touch pwned",
    "$(touch pwned)",
    "`touch pwned`",
    "x\ntouch pwned",
    "'; touch pwned; echo '",
    '"; touch pwned; echo "',
    "* ?[a]",
    "-rf; touch pwned",
    "&& touch pwned",
    "| touch pwned",
    "> pwned",
    "${IFS}touch${IFS}pwned",
    "$((1+1)) !! \\",
    "v1.2\n",  # a final newline: `$` in a check would let it through
    "\x1b]0;title\x07\x1b[2K$(touch pwned)",  # escapes: shown, never obeyed
]
RUNBOOK = """
    # Inject

    ## Procedure 1: Inject
    1. **Use the values**
       ```bash
       echo "target=$TARGET" unquoted $TARGET
       printf '%s' "$TARGET" > target.txt
       printf '%s' "$OTHER" > other.txt
       printf '%s' "$FROM_FILE" > from-file.txt
       ```
    2. **Announce**
       ```
       Rolled back [Service] to $TARGET
       ```
    """


@pytest.mark.parametrize("payload", PAYLOADS)
def test_values_with_shell_syntax_arrive_as_text_and_never_run(tmp_path: Path, payload: str) -> None:
    rb = write(tmp_path, RUNBOOK)
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump({"vars": {"FROM_FILE": payload}}), "utf-8")
    result = run(
        tmp_path,
        str(rb),
        "-p",
        "1",
        "--yes",
        "--var",
        f"TARGET={payload}",
        "--answer",
        f"var:OTHER={payload}",
        "--answer",
        f"1.2:Service={payload}",
        "--answers",
        str(tmp_path / "answers.yaml"),
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "pwned").exists()
    assert "\x1b]" not in result.output and "\x1b[2K" not in result.output  # the screen obeys none
    for name in ("target.txt", "other.txt", "from-file.txt"):
        assert (tmp_path / name).read_text("utf-8") == payload  # the value arrives whole, as text
    [announced] = [e for e in journal(tmp_path) if e["type"] == "template.announced"]
    assert announced["data"]["text"].startswith(f"Rolled back {payload} to {payload}")


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if not p.startswith("* ")])
def test_a_placeholder_refuses_shell_syntax_before_anything_runs(tmp_path: Path, payload: str) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Tag
        1. **First**
           ```bash
           echo first > first.txt
           ```
        2. **Deploy**
           ```bash
           echo deploying <stable-tag> > deployed.txt
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", f"placeholder:<stable-tag>={payload}")
    assert result.exit_code == 2 and "cannot fill <stable-tag>" in result.stderr
    assert not (tmp_path / "first.txt").exists() and not (tmp_path / "runs").exists()
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "name", ["BASH_FUNC_echo%%", "SHELLOPTS", "BASH_ENV", "PS4", "LD_PRELOAD", "A.B", "1X"]
)
def test_variable_names_that_bash_reads_as_code_are_refused_at_every_door(tmp_path: Path, name: str) -> None:
    rb = write(tmp_path, RUNBOOK)
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump({"vars": {name: "() { touch pwned; }"}}), "utf-8")
    for door in (
        ["--var", f"{name}=() {{ touch pwned; }}"],
        ["--answer", f"var:{name}=() {{ touch pwned; }}"],
        ["--answers", str(tmp_path / "answers.yaml")],
    ):
        result = run(tmp_path, str(rb), "-p", "1", "--yes", "--var", "TARGET=x", *door)
        assert result.exit_code == 2, (door, result.output)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "runs").exists()


def test_names_on_the_command_line_are_never_run(tmp_path: Path) -> None:
    rb = write(tmp_path, RUNBOOK)
    hostile = "$(touch pwned)"
    cases = [
        ["run", str(rb), "-p", hostile, "--runs-dir", str(tmp_path / "runs")],
        ["run", str(rb), "-p", "1", "--from-step", hostile, "--runs-dir", str(tmp_path / "runs")],
        ["timeline", hostile, "--runs-dir", str(tmp_path / "runs")],
        ["resume", "x; touch pwned", "--runs-dir", str(tmp_path / "runs")],
        ["validate", f"{tmp_path}/`touch pwned`.md"],
    ]
    for args in cases:
        # From the runbook's folder, where a `touch pwned` that ran would leave its file.
        result = subprocess.run(runbook_command(*args), cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "pwned").exists()
