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
from ..parse.anchors import SlugStyle
from ..parse.source import Finding, Source
from ..policy.masking import Masker
from ..policy.secrets import secret_values
from ..workers import fanned_out, processes_for
from .checks import check_model
from .code import CodeDraft, code_draft, with_shellcheck
from .links import Reference, check_links, is_myst, resolve_references, slug_style
from .shellcheck_batch import Shellcheck

if TYPE_CHECKING:
    from ..model.runbook import Runbook

__all__ = ["Draft", "FileResult", "Validator", "collect", "resolve", "validate", "validate_file"]

_IGNORE = re.compile(r"<!--\s*runbook-ignore\s+([\w/,\s-]+?)\s*-->")
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", ".tox", "__pycache__", ".runbook", "site-packages"}


@dataclass(slots=True)
class FileResult:
    """What validation found in one file; `error` is set when the file could not be read at all."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    targets: set[str] = field(default_factory=set)
    """MyST targets defined in the file, which links in other files may name."""
    references: list[Reference] = field(default_factory=list)
    """In-page links this file could not resolve, which a target in another file may mend."""
    lines: tuple[str, ...] = ()
    """The file's lines, which fingerprint each finding by the text it points at."""


def collect(paths: list[str], changed_since: str | None = None) -> list[Path]:
    """The Markdown files named or found under folders; with `changed_since`, only those changed.

    Raises:
        UsageError: a path does not exist, or the git reference is unknown.
    """
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*.md")
                if not any(part in _SKIP_DIRS for part in p.relative_to(path).parts)
            )
            if not found:
                # A gate pointed at the wrong folder must not pass quietly.
                raise UsageError(f"{name}: no Markdown (*.md) files in this folder", "check the path")
            files += found
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

    if ref.startswith("-") or "\0" in ref:
        # `--changed-since=--output=FILE` would be an option to git, not a reference.
        raise UsageError(
            f"--changed-since {ref!r} is not a git reference",
            "use a branch, tag or commit, such as origin/main",
        )
    start = files[0].resolve().parent if files else Path.cwd()
    try:
        repo = git.Repo(start, search_parent_directories=True)
        root = Path(repo.working_tree_dir or ".").resolve()
        # --end-of-options: whatever `ref` holds, git reads it as a revision, never an option.
        names = repo.git.diff("--name-only", "--end-of-options", ref, "--").split("\n")
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


def _off(rule: str, rules: set[str]) -> bool:
    return any(rule == r or rule.startswith(r.rstrip("/") + "/") for r in rules)


@dataclass(slots=True)
class Draft:
    """One file's findings but shellcheck's, and what finishing it needs."""

    result: FileResult
    source: Source | None = None
    """The file as read; None when it could not be (`result.error` says why)."""
    findings: list[Finding] = field(default_factory=list)
    code: CodeDraft = field(default_factory=CodeDraft)
    """Its shell blocks' findings so far, and the scripts shellcheck reads."""
    references: list[Reference] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    """The rules the front matter turns off for the file."""


class Validator:
    """Validation of many files with one shellcheck for all of them: `draft` a file as it is read
    (its scripts go to shellcheck in the background), `finish` it when its findings are needed.
    Use it as a context manager, so that shellcheck's processes end with it."""

    def __init__(self, today: dt.date, shellcheck: bool = True, slugs: SlugStyle | None = None) -> None:
        self.today = today
        self.slugs: SlugStyle | None = slugs
        """The site's slug style when the caller says it (`--slugs`); None: assume GitHub's."""
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
        draft.result.lines = source.lines
        findings = list(runbook.findings)
        findings += check_model(runbook, source.lines, self.today)
        style, chosen = slug_style(runbook, self.slugs)
        broken_links, draft.references = check_links(runbook, style, is_myst(source.text), chosen)
        findings += broken_links
        draft.result.targets = {t.lower() for t in runbook.targets}
        draft.findings = findings
        draft.code = code_draft(runbook)
        if self.shellcheck is not None:
            self.shellcheck.submit(draft.code.scripts)
        disabled = runbook.front_matter.get("disable")
        draft.disabled = [str(r) for r in disabled] if isinstance(disabled, list) else []
        return draft

    def ready(self, draft: Draft) -> bool:
        """Whether `finish` would not wait for shellcheck."""
        return self.shellcheck is None or self.shellcheck.ready(draft.code.scripts)

    def finish(self, draft: Draft) -> FileResult:
        """The file's result: shellcheck's findings added, suppressions and masking applied."""
        result, source = draft.result, draft.source
        if source is None:
            return result
        scripts = draft.code.scripts
        warned = self.shellcheck.findings(scripts, source.lines) if self.shellcheck and scripts else []
        findings = draft.findings + with_shellcheck(draft.code, warned)
        file_rules, line_rules = _suppressed(source, draft.disabled)
        kept = [f for f in findings if _kept(f, file_rules, line_rules)]
        flagged = sorted({f.line for f in findings if f.rule == "safety/secret-in-text"})
        secrets = secret_values([source.lines[n - 1] for n in flagged if 0 < n <= len(source.lines)])
        if secrets:
            # A finding quoting a command must not copy a secret written beside it into CI logs.
            masker = Masker(secrets)
            kept = [replace(f, message=masker.text(f.message), hint=masker.text(f.hint)) for f in kept]
        unique = {(f.rule, f.line, f.column, f.message): f for f in kept}
        result.findings = sorted(unique.values(), key=lambda f: (f.line, f.column, f.rule))
        result.references = [r for r in draft.references if _kept(r.finding, file_rules, line_rules)]
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
    path: Path,
    today: dt.date,
    shellcheck: bool = True,
    loaded: tuple[Source, Runbook] | None = None,
    slugs: SlugStyle | None = None,
) -> FileResult:
    """All findings for one file; `loaded` is its source and model when the caller has them already."""
    with Validator(today, shellcheck, slugs) as validator:
        return validator.finish(validator.draft(path, loaded))


def _kept(finding: Finding, file_rules: set[str], line_rules: dict[int, set[str]]) -> bool:
    return not _off(finding.rule, file_rules) and not _off(finding.rule, line_rules.get(finding.line, set()))


def resolve(results: list[FileResult]) -> list[FileResult]:
    """Withdraw link findings that a MyST target in another file validated together mends (in place)."""
    targets = {t for result in results for t in result.targets}
    for result in results:
        if result.references and targets:
            mended = {id(f) for f in resolve_references(result.references, targets)}
            result.findings = [f for f in result.findings if id(f) not in mended]
        result.references = []
    return results


def validate(
    paths: list[str],
    today: dt.date | None = None,
    changed_since: str | None = None,
    shellcheck: bool = True,
    slugs: SlugStyle | None = None,
    jobs: int | None = None,
) -> list[FileResult]:
    """Validate every runbook the paths name (shellcheck, when installed and asked for, runs in
    batches on the scripts its cache does not know), in `jobs` processes (None: one per processor
    when there are files enough; see interpreter.workers).

    Raises:
        UsageError: a path does not exist or the git reference is unknown.
    """
    files = collect(paths, changed_since)
    day = today or dt.date.today()

    def job(indices: list[int]) -> list[FileResult]:
        # One Validator (and one shellcheck batch) a process: its files' scripts go to shellcheck
        # while the next files are read.
        with Validator(day, shellcheck, slugs) as validator:
            return list(validator.each(files[index] for index in indices))

    # Files are independent (but for MyST targets, resolved across all of them below): a folder
    # of them is shared among one process per processor, and a CI job waits less.
    return resolve(fanned_out(len(files), job, processes_for(len(files), jobs)))
