"""Passwords written in connection strings, found the way libpq and URL parsers read them.

libpq reads `scheme://user:PASSWORD@host` with the password running from the first `:` to the
first `@` (a `#` or `?` in it is part of it: `postgresql://u:Sup3r#Pw@h/db` connects), while URL
parsers split at the last `@` and stop at `#`; nobody reads a password holding a bare `/`, but it
is still a secret, so the widest reading takes it whole. A query string may carry `?password=`
(to the next `&`), and a conninfo string `password=VALUE` or `password='quoted \\' value'`. Every
reading is kept, percent-decoded too, so whichever one a tool prints is masked.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["redact", "url_passwords"]

# After `scheme://`, the user information runs to the first `@` that comes before any `/`. A
# scheme starts where no scheme character comes before it (`\b` made every letter of a long run a
# start); the loose reading stops at another `://`, which starts a URL of its own.
_SCHEME = r"(?<![\w+.-])[a-z][a-z0-9+.-]*://"
_USERINFO = re.compile(_SCHEME + r"([^@/\s]*)@", re.I)
_USERINFO_LAST = re.compile(_SCHEME + r"([^/\s]*)@", re.I)
_USERINFO_LOOSE = re.compile(_SCHEME + r"((?:(?!://)\S)*)@", re.I)
"""A password holding an unencoded `/` breaks every parser, but is still the operator's secret."""
_QUERY = re.compile(r"[?&]password=([^&\s]*)", re.I)
_CONNINFO = re.compile(r"(?:^|(?<=[\s\"'(]))password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", re.I)
_TRAILING = re.compile(r"[\"'`)\]};,.]+$")
"""What a password found in prose or a command line may be followed by (a closing quote)."""


def url_passwords(text: str) -> list[str]:
    """Passwords written in URLs (`scheme://user:PASSWORD@host`, `?password=…`) or conninfo
    (`password=…`) in `text`: each reading, as written and percent-decoded, longest first."""
    if "password" not in text.lower() and "@" not in text:
        return []
    found: list[str] = []
    for pattern in (_USERINFO, _USERINFO_LAST, _USERINFO_LOOSE):
        for match in pattern.finditer(text):
            _, colon, password = match.group(1).partition(":")
            if colon and password:
                # `u:p@ss@h`: libpq takes `p` and asks for host `ss@h`, whose name an error repeats.
                found += [password, *password.split("@")]
    for match in _QUERY.finditer(text):
        found += [match.group(1), match.group(1).split("#")[0]]
    for match in _CONNINFO.finditer(text):
        value = match.group(1)
        found.append(re.sub(r"\\(.)", r"\1", value[1:-1]) if value.startswith("'") else value)
    found += [_TRAILING.sub("", p) for p in found]
    found += [unquote(p) for p in found]
    return sorted({p for p in found if p}, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every URL or conninfo password replaced by the mask: where it is written, and
    wherever else it appears when it is long enough to be told from other text."""
    from .masking import MASK
    from .weak_secrets import weakness

    for password in url_passwords(text):
        if weakness(password) is None:
            text = text.replace(password, MASK)
    text = _USERINFO_LAST.sub(
        lambda m: m.group(0).replace(m.group(1), _masked_userinfo(m.group(1), MASK)), text
    )
    text = _QUERY.sub(lambda m: m.group(0).replace(m.group(1), MASK) if m.group(1) else m.group(0), text)
    return _CONNINFO.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + MASK, text)


def _masked_userinfo(userinfo: str, mask: str) -> str:
    user, colon, password = userinfo.partition(":")
    return f"{user}:{mask}" if colon and password else userinfo
