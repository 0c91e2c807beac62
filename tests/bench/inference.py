"""`python tests/bench inference CORPUS_DIR`: what inference makes of a folder of real runbooks.

One row per repository folder (the first level under CORPUS_DIR; files directly in it form `.`):
how many files parse, offer a runnable unit, and how many of their commands are what the run
would execute, still hold a prompt, do not parse as shell, or are flagged destructive. Then the
time to parse the whole folder against markdown-it's bare parse of the same files, in one process.

Whether a fence "holds shell commands" is judged here by a small oracle of its own (a `$ ` prompt,
or a line that starts with a well-known command), so that the figure does not grade inference
with its own rules.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness import Row, measure, paired, table

_RUNNABLE = ("shell", "console", "sql")
_SHELLISH = frozenset(
    {"", "bash", "sh", "shell", "zsh", "console", "terminal", "shell-session", "shellsession"}
)
# A prompt left at the start of a command: `$ `, `user@host:~$ `, `[root@host ~]# `, `PS C:\> `,
# and other programs' prompts (`db=# `, `mysql> `, `>>> `, `127.0.0.1:6379> `, `irb(main):001:0> `).
_PROMPT = re.compile(
    r"^\s*(?:\$(?:\s|$)|>>>\s|>\s|[\w.-]+@[\w.-]+(?::[^\s]*)?\s?[$#]\s|\[[^\]\n]*@[^\]\n]*\]\s?[$#]\s"
    r"|PS [A-Za-z]:\\[^>\n]*>|[\w-]+=?[#>]\s|mysql>|\d+\.\d+\.\d+\.\d+(?::\d+)?>|irb\(|\[\d+\] pry\()"
)
# First words that mark a line as a command, for the oracle (not inference's own list).
_KNOWN = frozenset(
    [
        "kubectl",
        "oc",
        "helm",
        "gcloud",
        "gsutil",
        "aws",
        "az",
        "terraform",
        "git",
        "docker",
        "docker-compose",
        "podman",
        "ssh",
        "scp",
        "rsync",
        "curl",
        "wget",
        "systemctl",
        "journalctl",
        "sudo",
        "psql",
        "pg_dump",
        "pg_restore",
        "mysql",
        "redis-cli",
        "make",
        "python",
        "python3",
        "pip",
        "pip3",
        "cd",
        "ls",
        "cat",
        "echo",
        "export",
        "grep",
        "tail",
        "head",
        "kill",
        "ps",
        "rm",
        "mv",
        "cp",
        "mkdir",
        "chmod",
        "chown",
        "tar",
        "ansible",
        "ansible-playbook",
        "vault",
        "jq",
        "yq",
        "go",
        "npm",
        "yarn",
        "bundle",
        "rake",
        "rails",
        "ruby",
        "bin/rails",
        "bin/rake",
        "k9s",
        "kubectx",
        "kubens",
        "eksctl",
        "gh",
        "hub",
        "brew",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "pacman",
        "openssl",
        "dig",
        "nslookup",
        "ping",
        "nc",
        "telnet",
        "ln",
        "touch",
        "find",
        "sed",
        "awk",
        "xargs",
        "sort",
        "uniq",
        "wc",
        "df",
        "du",
        "free",
        "top",
        "htop",
        "uptime",
        "mount",
        "umount",
        "lsblk",
        "crontab",
        "service",
        "chroot",
        "tee",
        "watch",
        "deploy",
        "nix",
        "nix-shell",
        "just",
        "tox",
        "pytest",
        "poetry",
        "pipenv",
        "unzip",
        "zip",
        "base64",
        "date",
        "env",
        "set",
        "source",
        "export",
        "sops",
        "gpg",
        "age",
        "kustomize",
        "argocd",
        "flux",
        "skaffold",
        "minikube",
        "kind",
        "k3d",
        "hubploy",
        "pre-commit",
        "ssh-keygen",
    ]
)
_PLACEHOLDER_WORD = re.compile(r"<[^<>\n]{1,80}>")


@dataclass
class Tally:
    """The figures of one folder."""

    files: int = 0
    not_utf8: int = 0
    failed: int = 0
    """Files that raise, or that `runbook parse` would refuse (an error finding: exit 3)."""
    with_unit: int = 0
    units: int = 0
    steps: int = 0
    commands: int = 0
    prompt: int = 0
    not_shell: int = 0
    destructive: int = 0
    shell_files: int = 0
    """Files with at least one fence the oracle says holds shell commands."""
    shell_files_no_unit: int = 0
    stray_fences: int = 0
    """Fences holding shell commands that belong to no runnable unit."""
    failures: list[str] = field(default_factory=list)


def _holds_shell(lang: str, code: str) -> bool:
    if lang not in _SHELLISH:
        return False
    for line in code.split("\n"):
        text = line.strip()
        if text.startswith("$ "):
            return True
        word = text.split(" ", 1)[0]
        if word in _KNOWN:
            return True
    return False


@lru_cache(maxsize=1)
def _bash_parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def _parses(text: str) -> bool:
    """tree-sitter-bash first (fast, strict); what it doubts, `bash -n` decides."""
    code = _PLACEHOLDER_WORD.sub("PLACEHOLDER", text) + "\n"
    if not _bash_parser().parse(code.encode("utf-8")).root_node.has_error:
        return True
    done = subprocess.run(["bash", "-n"], input=code, capture_output=True, text=True, check=False)
    return done.returncode == 0


def _fences(blocks: Any) -> Any:
    from interpreter.parse.document import BlockQuote, Fence, ListBlock

    for block in blocks:
        if isinstance(block, Fence):
            yield block
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _fences(item.blocks)
        elif isinstance(block, BlockQuote):
            yield from _fences(block.blocks)


def _tally_file(path: Path, name: str, tally: Tally) -> None:
    from interpreter.errors import InvalidRunbookError
    from interpreter.infer import infer
    from interpreter.model.runbook import walk_steps
    from interpreter.parse.document import parse_document
    from interpreter.parse.source import read_source
    from interpreter.plan.graph import graph_json

    tally.files += 1
    try:
        source = read_source(path)
    except InvalidRunbookError:
        tally.not_utf8 += 1
        return
    try:
        document = parse_document(source)
        runbook = infer(document)
        graph_json(runbook)
    except Exception as exc:  # a crash is what this measures; the name says which
        tally.failed += 1
        tally.failures.append(f"{name}: {type(exc).__name__}: {exc}")
        return
    errors = [f for f in runbook.findings if f.severity == "error"]
    if errors:
        tally.failed += 1
        tally.failures.append(f"{name}: refused: {errors[0].rule} {errors[0].message}")
    unit_lines: set[int] = set()
    runnable_units = 0
    for unit in (*runbook.procedures, *runbook.sections):
        tally.units += 1
        steps = walk_steps(unit.nodes)
        tally.steps += len(steps)
        count = 0
        for step in steps:
            for block in step.blocks:
                unit_lines.update(range(block.span.start, block.span.end + 1))
                if block.kind not in _RUNNABLE:
                    continue
                holes = [p.text for p in block.placeholders]
                for command in block.commands:
                    count += 1
                    tally.prompt += bool(_PROMPT.match(command.text))
                    tally.destructive += bool(command.destructive)
                    if block.kind != "sql":
                        text = command.text
                        for hole in holes:
                            text = text.replace(hole, "PLACEHOLDER")
                        tally.not_shell += not _parses(text)
        tally.commands += count
        runnable_units += count > 0
    tally.with_unit += runnable_units > 0
    shell_fences = [f for f in _fences(document.blocks) if _holds_shell(f.lang, f.code)]
    if shell_fences:
        tally.shell_files += 1
        tally.shell_files_no_unit += runnable_units == 0
    # A block split into alternatives is in its unit as parts: any of its lines counts.
    tally.stray_fences += sum(
        not any(n in unit_lines for n in range(f.span.start, f.span.end + 1)) for f in shell_fences
    )


def _folder_of(corpus: Path, path: Path) -> str:
    parts = path.relative_to(corpus).parts
    return parts[0] if len(parts) > 1 else "."


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _report(tallies: dict[str, Tally]) -> str:
    header = (
        "folder",
        "files",
        "failed",
        "not utf-8",
        "with unit",
        "units",
        "steps",
        "commands",
        "prompt",
        "not shell",
        "destructive",
        "shell files",
        "shell no unit",
        "offer unit",
        "stray fences",
    )
    total = Tally()
    rows = []
    for name, t in [*tallies.items(), ("TOTAL", total)]:
        if name != "TOTAL":
            for key in Tally.__dataclass_fields__:
                if key != "failures":
                    setattr(total, key, getattr(total, key) + getattr(t, key))
        offered = t.shell_files - t.shell_files_no_unit
        rows.append(
            (
                name,
                t.files,
                t.failed,
                t.not_utf8,
                t.with_unit,
                t.units,
                t.steps,
                t.commands,
                t.prompt,
                t.not_shell,
                t.destructive,
                t.shell_files,
                t.shell_files_no_unit,
                _percent(offered, t.shell_files),
                t.stray_fences,
            )
        )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=False))
        )
        for r in [header, *rows]
    )


def _timing(paths: list[Path]) -> Row:
    from markdown_it import MarkdownIt

    from interpreter.infer.load import load_source
    from interpreter.parse.source import Source
    from interpreter.plan.graph import graph_json

    texts = []
    for path in paths:
        try:
            texts.append((str(path), path.read_text("utf-8")))
        except UnicodeDecodeError:
            continue
    bare = MarkdownIt("commonmark").enable("table")

    def ours() -> None:
        for name, text in texts:
            graph_json(load_source(Source.from_text(text, name)))

    def base() -> None:
        for _, text in texts:
            bare.parse(text)

    mine, theirs = paired(ours, base, 3)
    return Row(
        f"parse {len(texts)} corpus files to the graph",
        mine,
        theirs,
        "markdown-it parse, same process",
        "<= 3x",
        max_ratio=3.0,
    )


@measure("inference")
def measure_inference(args: list[str]) -> int:
    """Per folder of CORPUS_DIR: files, units, steps, commands and what is wrong with them."""
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python tests/bench inference CORPUS_DIR", file=sys.stderr)
        return 2
    corpus = Path(args[0])
    # A README at the top describes the folder; the runbooks are below it.
    paths = [p for p in sorted(corpus.rglob("*.md")) if p != corpus / "README.md"]
    tallies: dict[str, Tally] = {}
    for path in paths:
        folder = _folder_of(corpus, path)
        _tally_file(path, str(path.relative_to(corpus)), tallies.setdefault(folder, Tally()))
    print(_report(dict(sorted(tallies.items(), key=lambda kv: -kv[1].files))))
    failures = [f for t in tallies.values() for f in t.failures]
    if failures:
        reasons = Counter(f.split(": ", 1)[1][:60] for f in failures)
        print(f"\n{len(failures)} file(s) fail to parse:")
        for reason, count in reasons.most_common():
            print(f"  {count:4d}  {reason}")
    print()
    print(table([_timing(paths)]))
    return 0
