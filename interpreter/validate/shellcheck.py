"""Shell syntax of code blocks: bash -n (tree-sitter-bash picks the candidates); shellcheck runs in
`shellcheck_batch.py` on the same scripts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model.kinds import KINDS
from ..model.runbook import CodeBlock
from ..parse.source import Finding
from ..policy.placeholders import neutralise

# subprocess is imported where it is used: most files have no block bash must look at, and
# `validate --no-shellcheck` of one file starts faster without it.

__all__ = ["Script", "is_transcript", "scripts_of", "syntax_findings", "worth_reporting"]

_BASH_ERROR = re.compile(r"line (\d+): (.*)$")
# Findings that are noise in a runbook, whose blocks are fragments run one command at a time.
# SC2209 (`ROLE=admin` read as a command's output) is a value written for the reader to choose.
_SHELLCHECK_EXCLUDE = "SC2164,SC2034,SC2154,SC2148,SC1091,SC2086,SC2046,SC2155,SC2209"
_LS_GREP_TO_SCREEN = re.compile(r"^\s*ls\b[^|;&]*\|\s*grep\b[^|;&<>`$]*$")


def worth_reporting(code: int, line: str) -> bool:
    """Whether shellcheck's finding `code` on this script line says something worth acting on.

    SC2115 (`${var:?}` so that `rm -rf "$DIR"/*` never becomes `rm -rf /*`) on a line with no
    variable: nothing there can expand to empty. SC2010 (`ls | grep` breaks on odd file names)
    when the grep's output goes to the screen: a person reads the listing, nothing acts on it.
    """
    if code == 2115:
        return "$" in line
    if code == 2010:
        return not _LS_GREP_TO_SCREEN.match(line)
    return True


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
        import subprocess

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
