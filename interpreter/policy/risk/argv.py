"""A command's arguments read as its tool reads them: option clusters, option values, `--`, positionals."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Invocation", "Syntax", "Word", "matches", "read_args"]

_OFF = frozenset({"false", "0", "no", "none", "off"})


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word after quote removal."""

    text: str
    """Its value with quotes removed; expansions (`$X`, `$(…)`) are kept as written."""
    literal: bool = True
    """No expansion or substitution in it: the value is known before it runs."""
    glob: bool = False
    """It holds an unquoted `*`, `?` or `[`: the shell replaces it by every file it matches."""
    substitution: bool = False
    """It is a process substitution `<(…)`: a file whose content is another command's output."""


@dataclass(frozen=True, slots=True)
class Syntax:
    """How a tool reads its options."""

    values: frozenset[str] = frozenset()
    """Options that take the next word as their value when it is not attached (`-n prod`)."""
    clusters: bool = True
    """`-rf` means `-r -f`. False for tools whose single-dash options are words (`-auto-approve`)."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """A tool's arguments, read."""

    tool: str
    """The command name (its last path component)."""
    words: tuple[Word, ...]
    """The arguments as written, after quote removal."""
    options: tuple[tuple[str, str | None], ...]
    """Options in order, with their value when they take one (`("-n", "prod")`, `("-r", None)`); a
    switch turned off as `--dry-run=none` or `-auto-approve=false` is left out."""
    positionals: tuple[str, ...]
    """The other arguments before `--`, as written."""
    rest: tuple[str, ...]
    """The arguments after `--`, as written."""
    positional_at: tuple[int, ...] = ()
    """Where each positional is in `words`."""
    dashes_at: int | None = None
    """Where `--` is in `words`, if it is there."""
    fed: bool = False
    """Its arguments come in from elsewhere too (`xargs CMD`, `find -exec CMD {}`): each run acts on
    every item of a list the runbook does not show."""

    def has(self, *flags: str) -> bool:
        """Whether one of these options was given."""
        return any(name in flags for name, _ in self.options)

    def value(self, *flags: str) -> str | None:
        """The value of the last of these options given, if any."""
        found = None
        for name, value in self.options:
            if name in flags:
                found = value
        return found

    def values(self, *flags: str) -> list[str | None]:
        """The values of all of these options given, in order (`psql -c A -c B`)."""
        return [value for name, value in self.options if name in flags]


def read_args(tool: str, words: tuple[Word, ...], syntax: Syntax, fed: bool = False) -> Invocation:
    """Split arguments into options and positionals as `syntax` says the tool reads them.

    A value option does not take a next word that starts with `-`: a tool's parser would, but a
    flag mistaken for a value hides that flag, and runbooks rarely pass dash-led values. A long
    option the table does not know takes a next word computed at run time (`--url "$HOST"`).
    """
    options: list[tuple[str, str | None]] = []
    positionals: list[str] = []
    positional_at: list[int] = []
    rest: list[str] = []
    dashes_at: int | None = None
    index = 0
    count = len(words)

    def add(name: str, attached: str | None) -> None:
        if attached is not None and name not in syntax.values and attached.lower() in _OFF:
            return  # `--force=false`: the switch is off
        options.append((name, attached))

    def next_value() -> str | None:
        nonlocal index
        if index + 1 < count and not (words[index + 1].text.startswith("-") and words[index + 1].text != "-"):
            index += 1
            return words[index].text
        return None

    while index < count:
        text = words[index].text
        if text == "--" and words[index].literal:
            rest = [w.text for w in words[index + 1 :]]
            dashes_at = index
            break
        if text.startswith("--") and len(text) > 2:
            name, equals, attached = text.partition("=")
            # an option the table does not know, followed by `$VALUE`: that is its value, not a subcommand
            computed = index + 1 < count and not words[index + 1].literal
            add(name, attached if equals else next_value() if name in syntax.values or computed else None)
        elif (
            text.startswith("-")
            and len(text) > 1
            and not text[1:2].isdigit()
            and "$" not in text.split("=")[0]
        ):
            if not syntax.clusters:
                name, equals, attached = text.partition("=")
                add(name, attached if equals else next_value() if name in syntax.values else None)
            else:
                for at in range(1, len(text)):
                    name = "-" + text[at]
                    if name in syntax.values:
                        tail = text[at + 1 :].removeprefix("=")
                        options.append((name, tail if tail else next_value()))
                        break
                    options.append((name, None))
        else:
            positionals.append(text)
            positional_at.append(index)
        index += 1
    return Invocation(
        tool,
        words,
        tuple(options),
        tuple(positionals),
        tuple(rest),
        positional_at=tuple(positional_at),
        dashes_at=dashes_at,
        fed=fed,
    )


def matches(pattern: str, word: str) -> bool:
    """A table pattern against a word: `a|b` alternatives, each exact, `prefix*` or `*suffix`."""
    for alternative in pattern.split("|"):
        if alternative == "*":
            return True
        if alternative.endswith("*") and word.startswith(alternative[:-1]):
            return True
        if alternative.startswith("*") and word.endswith(alternative[1:]):
            return True
        if alternative == word:
            return True
    return False
