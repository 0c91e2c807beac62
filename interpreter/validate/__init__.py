"""`runbook validate`: every finding about a set of runbooks, suppressions applied, ready to report."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RunbookError, UsageError
from ..parse.source import Finding, Source
from ..policy.masking import Masker
from .checks import check_model, code_blocks, plaintext_secrets
from .shellcheck import Script, scripts_of, syntax_findings
from .shellcheck_batch import Shellcheck

if TYPE_CHECKING:
    from ..model.runbook import Runbook

__all__ = ["Draft", "FileResult", "Validator", "collect", "validate", "validate_file"]

_IGNORE = re.compile(r"<!--\s*runbook-ignore\s+([\w/,\s-]+?)\s*-->")
_SHELL = ("bash", "sh", "shell", "zsh", "console")
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", ".tox", "__pycache__", ".runbook", "site-packages"}


@dataclass(slots=True)
class FileResult:
    """What validation found in one file; `error` is set when the file could not be read at all."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""


def collect(paths: list[str], changed_since: str | None = None) -> list[Path]:
    """The Markdown files named or found under folders; with `changed_since`, only those changed.

    Raises:
        UsageError: a path does not exist, or the git reference is unknown.
    """
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*.md")
                if not any(part in _SKIP_DIRS for part in p.relative_to(path).parts)
            )
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"{name}: no such file or folder")
    if changed_since is None:
        return files
    changed = _changed_since(changed_since, files)
    return [f for f in files if f.resolve() in changed]


def _changed_since(ref: str, files: list[Path]) -> set[Path]:
    import git  # lazy: only --changed-since needs GitPython

    start = files[0].resolve().parent if files else Path.cwd()
    try:
        repo = git.Repo(start, search_parent_directories=True)
        root = Path(repo.working_tree_dir or ".").resolve()
        names = repo.git.diff("--name-only", ref, "--").split("\n")
        names += repo.git.ls_files("--others", "--exclude-standard").split("\n")
    except git.InvalidGitRepositoryError as exc:
        raise UsageError("--changed-since needs the runbooks to be in a git repository") from exc
    except git.GitCommandError as exc:
        raise UsageError(
            f"--changed-since {ref}: git does not know that reference",
            "use a branch, tag or commit, such as origin/main",
        ) from exc
    return {(root / name).resolve() for name in names if name.strip()}


def _suppressed(source: Source, disabled: list[str]) -> tuple[set[str], dict[int, set[str]]]:
    """Rules off for the file (front matter `disable:`), and rules off by line (`runbook-ignore`)."""
    by_line: dict[int, set[str]] = {}
    lines = source.lines
    for number, line in enumerate(lines, start=1):
        match = _IGNORE.search(line)
        if match is None:
            continue
        rules = {r.strip() for r in re.split(r"[,\s]+", match.group(1)) if r.strip()}
        # The comment covers its own line and the block after it: a fence to its closing
        # fence, anything else to the next blank line.
        end = number
        cursor = number
        while cursor < len(lines) and not lines[cursor].strip():
            cursor += 1
        if cursor < len(lines):
            first = lines[cursor].strip()
            fence = first[:3] if first.startswith(("```", "~~~")) else ""
            end = cursor + 1
            item = bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s", first)) and not fence
            while end < len(lines):
                text = lines[end]
                if fence:
                    if text.strip().startswith(fence):
                        end += 1
                        break
                elif item:
                    # A list item goes on through its indented lines and the blank lines between.
                    if text.strip() and not text[:1].isspace():
                        break
                elif not text.strip():
                    break
                end += 1
        for covered in range(number, end + 1):
            by_line.setdefault(covered, set()).update(rules)
    return set(disabled), by_line


def _spans(script: Script) -> set[int]:
    return set(range(script.first_line, script.first_line + script.text.count("\n") + 1))


def _off(rule: str, rules: set[str]) -> bool:
    return any(rule == r or rule.startswith(r.rstrip("/") + "/") for r in rules)


@dataclass(slots=True)
class Draft:
    """One file's findings but shellcheck's, and what finishing it needs."""

    result: FileResult
    source: Source | None = None
    """The file as read; None when it could not be (`result.error` says why)."""
    findings: list[Finding] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    """The shell scripts shellcheck is asked about: the ones that parse."""
    disabled: list[str] = field(default_factory=list)
    """The rules the front matter turns off for the file."""


class Validator:
    """Validation of many files with one shellcheck for all of them: `draft` a file as it is read
    (its scripts go to shellcheck in the background), `finish` it when its findings are needed.
    Use it as a context manager, so that shellcheck's processes end with it."""

    def __init__(self, today: dt.date, shellcheck: bool = True) -> None:
        self.today = today
        self.shellcheck = Shellcheck.start() if shellcheck else None

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shellcheck is not None:
            self.shellcheck.close()

    def draft(self, path: Path, loaded: tuple[Source, Runbook] | None = None) -> Draft:
        """Every finding for `path` but shellcheck's (`loaded`: its source and model, when the
        caller has them already); its scripts are handed to shellcheck."""
        from ..infer.load import load_source
        from ..parse.source import read_source

        draft = Draft(FileResult(str(path)))
        if loaded is not None:
            source, runbook = loaded
        else:
            try:
                source = read_source(path)
            except RunbookError as error:
                draft.result.error = error.message + (f" ({error.hint})" if error.hint else "")
                return draft
            runbook = load_source(source)
        draft.source = source
        findings = list(runbook.findings)
        findings += check_model(runbook, source.lines, self.today)
        scripts: list[Script] = [
            s for block, _ in code_blocks(runbook) if block.lang in _SHELL for s in scripts_of(block)
        ]
        broken = syntax_findings(scripts)
        draft.findings = findings + broken
        if self.shellcheck is not None:
            # shellcheck would only restate a syntax error; it checks the blocks that parse.
            failed = {f.line for f in broken}
            draft.scripts = [s for s in scripts if not _spans(s) & failed]
            self.shellcheck.submit(draft.scripts)
        disabled = runbook.front_matter.get("disable")
        draft.disabled = [str(r) for r in disabled] if isinstance(disabled, list) else []
        return draft

    def ready(self, draft: Draft) -> bool:
        """Whether `finish` would not wait for shellcheck."""
        return self.shellcheck is None or self.shellcheck.ready(draft.scripts)

    def finish(self, draft: Draft) -> FileResult:
        """The file's result: shellcheck's findings added, suppressions and masking applied."""
        result, source = draft.result, draft.source
        if source is None:
            return result
        findings = draft.findings
        if self.shellcheck is not None and draft.scripts:
            findings = findings + self.shellcheck.findings(draft.scripts, source.lines)
        file_rules, line_rules = _suppressed(source, draft.disabled)
        kept = [
            f
            for f in findings
            if not _off(f.rule, file_rules) and not _off(f.rule, line_rules.get(f.line, set()))
        ]
        flagged = sorted({f.line for f in findings if f.rule == "safety/secret-in-text"})
        secrets = plaintext_secrets([source.lines[n - 1] for n in flagged if 0 < n <= len(source.lines)])
        if secrets:
            # A finding quoting a command must not copy a secret written beside it into CI logs.
            masker = Masker(secrets)
            kept = [replace(f, message=masker.text(f.message), hint=masker.text(f.hint)) for f in kept]
        unique = {(f.rule, f.line, f.column, f.message): f for f in kept}
        result.findings = sorted(unique.values(), key=lambda f: (f.line, f.column, f.rule))
        return result

    def each(self, paths: Iterable[Path], ahead: int = 256) -> Iterator[FileResult]:
        """The results for `paths`, in order. Files are read up to `ahead` beyond the last result
        given, so that shellcheck works on a batch while the next files are read, in bounded memory."""
        drafts: deque[Draft] = deque()
        for path in paths:
            drafts.append(self.draft(path))
            while drafts and (len(drafts) > ahead or self.ready(drafts[0])):
                yield self.finish(drafts.popleft())
        while drafts:
            yield self.finish(drafts.popleft())


def validate_file(
    path: Path, today: dt.date, shellcheck: bool = True, loaded: tuple[Source, Runbook] | None = None
) -> FileResult:
    """All findings for one file; `loaded` is its source and model when the caller has them already."""
    with Validator(today, shellcheck) as validator:
        return validator.finish(validator.draft(path, loaded))


def validate(
    paths: list[str], today: dt.date | None = None, changed_since: str | None = None, shellcheck: bool = True
) -> list[FileResult]:
    """Validate every runbook the paths name (shellcheck, when installed and asked for, runs once
    for all of them, on the scripts its cache does not know).

    Raises:
        UsageError: a path does not exist or the git reference is unknown.
    """
    files = collect(paths, changed_since)
    with Validator(today or dt.date.today(), shellcheck) as validator:
        return list(validator.each(files))
