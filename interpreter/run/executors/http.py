"""Running `http` blocks: each request sent, its status, headers and body journaled as output, and
checked against what the runbook expects (a status, JSON or text in the body; else below 400).

How values fill a request and credentials are masked: `http_request.py`; how it is sent, with a
deadline and Ctrl-C: `http_exchange.py`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ...infer.http import RequestError, expected_statuses, parse_request, variables_in
from ...policy.secrets import is_secret_name
from ...policy.values import substitute
from ..context import ExecutorContext, Output, Planned
from ..expect import matches
from ..session import CommandResult, Status
from .http_exchange import Exchange
from .http_request import Unfillable, fill_body, fill_header, fill_url, is_credential, mask_credentials

__all__ = ["DEFAULT_TIMEOUT", "HTTP", "HttpExecutor"]

DEFAULT_TIMEOUT = 60.0
"""Seconds a request waits for the server (to connect, or between two reads) when its block sets
no `timeout=`; with one, the whole exchange must end within it."""


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
                if is_credential(header):
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
            planned.append(
                Planned(
                    "http",
                    text,
                    expectations=asked,
                    detail=detail,
                    destructive=tuple(command.get("destructive", ())),
                )
            )
        return planned

    def starts_process(self, command: Planned) -> bool:
        return False

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
            url = fill_url(request.url, env)
            headers = [(name, fill_header(value, env)) for name, value in request.headers]
            kind = next((v.lower() for n, v in headers if n.lower() == "content-type"), "")
            body = fill_body(request.body, env, kind)
        except (RequestError, Unfillable) as problem:
            return CommandResult("errored", None, 0.0, f"cannot send this request: {problem}")
        mask_credentials(ctx.masker, url, headers)
        shown_url = ctx.masker.text(url)
        capture = command.detail.get("capture")
        hidden = bool(capture) and is_secret_name(str(capture))  # a token fetched is never shown
        exchange = Exchange(request.method, url, headers, body, limit or DEFAULT_TIMEOUT)
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
