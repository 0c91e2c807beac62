"""Shell code split into commands: continuation lines, open quotes, heredocs and compound commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EXPECTED", "Scan", "split_commands"]

EXPECTED = re.compile(r"^\s*#\s*expected(?:\s+output)?\s*(?::\s*(.+)|\s(within\s+[^:]+:\s*.+))$", re.I)
"""`# Expected: …` after a command: what its output should be (`# Expected within 5m: …`: in time;
the expectation's text then starts with `within 5m:`, which `parse_expectation` reads)."""
# (The lookbehind changes nothing for `fullmatch`; a search would otherwise start at every `\"`.)
_CLOSED = {'"': re.compile(r'(?<!\\)"(?:[^"\\]|\\.)*"', re.S), "'": re.compile(r"'[^']*'")}
_DOUBLE_END = re.compile(r'(?<!\\)(?:\\\\)*"')
_OPEN_END = re.compile(r"(\|\||&&|\|)\s*$")
_OPENERS = {"if": 1, "case": 1, "do": 1, "fi": -1, "esac": -1, "done": -1, "{": 1, "}": -1}
_COMMAND_START = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "time"})
_LINE_TOKENS = re.compile(
    r"""'[^']*'?|"(?:[^"\\]|\\.)*"?|\\.|<<-?\s*['"]?\w+['"]?|\$\(|[;&|()]+|#.*|[^\s;&|()'"\\#$<]+|\S"""
)


@dataclass(slots=True)
class Scan:
    """How far a command has got, line by line: open quotes, open compounds, pending heredoc."""

    quote: str = ""
    depth: int = 0
    parens: int = 0
    heredoc: str | None = None
    strip_tabs: bool = False

    def feed(self, line: str) -> None:
        if self.heredoc is not None:
            if (line.lstrip("\t") if self.strip_tabs else line).strip() == self.heredoc:
                self.heredoc = None
            return
        text = line
        if self.quote:
            # Inside double quotes `\"` does not close them; inside single quotes nothing escapes.
            closing = _DOUBLE_END.search(text) if self.quote == '"' else None
            end = (closing.end() - 1) if closing else text.find(self.quote) if self.quote == "'" else -1
            if end < 0:
                return
            text = text[end + 1 :]
            self.quote = ""
        at_start = True
        pending_doc: tuple[str, bool] | None = None
        for token in _LINE_TOKENS.findall(text):
            first = token[0]
            if first == "#" and at_start is not None:
                break
            if first in "'\"" and not _CLOSED[first].fullmatch(token):
                self.quote = first  # an unterminated quote: the string goes on to the next line
                return
            if token.startswith("<<"):
                pending_doc = (token.lstrip("<-").strip().strip("'\""), token.startswith("<<-"))
                at_start = False
                continue
            if token == "$(":
                self.parens += 1
                continue
            if set(token) <= set(";&|()"):
                self.parens = max(0, self.parens + token.count("(") - token.count(")"))
                at_start = True
                continue
            if at_start and token in _OPENERS:
                self.depth += _OPENERS[token]
            at_start = token in _COMMAND_START or token in ("{", "}")
        if pending_doc is not None:
            self.heredoc, self.strip_tabs = pending_doc

    def complete(self, line: str) -> bool:
        if self.quote or self.heredoc is not None or self.depth > 0 or self.parens > 0:
            return False
        stripped = line.rstrip()
        return not (stripped.endswith("\\") or _OPEN_END.search(stripped))


def split_commands(
    code: str, first_line: int, console: bool
) -> list[tuple[str, int, int, str, list[tuple[str, int]]]]:
    """Commands of a block as (text, first line, last line, comment above, expectations with lines).

    A command goes on over continuation lines, open quotes, heredocs and compound commands
    (`if … fi`, `for … done`, `{ … }`); the scan is linear in the block's length.
    """
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # A console block with no `$ ` prompt uses root's `# ` prompt.
    rooted = console and not any(text.strip().startswith("$") for text in lines)
    prompts = ("# ", "#") if rooted else ("$ ", "$")
    commands: list[tuple[str, int, int, str, list[tuple[str, int]]]] = []
    comment: list[str] = []
    pending: list[str] = []
    scan = Scan()
    start = 0
    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.strip()
        if pending:
            if console and stripped.startswith("> "):
                line = stripped[2:]
            pending.append(line)
            scan.feed(line)
            if scan.complete(line):
                commands.append(("\n".join(pending), start, number, "\n".join(comment), []))
                pending, comment = [], []
            continue
        if console:
            if stripped.startswith(prompts[0]) or stripped == prompts[1]:
                line = stripped[len(prompts[0]) :] if stripped != prompts[1] else ""
                stripped = line.strip()
            else:
                if commands and stripped:
                    commands[-1][4].append((stripped, number))
                continue
        if not stripped:
            comment = []
            continue
        expected = EXPECTED.match(line)
        if expected and commands:
            commands[-1][4].append((expected.group(1) or expected.group(2), number))
            continue
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        start = number
        scan = Scan()
        scan.feed(line)
        if scan.complete(line):
            commands.append((stripped if not console else line, number, number, "\n".join(comment), []))
            comment = []
        else:
            pending = [line]
    if pending:
        commands.append(("\n".join(pending), start, first_line + len(lines) - 1, "\n".join(comment), []))
    return commands
