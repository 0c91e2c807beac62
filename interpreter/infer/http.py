"""An `http` block: requests written as `METHOD URL`, `Header: value` lines, a blank line and a body.

    ```http {timeout=30}
    # Expected: 200
    POST https://deploy.example.com/v1/services/api/rollback
    Authorization: Bearer $DEPLOY_TOKEN
    Content-Type: application/json

    {"to": "$STABLE_TAG"}
    ```

The REST-client / IntelliJ `.http` shape: `#` or `//` lines before the request line (and among
the headers) are comments, `# Expected: 200` (or `2xx`, `200 or 204`, JSON, quoted text) among
them is an expectation, `###` starts another request of the same block. The body is sent as
written. `$VAR` and `${VAR}` are the run's variables; `\\$` is a dollar sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model.kinds import BlockKind
from ..model.runbook import CodeBlock, Command, Expectation, Placeholder
from ..parse.document import Fence
from ..parse.source import Finding, Span
from ..policy.risk import assess_http
from .placeholders import placeholders_in
from .shell import parse_expectation

__all__ = [
    "VARIABLE",
    "HttpRequest",
    "RequestError",
    "analyse_http",
    "expected_statuses",
    "http_destructive",
    "parse_request",
    "split_requests",
    "variables_in",
]

_METHOD = re.compile(r"[A-Z][A-Z-]*")
_HEADER = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s?(.*)$")
_COMMENT = re.compile(r"^\s*(?:#|//)")
_EXPECTED = re.compile(r"^\s*(?:#|//)\s*expected(?:\s+(?:status|response))?\s*:\s*(.+)$", re.I)
_SEPARATOR = re.compile(r"^###")
VARIABLE = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
"""`$NAME` or `${NAME}`, not after a backslash (`\\$NAME` is text)."""
_STATUS = re.compile(
    r"^(?:HTTP/[\d.]+\s+)?((?:[1-5]\d\d|[1-5]xx)(?:\s*(?:,|\bor\b|\|)\s*(?:[1-5]\d\d|[1-5]xx))*)\b"
)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One request as written (variables not yet filled in)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str
    """As written, or empty; sent as it is once variables are filled in."""
    head: int
    """How many of the text's lines come before the body (comments, request line, headers)."""


def split_requests(code: str) -> list[tuple[int, list[str]]]:
    """The block's requests: (index of its first line in the block, its lines), split at `###`."""
    parts: list[tuple[int, list[str]]] = [(0, [])]
    for index, line in enumerate(code.rstrip("\n").split("\n")):
        if _SEPARATOR.match(line):
            parts.append((index + 1, []))
        else:
            parts[-1][1].append(line)
    return [(start, lines) for start, lines in parts if any(line.strip() for line in lines)]


class RequestError(ValueError):
    """The text is not a request; `offset` is the line (from 0) that is wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_request(text: str) -> HttpRequest:
    """Read a request's text: its comment lines, request line, headers and body.

    Raises:
        RequestError: the text is not a request; the message says what is wrong, and where.
    """
    lines = text.split("\n")
    index = 0
    while index < len(lines) and (not lines[index].strip() or _COMMENT.match(lines[index])):
        index += 1
    if index == len(lines):
        raise RequestError("it has no request line (METHOD URL)", 0)
    words = lines[index].split()
    if len(words) == 1:
        words = ["GET", *words]  # a bare URL is a GET, as in .http files
    if len(words) == 3 and words[2].startswith("HTTP/"):
        words = words[:2]
    if len(words) != 2 or not _METHOD.fullmatch(words[0]):
        raise RequestError(f"{lines[index].strip()!r} is not a request line (METHOD URL)", index)
    method, url = words
    if not re.match(r"^(?:https?://|\$\{?[A-Za-z_])", url, re.I):
        raise RequestError(f"{url!r} is not an http:// or https:// URL", index)
    headers: list[tuple[str, str]] = []
    index += 1
    while index < len(lines) and lines[index].strip():
        line = lines[index]
        index += 1
        if _COMMENT.match(line):
            continue
        header = _HEADER.match(line.strip())
        if header is None:
            message = f"{line.strip()!r} is not a header (Name: value); a body comes after a blank line"
            raise RequestError(message, index - 1)
        headers.append((header.group(1), header.group(2).strip()))
    body = "\n".join(lines[index + 1 :]).strip("\n")
    return HttpRequest(method, url, tuple(headers), body, index)


def http_destructive(method: str, url: str) -> tuple[str, ...]:
    """Why a request destroys (empty when it does not): the risk policy's verdict."""
    return assess_http(method, url).reasons


def variables_in(text: str) -> list[str]:
    """`$NAME` and `${NAME}` in order of first use (`\\$NAME` is text)."""
    return list(dict.fromkeys(m.group(1) or m.group(2) for m in VARIABLE.finditer(text)))


def analyse_http(
    fence: Fence, kind: BlockKind, annotation: dict[str, Any], findings: list[Finding]
) -> CodeBlock:
    """The block's requests as commands, with expectations, placeholders and destructiveness."""
    path = fence.span.file
    commands: list[Command] = []
    uses: list[str] = []
    placeholders: list[Placeholder] = []
    status = annotation.get("expect_status")
    for start, lines in split_requests(fence.code):
        first = fence.first_code_line + start
        text = "\n".join(lines)
        try:
            request = parse_request(text)
        except RequestError as problem:
            findings.append(
                Finding.of(
                    "code/http-request",
                    path,
                    first + problem.offset,
                    f"this http block is not a request: {problem}",
                    "write `METHOD URL`, then `Name: value` header lines, a blank line and the body",
                )
            )
            continue
        expected: list[Expectation] = []
        comment: list[str] = []
        for offset, line in enumerate(lines[: request.head]):
            said = _EXPECTED.match(line)
            if said is not None:
                expected.append(_expectation(said.group(1).strip(), first + offset))
            elif _COMMENT.match(line):
                comment.append(re.sub(r"^\s*(?:#|//)\s?", "", line))
        if status is not None:
            expected.append(Expectation(str(status), True, fence.span.start))
        # What runs and is shown: the request without its comments; the body exactly as written.
        head = [line for line in lines[: request.head] if line.strip() and not _COMMENT.match(line)]
        shown = "\n".join(head + (["", *request.body.split("\n")] if request.body else []))
        where = Span(path, first, first + len(lines) - 1)
        reasons = http_destructive(request.method, request.url)
        commands.append(Command(shown, where, "\n".join(comment), reasons, False, tuple(expected)))
        uses += variables_in(shown)
        top = "\n".join([f"{request.method} {request.url}", *(f"{k}: {v}" for k, v in request.headers)])
        placeholders += placeholders_in(top, first)
    return CodeBlock(
        fence.lang,
        kind,
        fence.code,
        fence.span,
        tuple(commands),
        tuple(dict.fromkeys(uses)),
        (),
        tuple(placeholders),
        annotation=annotation,
        code_line=fence.first_code_line,
    )


def _expectation(text: str, line: int) -> Expectation:
    """A status (`200`, `2xx`, `200 or 204`) is checked against the response's status; JSON or
    quoted text against its body; anything else is the operator's to confirm."""
    if _STATUS.match(text):
        return Expectation(text, True, line)
    return parse_expectation(text, line)


def expected_statuses(text: str) -> list[str] | None:
    """`200 or 204` → ["200", "204"]; None when the expectation is not about the status."""
    match = _STATUS.match(text.strip())
    return re.findall(r"[1-5](?:\d\d|xx)", match.group(1)) if match else None
