"""Running `http` blocks: each request sent with urllib, its status, headers and body journaled as output.

Values fill a request without changing its shape: in the URL a variable's value is
percent-encoded (it cannot add a path segment or a query parameter; only a variable that begins
the URL is a base URL, and one in the host must be a host), in a header it may not hold a line
break, in a JSON body it is escaped as JSON string text, in a form body form-encoded. Credentials
(Authorization, Cookie, `*-Key`/`*-Token` headers, secret-named query parameters) are masked
before anything is shown or written. Redirects are not followed (a header with a token must not
go to another host): a 3xx is the response.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from ... import __version__
from ...infer.http import VARIABLE, RequestError, expected_statuses, parse_request, variables_in
from ...infer.shell import is_secret_name
from ...policy.masking import Masker
from ...policy.values import substitute
from ..context import ExecutorContext, Output, Planned
from ..database import url_passwords
from ..expect import matches
from ..session import CommandResult, Status

if TYPE_CHECKING:  # urllib.request (and ssl) load only when a request is sent
    import urllib.request

__all__ = ["HTTP", "HttpExecutor"]

DEFAULT_TIMEOUT = 60.0
"""Seconds a request waits for the server (to connect, or between two reads) when its block sets
no `timeout=`; with one, the whole exchange must end within it."""
_KEPT = 1 << 20  # body bytes kept in memory for the expectations and capture=
_CREDENTIALS = frozenset({"authorization", "proxy-authorization", "cookie"})
_HOST = re.compile(r"[A-Za-z0-9.-]+(?::\d+)?")


class _Unfillable(Exception):
    """A value cannot go where the request puts it (the message names the variable, never its value)."""


def _credential(header: str) -> bool:
    return header.lower() in _CREDENTIALS or is_secret_name(header.replace("-", "_"))


class HttpExecutor:
    """HTTP requests, one at a time; a block of several stops at the first that fails."""

    kinds = frozenset({"http"})
    edit_refusal = "http blocks are not edited here: open a shell (h) and use curl"

    def secret_variables(self, block: Mapping[str, Any]) -> frozenset[str]:
        names: set[str] = set()
        for command in block["commands"]:
            try:
                request = parse_request(command["text"])
            except RequestError:
                continue
            for header, value in request.headers:
                if _credential(header):
                    names.update(variables_in(value))
        return frozenset(names)

    def plan(
        self, block: Mapping[str, Any], settings: Mapping[str, Any], values: Mapping[str, str]
    ) -> list[Planned]:
        planned = []
        for command in block["commands"]:
            text = substitute(command["text"], {t: v for t, v in values.items() if t in command["text"]})
            # Status, JSON and quoted expectations are checked here against the response; the
            # others are the operator's to confirm, after the request.
            checks = tuple(e for e in command["expectations"] if e["literal"])
            asked = tuple(e for e in command["expectations"] if not e["literal"])
            detail = {"checks": checks, "capture": block["annotation"].get("capture")}
            planned.append(Planned("http", text, expectations=asked, detail=detail))
        return planned

    def run(
        self,
        ctx: ExecutorContext,
        node: Mapping[str, Any],
        command: Planned,
        out: Output,
        limit: float | None,
    ) -> CommandResult:
        started = time.monotonic()
        try:
            request = parse_request(command.text)
            env = ctx.session.env
            url = _fill_url(request.url, env)
            headers = [(name, _fill_header(value, env)) for name, value in request.headers]
            kind = next((v.lower() for n, v in headers if n.lower() == "content-type"), "")
            body = _fill_body(request.body, env, kind)
        except (RequestError, _Unfillable) as problem:
            return CommandResult("errored", None, 0.0, f"cannot send this request: {problem}")
        _mask_credentials(ctx, url, headers)
        shown_url = ctx.masker.text(url)
        capture = command.detail.get("capture")
        hidden = bool(capture) and is_secret_name(str(capture))  # a token fetched is never shown
        exchange = _Exchange(request.method, url, headers, body, limit or DEFAULT_TIMEOUT)
        status, head, kept, why = exchange.run(ctx.masker, out, hidden, started + limit if limit else None)
        details: dict[str, Any] = {"method": request.method, "url": shown_url}
        if head is None:
            return CommandResult(status, None, time.monotonic() - started, why, {"http": details})
        code, reason, response_headers = head
        details.update(
            status=code,
            reason=reason,
            headers={name: ctx.masker.text(value) for name, value in response_headers},
        )
        text = kept.decode("utf-8", "replace")
        if hidden:
            ctx.masker.add(text.strip())
            out.write(kept)
        if status == "ok":
            status, why = _verdict(ctx, node, command, code, reason, text)
        if status == "ok" and capture:
            env[str(capture)] = text.strip()
        result_code = 0 if status == "ok" else None
        return CommandResult(status, result_code, time.monotonic() - started, why, {"http": details})


HTTP = HttpExecutor()


def _fill_url(template: str, env: Mapping[str, str]) -> str:
    begin = template.find("://") + 3 if "://" in template else -1
    end = next((i for i in range(begin, len(template)) if template[i] in "/?#"), len(template))

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise _Unfillable(f"${name} is not set")
        given = env[name]
        if match.start() == 0:
            if not re.match(r"^https?://\S+$", given, re.I):
                raise _Unfillable(f"${name} begins the URL, so it must be an http:// or https:// URL")
            return given.rstrip("/") if template[match.end() : match.end() + 1] == "/" else given
        if begin <= match.start() < end:
            if not _HOST.fullmatch(given):
                raise _Unfillable(f"${name} is in the URL's host, so it must be a host name (and :port)")
            return given
        return quote(given, safe="")

    return VARIABLE.sub(value, template).replace("\\$", "$")


def _fill_header(template: str, env: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise _Unfillable(f"${name} is not set")
        if any(c in env[name] for c in "\r\n\0"):
            raise _Unfillable(f"${name} holds a line break, which cannot go into a header")
        return env[name]

    return VARIABLE.sub(value, template).replace("\\$", "$")


def _fill_body(template: str, env: Mapping[str, str], content_type: str) -> str:
    encode: Callable[[str], str] = str
    if "json" in content_type.split(";", 1)[0]:
        encode = lambda text: json.dumps(text, ensure_ascii=False)[1:-1]  # noqa: E731
    elif content_type.startswith("application/x-www-form-urlencoded"):
        encode = quote_plus

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise _Unfillable(f"${name} is not set")
        return encode(env[name])

    return VARIABLE.sub(value, template).replace("\\$", "$")


def _mask_credentials(ctx: ExecutorContext, url: str, headers: list[tuple[str, str]]) -> None:
    """Credentials written in the request are masked before the request is shown or sent."""
    for name, value in headers:
        if not _credential(name):
            continue
        ctx.masker.add(value)
        scheme, _, credential = value.partition(" ")
        if credential and scheme.isalpha():
            ctx.masker.add(credential.strip())  # `Bearer TOKEN`: the token alone too
        for _, cookie in (p.partition("=")[::2] for p in value.split(";") if "=" in p):
            ctx.masker.add(cookie.strip())
    for password in url_passwords(url):
        ctx.masker.add(password)
    for key, value in parse_qsl(urlsplit(url).query):
        if is_secret_name(key.replace("-", "_")):
            ctx.masker.add(value)


def _verdict(
    ctx: ExecutorContext, node: Mapping[str, Any], command: Planned, code: int, reason: str, body: str
) -> tuple[Status, str]:
    """The response against what the runbook expects: its statuses, its body; else below 400."""
    checks = command.detail.get("checks", ())
    said_status = False
    failed = []
    for check in checks:
        wanted = check["text"].strip()
        statuses = expected_statuses(wanted)
        if statuses is not None:
            said_status = True
            passed = any(str(code) == s or (s.endswith("xx") and str(code)[0] == s[0]) for s in statuses)
            actual = f"{code} {reason}".strip()
        else:
            passed = matches(wanted, body)
            actual = ctx.masker.text(body[:200])
        ctx.emit(
            "expectation.checked",
            node["id"],
            {
                "text": wanted,
                "literal": True,
                "result": "passed" if passed else "failed",
                "command": ctx.masker.text(command.text.split("\n", 1)[0]),
                "actual": actual,
            },
        )
        ctx.view.text(f"  expected {wanted}: {'passed' if passed else 'failed'}")
        if not passed:
            failed.append(wanted)
    if failed:
        return "failed", f"expected {' and '.join(failed)}; got {code} {reason}".strip()
    if not said_status and code >= 400:
        return "failed", f"HTTP {code} {reason}".strip()
    return "ok", ""


class _Exchange:
    """One request and its response, read in a thread so that the deadline and Ctrl-C are the run's."""

    def __init__(
        self, method: str, url: str, headers: list[tuple[str, str]], body: str, timeout: float
    ) -> None:
        self.method, self.url, self.headers, self.body, self.timeout = method, url, headers, body, timeout
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=64)
        self.stopped = threading.Event()

    def run(
        self, masker: Masker, out: Output, hidden: bool, deadline: float | None
    ) -> tuple[Status, tuple[int, str, list[tuple[str, str]]] | None, bytes, str]:
        """The status, the response's (code, reason, headers) if one came, its body kept, and why
        it did not end well."""
        threading.Thread(target=self._talk, daemon=True).start()
        head: tuple[int, str, list[tuple[str, str]]] | None = None
        kept = bytearray()
        try:
            while True:
                wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
                try:
                    what, value = self.events.get(timeout=wait)
                except queue.Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        return "timeout", head, bytes(kept), f"no complete response in {self.timeout:g}s"
                    continue
                if what == "head":
                    head = value
                    for name, text in value[2]:
                        if _credential(name) or name.lower() == "set-cookie":
                            masker.add(text.split(";", 1)[0].partition("=")[2] or text)
                    lines = [f"HTTP {value[0]} {value[1]}".rstrip(), *(f"{n}: {v}" for n, v in value[2])]
                    out.write(("\n".join(lines) + "\n\n").encode("utf-8"))
                elif what == "chunk":
                    if len(kept) < _KEPT:
                        kept.extend(value[: _KEPT - len(kept)])
                    if not hidden:
                        out.write(value)
                elif what == "end":
                    if not hidden and kept and not kept.endswith(b"\n"):
                        out.write(b"\n")
                    return "ok", head, bytes(kept), ""
                else:
                    return value[0], head, bytes(kept), value[1]
        except KeyboardInterrupt:
            return "interrupted", head, bytes(kept), "stopped by Ctrl-C"
        finally:
            self.stopped.set()  # the thread stops reading (its socket times out at the latest)

    def _put(self, item: tuple[str, Any]) -> bool:
        while not self.stopped.is_set():
            try:
                self.events.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _talk(self) -> None:
        import urllib.error

        try:
            try:
                response = _opener().open(self._request(), timeout=self.timeout)
            except urllib.error.HTTPError as error:
                response = error  # 4xx, 5xx and 3xx are responses too
            with response:
                head = (response.status, response.reason or "", list(response.headers.items()))
                if not self._put(("head", head)):
                    return
                while True:
                    chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
                    if not chunk or not self._put(("chunk", chunk)):
                        break
            self._put(("end", None))
        except TimeoutError:
            self._put(("failed", ("timeout", f"the server did not answer within {self.timeout:g}s")))
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                self._put(("failed", ("timeout", f"no connection within {self.timeout:g}s")))
            else:
                where = urlsplit(self.url).hostname or "the server"
                self._put(("failed", ("errored", f"cannot reach {where}: {error.reason}")))
        except (OSError, ValueError) as error:
            self._put(("failed", ("errored", f"the exchange failed: {error}")))

    def _request(self) -> urllib.request.Request:
        import urllib.request

        request = urllib.request.Request(
            self.url, data=self.body.encode("utf-8") if self.body else None, method=self.method
        )
        for name, value in self.headers:
            request.add_header(name, value)
        if not request.has_header("User-agent"):
            request.add_header("User-agent", f"runbook/{__version__}")
        return request


def _opener() -> urllib.request.OpenerDirector:
    import urllib.request

    class KeepRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # the 3xx is the response: a credential never follows it to another host

    return urllib.request.build_opener(KeepRedirects())
