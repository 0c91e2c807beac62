"""Sending one http request with urllib in a thread, so that the deadline and Ctrl-C stay the run's.

Redirects are not followed (a header with a token must not go to another host): a 3xx is the
response. urllib (and ssl) load only when a request is sent.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ... import __version__
from ...policy.masking import Masker
from ..context import Output
from ..session import Status
from .http_request import is_credential

if TYPE_CHECKING:
    import urllib.request

__all__ = ["Exchange", "Head"]

_KEPT = 1 << 20  # body bytes kept in memory for the expectations and capture=

Head = tuple[int, str, list[tuple[str, str]]]
"""A response's status code, reason and headers."""


class Exchange:
    """One request and its response, read in a thread so that the deadline and Ctrl-C are the run's."""

    def __init__(
        self, method: str, url: str, headers: list[tuple[str, str]], body: str, timeout: float
    ) -> None:
        self.method, self.url, self.headers, self.body, self.timeout = method, url, headers, body, timeout
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=64)
        self.stopped = threading.Event()

    def run(
        self, masker: Masker, out: Output, hidden: bool, deadline: float | None
    ) -> tuple[Status, Head | None, bytes, str]:
        """The status, the response's (code, reason, headers) if one came, its body kept, and why
        it did not end well."""
        threading.Thread(target=self._talk, daemon=True).start()
        head: Head | None = None
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
                        if is_credential(name) or name.lower() == "set-cookie":
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
