"""An http request made ready to send: its variables filled without changing its shape, its
credentials masked before anything shows them.

In the URL a value is percent-encoded (it cannot add a path segment or a query parameter; only a
variable that begins the URL is a base URL, and one in the host must be a host), in a header it
may not hold a line break, in a JSON body it is escaped as JSON string text, in a form body
form-encoded. The messages name the variable, never its value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from ...infer.http import VARIABLE
from ...policy.masking import Masker
from ...policy.secrets import is_secret_name
from ..database import url_passwords

__all__ = ["Unfillable", "fill_body", "fill_header", "fill_url", "is_credential", "mask_credentials"]

_CREDENTIALS = frozenset({"authorization", "proxy-authorization", "cookie"})
_HOST = re.compile(r"[A-Za-z0-9.-]+(?::\d+)?")


class Unfillable(ValueError):
    """A value cannot go where the request puts it (the message names the variable, never its
    value). The executor turns it into an `errored` result: it never leaves the run."""


def is_credential(header: str) -> bool:
    """True for a header whose value is a credential (Authorization, Cookie, X-Api-Key…)."""
    return header.lower() in _CREDENTIALS or is_secret_name(header.replace("-", "_"))


def fill_url(template: str, env: Mapping[str, str]) -> str:
    """The URL with its variables filled; each value fills one place.

    Raises:
        Unfillable: a variable is not set, or its value cannot go where it is.
    """
    begin = end = 0  # the host, when the URL as written names one
    if "://" in template:
        begin = template.index("://") + 3
        end = next((i for i in range(begin, len(template)) if template[i] in "/?#"), len(template))

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise Unfillable(f"${name} is not set")
        given = env[name]
        if match.start() == 0:
            if not re.match(r"^https?://\S+$", given, re.I):
                raise Unfillable(f"${name} begins the URL, so it must be an http:// or https:// URL")
            return given.rstrip("/") if template[match.end() : match.end() + 1] == "/" else given
        if begin <= match.start() < end:
            if not _HOST.fullmatch(given):
                raise Unfillable(f"${name} is in the URL's host, so it must be a host name (and :port)")
            return given
        return quote(given, safe="")

    return VARIABLE.sub(value, template).replace("\\$", "$")


def fill_header(template: str, env: Mapping[str, str]) -> str:
    """A header value with its variables filled (none may hold a line break).

    Raises:
        Unfillable: a variable is not set or holds a line break.
    """

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise Unfillable(f"${name} is not set")
        if any(c in env[name] for c in "\r\n\0"):
            raise Unfillable(f"${name} holds a line break, which cannot go into a header")
        return env[name]

    return VARIABLE.sub(value, template).replace("\\$", "$")


def fill_body(template: str, env: Mapping[str, str], content_type: str) -> str:
    """The body with its variables filled as the content type reads them.

    Raises:
        Unfillable: a variable is not set.
    """
    encode: Callable[[str], str] = str
    if "json" in content_type.split(";", 1)[0]:
        encode = lambda text: json.dumps(text, ensure_ascii=False)[1:-1]  # noqa: E731
    elif content_type.startswith("application/x-www-form-urlencoded"):
        encode = quote_plus

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise Unfillable(f"${name} is not set")
        return encode(env[name])

    return VARIABLE.sub(value, template).replace("\\$", "$")


def mask_credentials(masker: Masker, url: str, headers: list[tuple[str, str]]) -> None:
    """Credentials written in the request are masked before the request is shown or sent."""
    for name, value in headers:
        if not is_credential(name):
            continue
        masker.add(value)
        scheme, _, credential = value.partition(" ")
        if credential and scheme.isalpha():
            masker.add(credential.strip())  # `Bearer TOKEN`: the token alone too
        for _, cookie in (p.partition("=")[::2] for p in value.split(";") if "=" in p):
            masker.add(cookie.strip())
    for password in url_passwords(url):
        masker.add(password)
    for key, value in parse_qsl(urlsplit(url).query):
        if is_secret_name(key.replace("-", "_")):
            masker.add(value)
