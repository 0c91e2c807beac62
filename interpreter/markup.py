"""Rich's console markup without rich: escaping text into markup, and the plain text markup shows."""

from __future__ import annotations

import re

__all__ = ["CONTROL", "escape", "plain"]

# rich.markup's grammar: a tag is `[` then a letter, `#`, `/` or `@`, up to the next `]`; a
# backslash before it makes it text.
# (The backslashes are taken from the start of their run only: a search from each of a long run
# of them was quadratic.)
_TAG = re.compile(r"((?<!\\)(\\*)\[([a-z#/@][^[]*?)])")
_ESCAPE = re.compile(r"(?<!\\)(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """`text` made safe to put in markup (as rich.markup.escape does)."""

    def double(match: re.Match[str]) -> str:
        backslashes, tag = match.groups()
        return f"{backslashes}{backslashes}\\{tag}"

    text = _ESCAPE.sub(double, text)
    # A trailing backslash would escape the tag that follows it in the markup.
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text


CONTROL = str.maketrans(dict.fromkeys((7, 8, 11, 12, 13)))
"""Bell, backspace, vertical tab, form feed, carriage return: rich leaves them out of text."""


def plain(markup: str) -> str:
    """The text that markup shows, styles left out, as rich prints it (emoji codes aside: rich
    would turn `:warning:` in a finding into a picture; plain output keeps what the runbook says)."""
    if "[" not in markup:
        return markup.translate(CONTROL).expandtabs(8)
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):
        whole, escapes, _ = match.groups()
        start, end = match.span()
        out.append(markup[position:start].replace("\\[", "["))  # `\[` before no tag is `[`
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            out.append("\\" * backslashes)
            if escaped:
                out.append(whole[len(escapes) :])  # an escaped tag is text
    out.append(markup[position:].replace("\\[", "["))
    return "".join(out).translate(CONTROL).expandtabs(8)
