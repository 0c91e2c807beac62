"""The forms a secret takes when a command writes it: encoded, quoted or cased, each masked like the value.

A token printed by `base64`, put in a URL by `curl --data-urlencode`, upper-cased by `tr`, shown by
`set -x` or inside JSON is the same secret in another spelling. `forms(value)` lists the
spellings the masker looks for besides the value itself:

- base64, standard and URL-safe, at each of the three alignments the value can have inside a
  longer encoded text (`user:TOKEN` in a Basic header): only the characters that depend on the
  value's own bits, so the form is found whatever surrounds it;
- URL encoding (`%2F` and `%2f`, `+` or `%20` for a space);
- upper and lower case;
- shell quoting as `set -x`, `printf %q` and `declare -p` write it (`'it'\\''s'`, `it\\'s`), and
  JSON string escaping.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

__all__ = ["forms"]

_SHELL_SPECIAL = re.compile(r"([^A-Za-z0-9_./:@%+=,-])")


def forms(value: str) -> set[str]:
    """Every other spelling of `value` worth masking (the value itself not included)."""
    found = {*_encoded(value.encode("utf-8")), *_url(value), value.upper(), value.lower()}
    found |= _quoted(value)
    found.discard(value)
    return {f for f in found if f}


def _encoded(raw: bytes) -> set[str]:
    """base64 characters that depend only on `raw`, at offsets 0, 1 and 2 of a 3-byte group."""
    found = set()
    for offset in range(3):
        text = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        first = -(-8 * offset // 6)  # the first character made of the value's bits alone
        last = (8 * (offset + len(raw))) // 6  # one past the last such character
        part = text[first:last]
        found |= {part, part.replace("+", "-").replace("/", "_")}
    return found


def _url(value: str) -> set[str]:
    found = {quote(value, safe=""), quote_plus(value, safe="")}
    return found | {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in found}


def _quoted(value: str) -> set[str]:
    return {
        value.replace("'", "'\\''"),  # set -x, single-quoted: 'it'\''s'
        _SHELL_SPECIAL.sub(r"\\\1", value),  # printf %q: it\'s
        re.sub(r'([\\"$`])', r"\\\1", value),  # declare -p, double-quoted
        json.dumps(value, ensure_ascii=False)[1:-1],  # a JSON string
        json.dumps(value)[1:-1],
    }
