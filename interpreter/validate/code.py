"""The shell blocks of a runbook as the code checks see them: what is not shell, what does not parse
(an error where the run would execute it), and what shellcheck says of the rest.

Two halves, so that shellcheck can work on many files at once in the background: `code_draft`
finds everything but shellcheck's warnings and names the scripts shellcheck should read;
`with_shellcheck` turns shellcheck's findings on them into the file's last findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.kinds import SHELL_LANGUAGES
from ..model.runbook import CodeBlock, Runbook
from ..parse.source import Finding
from ..policy.languages import not_shell
from ..policy.placeholders import neutralise
from ..policy.risk.typed import typed_in_shell
from .checks import code_blocks
from .shellcheck import Script, is_transcript, scripts_of, syntax_findings

__all__ = ["CodeDraft", "code_draft", "with_shellcheck"]


_WHAT = {
    "text": "command output or prose",
    "psql": "a psql session",
    "mysql": "a mysql session",
    "redis": "a redis-cli session",
    "ruby": "a Ruby console session",
    "python": "a Python session",
    "go-template": "a template",
    "session": "another program's interactive session",
    "fish": "fish shell commands",
    "promql": "a PromQL query",
    "sql": "SQL",
    "json": "JSON",
    "yaml": "YAML",
    "ini": "an INI file",
    "hcl": "HCL (Terraform) settings",
}


@dataclass(frozen=True, slots=True)
class _Block:
    """A shell block, whether the run executes it, and its scripts as bash would read them."""

    block: CodeBlock
    runnable: bool
    scripts: list[Script]
    prompted: bool
    typed: frozenset[int] = frozenset()
    """Lines of commands typed elsewhere (inside `ssh host`): checked, never run here."""

    def holds(self, line: int) -> bool:
        return self.block.span.start <= line <= self.block.span.end

    def runs(self, line: int) -> bool:
        """Whether the run executes the code on this line (a syntax error there is an error)."""
        return self.runnable and line not in self.typed


def _typed_block(block: CodeBlock, runnable: bool) -> _Block:
    """A block with commands typed elsewhere (`db=# …` lines, what follows `ssh host`): not shell as
    a whole, so no `code/not-shell`; its commands run here and those typed into a shell are
    checked one by one (an error in a typed one is the reader's, not the run's); those typed into
    psql, irb or redis-cli are not shell at all, nor what inference left as neither."""
    shell = [c for c in block.typed if typed_in_shell(c.where)]
    scripts = [
        Script(block.span.file, neutralise(c.text) + "\n", c.span.start) for c in (*block.commands, *shell)
    ]
    typed = frozenset(line for c in shell for line in range(c.span.start, c.span.end + 1))
    return _Block(block, runnable, scripts, True, typed)


def _not_shell(block: CodeBlock, language: str) -> Finding:
    what = _WHAT.get(language, language)
    fence = "text" if language in ("text", "go-template", "session") else language
    return Finding.of(
        "code/not-shell",
        block.span.file,
        block.span.start,
        f"this {block.lang} block holds {what} rather than commands for bash",
        f"label the fence ```{fence} so that it is shown, not run as shell",
    )


def _reference(finding: Finding) -> Finding:
    return Finding.of(
        "code/shell-syntax-reference",
        finding.file,
        finding.line,
        finding.message,
        "fix it, or label the fence with the language it is written in",
        finding.column,
    )


@dataclass(slots=True)
class CodeDraft:
    """A file's code findings before shellcheck, and the blocks it should check."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[_Block] = field(default_factory=list)
    """Shell blocks that parse: shellcheck reads their scripts."""

    @property
    def scripts(self) -> list[Script]:
        return [s for b in self.checked for s in b.scripts]


def code_draft(runbook: Runbook) -> CodeDraft:
    """Not-shell notes and syntax errors of every shell block, and the blocks left for shellcheck."""
    draft = CodeDraft()
    blocks: list[_Block] = []
    for block, runnable in code_blocks(runbook):
        if block.lang not in SHELL_LANGUAGES:
            continue
        if block.typed or any(c.session for c in block.commands):
            blocks.append(_typed_block(block, runnable))
            continue
        prompted = is_transcript(block)
        # A transcript with `$ ` prompts is shell with its output; its lines are read apart.
        language = None if prompted else not_shell(block.code, parses=True)
        if language is not None:
            draft.findings.append(_not_shell(block, language))
            continue
        blocks.append(_Block(block, runnable, scripts_of(block), prompted))
    failed: set[int] = set()
    for broken in syntax_findings([s for b in blocks for s in b.scripts]):
        owner = next((b for b in blocks if b.holds(broken.line)), None)
        if owner is None:
            continue
        failed.add(id(owner))
        language = None if owner.prompted else not_shell(owner.block.code, parses=False)
        if language is not None:
            draft.findings.append(_not_shell(owner.block, language))
        else:
            draft.findings.append(broken if owner.runs(broken.line) else _reference(broken))
    # shellcheck would only restate a syntax error; it checks the blocks that parse.
    draft.checked = [b for b in blocks if id(b) not in failed]
    return draft


def with_shellcheck(draft: CodeDraft, warned: list[Finding]) -> list[Finding]:
    """The draft's findings with shellcheck's warnings on its scripts added: text bash accepts but
    shellcheck doubts may be output after all (`ls -l` rows, `...`), which is a not-shell note."""
    findings = list(draft.findings)
    for owner in draft.checked:
        own = [f for f in warned if owner.holds(f.line)]
        language = None if not own or owner.prompted else not_shell(owner.block.code, parses=False)
        findings += [_not_shell(owner.block, language)] if language else own
    return findings
