"""The cheap checks that spare a text a regex scan never spare one the regex would match.

`is_warning`, `is_myst`, `find_mojibake` and the control-character check first ask whether the
text could match at all (words it must hold, ASCII only, one scan of the joined lines); these
tests hold each of those shortcuts to the regex it stands in front of.
"""

from __future__ import annotations

import random
import re
import sys

from interpreter.infer.body import _WARNING, _WARNING_WORDS, is_warning
from interpreter.parse.mojibake import _BYTE_OF, find_mojibake
from interpreter.policy.terminal import controls
from interpreter.validate.links import _MYST, is_myst

# The words `_WARNING` matches in any case (`(?i:…)`); its other words are matched as written.
_ANY_CASE = ("cannot be undone", "last resort", "double", "be careful")


def test_what_ignorecase_lets_through_folds_to_the_letter_itself() -> None:
    """`(?i:last resort)` also matches `laſt reſort`: every such character must case-fold to the
    letter, or the case-folded word check would miss a warning the regex finds."""
    assert set(_ANY_CASE) <= set(_WARNING_WORDS)
    letters = sorted(set("".join(_ANY_CASE)) - {" "})
    anyone = re.compile(f"(?i:[{''.join(letters)}])")
    odd = []
    for char in map(chr, range(sys.maxunicode + 1)):
        if anyone.fullmatch(char) is None:
            continue
        odd += [
            (letter, char)
            for letter in letters
            if re.fullmatch(f"(?i:{letter})", char) and char.casefold() != letter
        ]
    assert odd == []


def _texts(parts: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(parts) for _ in range(rng.randint(0, 8))) for _ in range(count)]


def test_is_warning_agrees_with_its_regex() -> None:
    words = [
        *_WARNING_WORDS,
        *(w.upper() for w in _WARNING_WORDS),
        *(w.title() for w in _WARNING_WORDS),
        "Destructive", "not destructive", "non-destructive", "**Danger**", "[!CAUTION]", "DOUBLE-CHECK",
        "laſt reſort", "DATA  LOSS", "ß", "İ", "K",
    ]  # fmt: skip
    parts = [*words, " ", "\n", ":", "!", "*", "-", "x", "> "]
    for text in _texts(parts, 20_000, 1):
        assert is_warning(text) == bool(_WARNING.search(text)), text


def test_is_myst_agrees_with_its_regex() -> None:
    parts = [
        "(",
        ")",
        "=",
        "(a)=",
        "```",
        "~~~",
        ":::",
        "{",
        "}",
        "{ref}`",
        "{doc}",
        "[](#",
        "`",
        " ",
        "\n",
        "x",
    ]
    for text in _texts(parts, 20_000, 2):
        assert is_myst(text) == (("(" in text or "{" in text) and _MYST.search(text) is not None), text


def test_mojibake_is_never_ascii() -> None:
    assert all(ord(char) >= 0x80 for char in _BYTE_OF)
    assert [m.repaired for m in find_mojibake("ok âœ… done")] == ["✅"]


def test_a_newline_is_no_control_character() -> None:
    """Lines joined with newlines hold a control character exactly when one of the lines does."""
    assert controls("\n") == []
    assert controls("a\nb\x1b[31mc") != []


def test_a_line_taken_as_plain_splits_as_shlex_splits_it() -> None:
    """`infer.sessions` splits a plain line with str.split instead of shlex: for every line the
    shortcut takes, shlex (quotes, escapes, comments) would give the same words."""
    import shlex

    from interpreter.infer.sessions import _PLAIN

    rng = random.Random(16)
    alphabet = [chr(c) for c in range(32, 127)] + ["\t", " ", " ", "\x0b", "\xa0", "é"]
    taken = 0
    for _ in range(20_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if _PLAIN.fullmatch(line):
            taken += 1
            assert line.split() == shlex.split(line, comments=True), repr(line)
    assert taken > 1_000  # the shortcut is exercised, not just skipped
