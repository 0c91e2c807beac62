"""`runbook validate`: every finding about a set of runbooks, suppressions applied, ready to report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RunbookError, UsageError
from ..parse.anchors import SlugStyle
from ..parse.source import Finding, Source
from ..policy.masking import Masker
from ..policy.secrets import secret_values
from .checks import check_model
from .code import code_findings
from .links import Reference, check_links, is_myst, resolve_references, slug_style

if TYPE_CHECKING:
    from ..model.runbook import Runbook

__all__ = ["FileResult", "collect", "resolve", "validate", "validate_file"]

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


def validate_file(
    path: Path,
    today: dt.date,
    shellcheck: bool = True,
    loaded: tuple[Source, Runbook] | None = None,
    slugs: SlugStyle = "github",
) -> FileResult:
    """All findings for one file; `loaded` is its source and model when the caller has them already."""
    from ..infer.load import load_source
    from ..parse.source import read_source

    result = FileResult(str(path))
    if loaded is not None:
        source, runbook = loaded
    else:
        try:
            source = read_source(path)
        except RunbookError as error:
            result.error = error.message + (f" ({error.hint})" if error.hint else "")
            return result
        runbook = load_source(source)
    result.lines = source.lines
    findings = list(runbook.findings)
    findings += check_model(runbook, source.lines, today)
    broken_links, references = check_links(runbook, slug_style(runbook, slugs), is_myst(source.text))
    findings += broken_links
    result.targets = {t.lower() for t in runbook.targets}
    findings += code_findings(runbook, source.lines, shellcheck)
    disabled = (
        runbook.front_matter.get("disable") if isinstance(runbook.front_matter.get("disable"), list) else []
    )
    file_rules, line_rules = _suppressed(source, [str(r) for r in disabled or []])
    kept = [f for f in findings if _kept(f, file_rules, line_rules)]
    flagged = sorted({f.line for f in findings if f.rule == "safety/secret-in-text"})
    secrets = secret_values([source.lines[n - 1] for n in flagged if 0 < n <= len(source.lines)])
    if secrets:
        # A finding quoting a command must not copy a secret written beside it into CI logs.
        masker = Masker(secrets)
        kept = [replace(f, message=masker.text(f.message), hint=masker.text(f.hint)) for f in kept]
    unique = {(f.rule, f.line, f.column, f.message): f for f in kept}
    result.findings = sorted(unique.values(), key=lambda f: (f.line, f.column, f.rule))
    result.references = [r for r in references if _kept(r.finding, file_rules, line_rules)]
    return result


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
    slugs: SlugStyle = "github",
) -> list[FileResult]:
    """Validate every runbook the paths name.

    Raises:
        UsageError: a path does not exist or the git reference is unknown.
    """
    today = today or dt.date.today()
    return resolve(
        [validate_file(path, today, shellcheck, slugs=slugs) for path in collect(paths, changed_since)]
    )
