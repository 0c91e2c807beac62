"""One simple command, as its words: the tool table, wrappers, shells, `eval`, SQL clients, `find -exec`."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .argv import Invocation, Syntax, Word, matches, read_args
from .syntax import SYNTAX
from .tools import TOOL_RULES, ToolRule
from .verdict import SAFE, CommandRisk, combine
from .words import triggers
from .wrappers import ENV_PRINTERS, INTERPRETERS, SHELLS, SQL_CLIENTS, WRAPPERS, Wrapper

__all__ = ["EMPTY", "TERMINAL", "Stdin", "assess_command", "unanalysable"]

Stdin = tuple[str, str]
"""What a command reads: ("terminal", ""), ("empty", ""), ("text", the text) or ("dynamic", what)."""
TERMINAL: Stdin = ("terminal", "")
EMPTY: Stdin = ("empty", "")
Nested = Callable[[str], CommandRisk]
"""Reads shell code one level deeper (`bash -c '…'`)."""

_MAX_LAYERS = 16
# With these, a SQL client runs a file or prints and ends instead of waiting at its prompt.
_SQL_NOT_INTERACTIVE = ("-f", "--file", "-l", "--list", "-V", "--version", "--help", "-?")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.+-]+")
_SHELL_OPTIONS = Syntax(frozenset({"-c", "-o", "+o", "-O", "+O", "--rcfile", "--init-file"}))


def unanalysable(reason: str, word: str) -> CommandRisk:
    """What runs is only known at run time: destructive, saying why."""
    return CommandRisk((f"cannot be analysed: {reason}",), (), True, (word,))


def _waits(why: str, word: str) -> CommandRisk:
    return CommandRisk((), (why,), False, (word,))


_INTERACTIVE = "an interactive shell runs until the operator leaves it"


def assess_command(
    words: list[Word], stdin: Stdin, nested: Nested, fed: bool = False, bounded: bool = False, layers: int = 0
) -> CommandRisk:
    """The risk of one simple command (also a wrapped one).

    `fed`: its arguments also come from a list (`xargs`, `find -exec`); `bounded`: a `timeout`
    around it ends it, so it is not never-ending; `layers`: the wrappers around it.
    """
    if layers > _MAX_LAYERS:
        return unanalysable(f"a command inside more than {_MAX_LAYERS} wrappers", "sudo")
    while words and words[0].literal and words[0].text in ("$", "!"):
        words = words[1:]  # a prompt left in the text, or `!` negating the status
    if not words:
        return SAFE
    head = words[0]
    name = head.text.rsplit("/", 1)[-1]
    # `$DIR/bin/tool` still names its tool; `$CMD`, `$(…)`, `"${X}"`, `$(curl …/x)` do not
    if not head.literal and ("/" not in head.text or not _PLAIN_NAME.fullmatch(name)):
        shown = head.text if len(head.text) <= 40 else head.text[:37] + "…"
        return unanalysable(f"the command name {shown} is only known at run time", shown)
    args = tuple(words[1:])
    parts = [_table(name, args, fed)]
    wrapper = _wrapper(name, args)
    if wrapper is not None:
        parts.append(_wrapped(wrapper, name, args, stdin, nested, fed, bounded, layers))
    elif name in SHELLS or name in INTERPRETERS:
        parts.append(_interpreter(name, args, stdin, nested))
    elif name == "eval":
        if all(w.literal for w in args):
            parts.append(nested(" ".join(w.text for w in args)))
        elif (printer := _env_printer(args)) is not None:
            parts.append(nested(printer))  # it runs the tool, then the exports the tool prints
        else:
            parts.append(unanalysable("eval runs text that is only known at run time", "eval"))
    elif name in ("source", ".") and args and args[0].substitution:
        parts.append(unanalysable(f"{name} <(…) runs code made at run time", name))
    elif name in SQL_CLIENTS:
        parts.append(_sql_client(name, args, stdin))
    elif name == "find":
        parts += [
            assess_command(list(inner), EMPTY, nested, True, bounded, layers + 1)
            for inner in _find_exec(args)
        ]
    elif not parts[0].reasons and not parts[0].never_ending:
        parts.append(_after_dashes(name, args, stdin, nested, fed, bounded, layers))
    risk = combine(parts)
    if bounded and risk.never_ending:
        return risk.ending()
    return risk


_SUBSTITUTION = re.compile(r"\$\((.*)\)|`(.*)`", re.S)


def _env_printer(args: tuple[Word, ...]) -> str | None:
    """The command of `eval "$(tool …)"` when the tool is one whose output is exports to eval
    (`ENV_PRINTERS`), else None. Nothing else may sit in the substitution: no pipe, no list, no
    `--` handing a command to the tool, no second substitution."""
    if len(args) != 1:
        return None
    whole = _SUBSTITUTION.fullmatch(args[0].text.strip())
    if whole is None:
        return None
    inner = (whole.group(1) if whole.group(1) is not None else whole.group(2)).strip()
    if any(mark in inner for mark in ("|", "&", ";", "$(", "`", "<", ">", "\n", " -- ")):
        return None
    import shlex

    try:
        words = shlex.split(inner)
    except ValueError:
        return None
    if not words:
        return None
    tool = words[0].rsplit("/", 1)[-1]
    rest = set(words[1:])
    return inner if any(tool == name and needs <= rest for name, needs in ENV_PRINTERS) else None


def _after_dashes(
    name: str, args: tuple[Word, ...], stdin: Stdin, nested: Nested, fed: bool, bounded: bool, layers: int
) -> CommandRisk:
    """`gds aws ROLE -- kubectl delete …`, `op run -- terraform destroy`: a tool the table knows,
    right after `--`, is a command the unknown wrapper runs."""
    dashes = next((i for i, w in enumerate(args) if w.literal and w.text == "--"), None)
    if (
        dashes is None
        or dashes + 1 >= len(args)
        or args[dashes + 1].text.rsplit("/", 1)[-1] not in triggers()
    ):
        return SAFE
    return assess_command(list(args[dashes + 1 :]), stdin, nested, fed, bounded, layers + 1)


def _table(name: str, args: tuple[Word, ...], fed: bool) -> CommandRisk:
    rules = _rules_for(name)
    if not rules:
        return SAFE
    invocation = read_args(name, args, SYNTAX.get(name, Syntax()), fed)
    parts = [_dynamic_subcommand(rules, invocation)]
    for rule in rules:
        matched = _applies(rule, invocation)
        if matched is None:
            continue
        if rule.effect == "never-ending":
            parts.append(_waits(rule.reason, matched))
        else:
            parts.append(CommandRisk((rule.reason,), (), False, (matched,)))
    return combine(parts)


def _dynamic_subcommand(rules: tuple[ToolRule, ...], inv: Invocation) -> CommandRisk:
    """`kubectl $ACTION pod x`, `git $CMD`: where the table reads a subcommand, a value known only
    at run time could name any of them."""
    for rule in rules:
        if rule.effect != "destructive" or rule.path[:1] == ("...",):
            continue
        for element, at in zip(rule.path, inv.positional_at, strict=False):
            word = inv.words[at]
            if not word.literal:
                shown = f"the {inv.tool} subcommand {word.text} is only known at run time"
                return unanalysable(shown, inv.tool)
            if not matches(element, word.text.lower()):
                break
    return SAFE


def _wrapped(
    wrapper: Wrapper,
    name: str,
    args: tuple[Word, ...],
    stdin: Stdin,
    nested: Nested,
    fed: bool,
    bounded: bool,
    layers: int,
) -> CommandRisk:
    invocation = read_args(name, args, SYNTAX.get(name, Syntax()))
    parts: list[CommandRisk] = []
    if wrapper.never_ending and not bounded:
        parts.append(_waits(f"{name} repeats its command until stopped", name))
    if wrapper.inert and invocation.has(*wrapper.inert):
        return combine(parts)
    inner_stdin = stdin
    if wrapper.feeds or (wrapper.stdin is not None and not invocation.has(*wrapper.stdin)):
        inner_stdin = EMPTY
    codes = [v for v in invocation.values(*wrapper.command_option) if v is not None]
    inner = _inner_words(wrapper, args, invocation)
    parts += [nested(code) for code in codes]
    if inner and wrapper.string:
        parts.append(nested(" ".join(w.text for w in inner)))
    elif inner:
        parts.append(
            assess_command(
                list(inner), inner_stdin, nested, fed or wrapper.feeds, bounded or wrapper.bounds, layers + 1
            )
        )
    elif (
        not codes
        and wrapper.empty_shell is not None
        and not bounded
        and (not wrapper.empty_shell or invocation.has(*wrapper.empty_shell))
        and not invocation.has(*wrapper.no_shell)
    ):
        parts.append(_waits(_INTERACTIVE, name))
    return combine(parts)


def _interpreter(name: str, args: tuple[Word, ...], stdin: Stdin, nested: Nested) -> CommandRisk:
    shell = name in SHELLS
    invocation = read_args(name, args, _SHELL_OPTIONS if shell else Syntax(frozenset(INTERPRETERS[name])))
    if shell and invocation.value("-c") is not None:
        return nested(invocation.value("-c") or "")
    if not shell and invocation.has(*INTERPRETERS[name]):
        return SAFE  # code given on the command line, in view of the reader (and not shell)
    script = next((w for w in args if not w.text.startswith("-")), None)
    if script is not None and not (shell and invocation.has("-s")):
        if script.substitution:
            return unanalysable(f"{name} <(…) runs code made at run time", name)
        return SAFE  # a script file: not read here
    kind, text = stdin
    if kind == "terminal":
        return _waits(_INTERACTIVE if shell else f"{name} without a script waits for the operator", name)
    if kind == "text":
        return nested(text) if shell else SAFE
    if kind == "dynamic":
        return unanalysable(f"piping {text} into {name} runs whatever arrives, unseen", f"| {name}")
    return SAFE


@lru_cache(maxsize=512)
def _rules_for(name: str) -> tuple[ToolRule, ...]:
    return tuple(r for r in TOOL_RULES if _tool_matches(r.tools, name))


def _tool_matches(tools: str, name: str) -> bool:
    return any(name.startswith(t[:-1]) if t.endswith("*") else name == t for t in tools.split("|"))


def _path_match(path: tuple[str, ...], positionals: tuple[str, ...]) -> tuple[str, ...] | None:
    """The positionals that matched `path` (compared without case), or None."""
    if not path:
        return ()
    words = [p.lower() for p in positionals]
    if path[0] == "...":
        rest = path[1:]
        for start in range(len(words) - len(rest) + 1):
            if all(matches(p, words[start + k]) for k, p in enumerate(rest)):
                return tuple(words[start : start + len(rest)])
        return None
    if len(words) < len(path) or not all(matches(p, w) for p, w in zip(path, words, strict=False)):
        return None
    return tuple(words[: len(path)])


def _applies(rule: ToolRule, inv: Invocation) -> str | None:
    """The words that triggered `rule` (`kubectl delete`, `rm -r`), or None when it does not apply."""
    matched = _path_match(rule.path, inv.positionals)
    if matched is None:
        return None
    flag = next((f for f in rule.any_of if inv.has(f)), None)
    if rule.any_of and flag is None:
        return None
    if rule.none_of and inv.has(*rule.none_of):
        return None
    if rule.effect == "destructive" and inv.has("--dry-run"):
        return None  # `--dry-run=none` was left out when the options were read
    if rule.test is not None and not rule.test(inv):
        return None
    return " ".join([inv.tool, *matched, *([flag] if flag else [])])


@lru_cache(maxsize=512)
def _wrappers_for(name: str) -> tuple[Wrapper, ...]:
    return tuple(w for w in WRAPPERS if _tool_matches(w.tools, name))


def _wrapper(name: str, args: tuple[Word, ...]) -> Wrapper | None:
    for wrapper in _wrappers_for(name):
        if not wrapper.path:
            return wrapper
        if (
            _path_match(wrapper.path, read_args(name, args, SYNTAX.get(name, Syntax())).positionals)
            is not None
        ):
            return wrapper
    return None


def _inner_words(wrapper: Wrapper, args: tuple[Word, ...], inv: Invocation) -> tuple[Word, ...]:
    """The wrapped command's words: after `--`, or from the first positional past the wrapper's own."""
    if wrapper.after_dashes:
        return args[inv.dashes_at + 1 :] if inv.dashes_at is not None else ()
    skip = len(wrapper.path) + wrapper.skip
    # `env A=1 B=2 cmd`: the assignments are env's, the command starts after them
    at = [i for i in inv.positional_at if not (inv.tool == "env" and "=" in args[i].text)]
    if inv.dashes_at is not None and len(at) <= skip:
        return args[inv.dashes_at + 1 :]  # `sudo -- cmd`, `runuser -u x -- cmd`
    return args[at[skip] :] if len(at) > skip else ()


def _find_exec(args: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    """The commands `find … -exec CMD {} ;` runs (also `-execdir`, `-ok`, `-okdir`)."""
    found = []
    index = 0
    while index < len(args):
        if args[index].text in ("-exec", "-execdir", "-ok", "-okdir"):
            end = index + 1
            while end < len(args) and args[end].text not in (";", "+"):
                end += 1
            found.append(args[index + 1 : end])
            index = end
        index += 1
    return found


def _sql_client(name: str, args: tuple[Word, ...], stdin: Stdin) -> CommandRisk:
    from .sql import assess_sql

    invocation = read_args(name, args, SYNTAX.get(name, Syntax()))
    statements = [v for v in invocation.values(*SQL_CLIENTS[name]) if v]
    if name == "sqlite3" and len(invocation.positionals) > 1:
        statements.append(invocation.positionals[1])
    if not statements and stdin[0] == "text":
        statements.append(stdin[1])
    if (
        not statements
        and stdin == TERMINAL
        and not invocation.has(*_SQL_NOT_INTERACTIVE)
        and (name != "cockroach" or invocation.positionals[:1] == ("sql",))
    ):
        return _waits(f"{name} without a statement opens a session that waits for the operator", name)
    return combine(assess_sql(statement) for statement in statements)
