"""Shell read through tree-sitter-bash: every simple command, wherever it sits, and what it reads.

A command is found in pipelines, lists, subshells, `if`/`for`/`while` bodies, command
substitutions and here-documents; `command.py` then looks through wrappers (`sudo`, `env`,
`timeout`, `xargs`, `watch`, `ssh HOST`, `kubectl exec … --`, `find -exec`) and reads shell code
handed over as a string (`bash -c '…'`, `su -c`, `ssh host '…'`, `eval 'literal'`) with this
module again. What cannot be known before it runs (a command name in a variable, `eval "$X"`,
anything piped into a shell) is unanalysable, and so destructive.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .argv import Word
from .command import EMPTY, TERMINAL, Stdin, assess_command, unanalysable
from .verdict import SAFE, CommandRisk, combine
from .words import may_matter, worth_reading

__all__ = ["assess_shell", "read_all"]

_MAX_DEPTH = 4
_MAX_COMMANDS = 500
_QUERY_LIMIT = 8_000
_MAX_HEREDOCS = 200
"""Simple commands read in one runbook command (a pipeline, a list, a loop body); more is unanalysable."""
"""Shell code inside shell code read this deep (`bash -c "ssh h 'sudo sh -c …'"`); deeper is unanalysable."""
_ESCAPE = re.compile(r"\\(.)", re.S)
_DOUBLE_QUOTED_ESCAPE = re.compile(r'\\([$`"\\\n])')
# A placeholder as runbooks write it (`<pod name>`, `<namespace>`): one word the run asks for, not
# redirections from and to files. A `<` followed by a space, or a `>` after one, is a redirection.
_PLACEHOLDER = re.compile(r"<[A-Za-z_][^<>\n]*>")
_DISKS = (
    "/dev/sd",
    "/dev/hd",
    "/dev/vd",
    "/dev/xvd",
    "/dev/nvme",
    "/dev/mmcblk",
    "/dev/disk/",
    "/dev/mapper/",
)


@lru_cache(maxsize=1)
def _tools() -> tuple[Any, Any]:
    """The parser, and a query finding every simple command (run in C, not walked in Python)."""
    import tree_sitter
    import tree_sitter_bash

    language = tree_sitter.Language(tree_sitter_bash.language())
    return tree_sitter.Parser(language), tree_sitter.QueryCursor(tree_sitter.Query(language, "(command) @c"))


@lru_cache(maxsize=4096)
def assess_shell(text: str) -> CommandRisk:
    """The risk of a shell command (or a block of them): destructive, never-ending, unanalysable.

    Commands that only print or search text (`echo "rm -rf /"`, `grep -r "DROP TABLE" .`) are
    not risky: only what runs counts. Results are cached by text: runbooks repeat their commands.
    """
    if not worth_reading(text):
        return SAFE  # no tool of the table with a word its rows need, no computed name, no device
    return read_all(text)


def read_all(text: str) -> CommandRisk:
    """`assess_shell` without the pre-filter: every command parsed (tests check the two agree)."""
    return _read(_placeholders_as_words(_without_prompts(text)), 0)


def _placeholders_as_words(text: str) -> str:
    if "<" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: m.group() if m.group()[-2].isspace() else "PLACEHOLDER", text)


def _without_prompts(text: str) -> str:
    """`$ kubectl get pods` as written in a transcript: the `$ ` is a prompt, not a command."""
    if "$ " not in text:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("$ ") or stripped == "$":
            lines[index] = line.replace("$", " ", 1)
    return "\n".join(lines)


def _read(code: str, depth: int) -> CommandRisk:
    """Every simple command of `code`, each assessed with what it reads on its input."""
    if depth > _MAX_DEPTH:
        return unanalysable("shell code nested this deep in strings", "sh -c")

    def nested(inner: str) -> CommandRisk:
        return _read(inner, depth + 1)

    if code.count("<<") > _MAX_HEREDOCS:
        # tree-sitter-bash's time grows with the square of the here-documents left open
        return unanalysable(f"{code.count('<<')} here-documents in one are too many to read", "<<")
    from ..bash_syntax import parse

    tree = parse(code)  # None: tree-sitter gave up (bash_syntax.py), or is missing
    if tree is None:
        return unanalysable("shell code too tangled to read in bounded time", "sh")
    _, query = _tools()
    root = tree.root_node
    # The query runs in C, but its time grows with the square of some pathological nestings
    # (thousands of backticks): long code is walked in Python instead, in time linear in its size.
    found = query.captures(root).get("c", []) if len(code) < _QUERY_LIMIT else _walk(root)
    if len(found) > _MAX_COMMANDS:
        # hostile or generated text: reading each would cost time in proportion to the square
        return unanalysable(f"{len(found)} commands in one are too many to read", "sh")
    return combine(_command(node, nested) for node in sorted(found, key=lambda n: n.start_byte))


def _walk(root: Any) -> list[Any]:
    found: list[Any] = []
    stack = [root]
    while stack and len(found) <= _MAX_COMMANDS:
        node = stack.pop()
        if node.type == "command":
            found.append(node)
        if node.type != "comment":
            stack.extend(node.children)
    return found


def _command(node: Any, nested: Any) -> CommandRisk:
    name = node.child_by_field_name("name")
    if name is None:
        return SAFE  # `A=1` alone
    head = name.named_children[0] if name.named_children else name
    if head.type == "word" and not may_matter(_text(head)) and " -- " not in _text(node):
        # `echo`, `grep`, `cd`: no rule, wrapper or shell of that name; only a redirect can hurt
        if node.parent is None or node.parent.type != "redirected_statement":
            return SAFE
        return _device_write(node.parent.children_by_field_name("redirect"))
    if head.type == "simple_expansion" and _text(head)[1:2].isspace():
        # `$ rm -rf x` after a `[host]` or `;`: tree-sitter reads `$ rm` as `$rm`; bash as a prompt
        first = [Word("$"), Word(_text(head)[1:].strip())]
    else:
        first = [_word(name)]
    words = [*first, *(_word(arg) for arg in node.children_by_field_name("argument"))]
    statement = node
    redirects: list[Any] = list(node.children_by_field_name("redirect"))  # `cmd <<< 'text'`
    if node.parent is not None and node.parent.type == "redirected_statement":
        statement = node.parent
        redirects += statement.children_by_field_name("redirect")
    risk = assess_command(words, _stdin(statement, redirects), nested)
    if risk.never_ending and _backgrounded(statement):
        risk = risk.ending()
    return combine([risk, _device_write(redirects)])


def _text(node: Any) -> str:
    return str(node.text.decode("utf-8", "replace"))


def _word(node: Any) -> Word:
    """A tree-sitter argument node as the shell hands it to the command."""
    kind = node.type
    text = _text(node)
    if kind == "command_name":
        return _word(node.named_children[0]) if node.named_children else Word(text)
    if kind == "word":
        plain = text.replace("\\\\", "").replace("\\*", "").replace("\\?", "").replace("\\[", "")
        return Word(_ESCAPE.sub(r"\1", text), True, any(c in plain for c in "*?["))
    if kind == "raw_string":
        return Word(text[1:-1])
    if kind == "ansi_c_string":
        return Word(text[2:-1])
    if kind in ("string", "translated_string"):
        inner = text[1:-1] if kind == "string" else text[2:-1]
        literal = all(child.type == "string_content" for child in node.named_children)
        return Word(_DOUBLE_QUOTED_ESCAPE.sub(r"\1", inner) if literal else inner, literal)
    if kind == "number":
        return Word(text)
    if kind == "concatenation":
        parts = [_word(child) for child in node.children]
        return Word(
            "".join(p.text for p in parts),
            all(p.literal for p in parts),
            any(p.glob for p in parts),
            any(p.substitution for p in parts),
        )
    if kind == "process_substitution":
        return Word(text, False, False, True)
    return Word(text, False)


def _stdin(statement: Any, redirects: list[Any]) -> Stdin:
    """What the command reads: a here-document, a here-string, a file, the stage before it, the terminal."""
    for redirect in redirects:
        if redirect.type == "heredoc_redirect":
            body = next((c for c in redirect.children if c.type == "heredoc_body"), None)
            return ("text", _text(body) if body is not None else "")
        if redirect.type == "herestring_redirect":
            word = _word(redirect.named_children[-1]) if redirect.named_children else Word("")
            return ("text", word.text) if word.literal else ("dynamic", "a here-string")
        if redirect.type == "file_redirect" and _text(redirect).lstrip("0123456789").startswith("<"):
            return EMPTY  # a file on disk: like a script named on the command line, not read here
    parent = statement.parent
    if parent is None or parent.type != "pipeline":
        return TERMINAL
    stages = parent.named_children
    index = next((i for i, s in enumerate(stages) if s == statement), 0)
    if index > 0:
        return _printed(_simple(stages[index - 1]))
    heredoc = parent.parent
    if heredoc is not None and heredoc.type == "heredoc_redirect" and heredoc.parent is not None:
        # `cat <<EOF | bash`: tree-sitter hangs the pipeline under the here-document
        source = _simple(heredoc.parent)
        body = next((c for c in heredoc.children if c.type == "heredoc_body"), None)
        if (
            source is not None
            and _word(source.child_by_field_name("name")).text == "cat"
            and body is not None
        ):
            return ("text", _text(body))
        return _printed(source)
    return TERMINAL


def _simple(node: Any) -> Any:
    """The simple command of a pipeline stage (`cmd`, `cmd > f`), if it is one."""
    if node.type == "redirected_statement":
        node = node.child_by_field_name("body")
    return node if node is not None and node.type == "command" else None


def _printed(source: Any) -> Stdin:
    """What a pipeline stage writes to the next one: known when it echoes literal text."""
    if source is None or source.child_by_field_name("name") is None:
        return ("dynamic", "the output of a compound command")
    command = _word(source.child_by_field_name("name")).text
    words = [_word(arg) for arg in source.children_by_field_name("argument")]
    if command in ("echo", "printf") and all(w.literal for w in words):
        texts = [w.text for w in words if not (command == "echo" and w.text in ("-e", "-n", "-E"))]
        return ("text", " ".join(texts).replace("\\n", "\n"))
    return ("dynamic", f"the output of {command}")


def _backgrounded(statement: Any) -> bool:
    """`cmd &`: the shell does not wait for it, so it does not hold up the run."""
    node = statement
    while node.parent is not None and node.parent.type == "pipeline":
        node = node.parent
    following = node.next_sibling
    return following is not None and following.type == "&"


def _device_write(redirects: list[Any]) -> CommandRisk:
    """`> /dev/sda`: a redirect that overwrites a disk."""
    for redirect in redirects:
        target = redirect.child_by_field_name("destination") if redirect.type == "file_redirect" else None
        if target is not None and _text(redirect).lstrip("0123456789").startswith(">"):
            path = _word(target).text
            if path.startswith(_DISKS):
                return CommandRisk(("writing to a disk device overwrites it",), (), False, (f"> {path}",))
    return SAFE
