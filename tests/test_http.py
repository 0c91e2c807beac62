"""`http` blocks end to end: `runbook run` against a server this test starts on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.fake_context import Collected, FakeContext
from support.paths import runbook_command

from interpreter.cli import main
from interpreter.infer.http import expected_statuses, http_destructive
from interpreter.infer.load import load_text
from interpreter.journal.files import read_events
from interpreter.plan.graph import graph_json
from interpreter.run.executors import executor_for
from interpreter.run.session import CommandResult, ShellSession

TOKEN = "tok-9f8e7d6c5b4a-SECRET"
CREDS = "dXNlcjpodW50ZXIyLXBhc3M="  # not named like a secret: sent in an Authorization header


@dataclass
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    url: str
    seen: list[Seen] = field(default_factory=list)
    health: int = 200


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.seen.append(
                Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            auth = self.headers.get("Authorization", "")
            if self.path.startswith("/v1/deploys/rollback"):
                # The server echoes the credential: the run must mask it wherever it writes.
                self._send(200, {"status": "rolled back", "echo": auth}, {"X-Echo": auth})
            elif self.path == "/health":
                self._send(state.health, {"healthy": state.health == 200})
            elif self.path.startswith("/v1/cache/items/"):
                self._send(204, None)
            elif self.path == "/slow":
                time.sleep(3)
                with contextlib.suppress(OSError):  # the client gave up long ago
                    self._send(200, {"late": True})
            elif self.path == "/moved":
                self._send(302, None, {"Location": "http://example.invalid/elsewhere"})
            else:
                self._send(404, {"error": "no such thing"})

        def _send(self, code: int, data: Any, headers: dict[str, str] | None = None) -> None:
            payload = b"" if data is None else json.dumps(data).encode()
            self.send_response(code)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if data is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_PUT = _answer

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


RUNBOOK = """
# API rollback

## Procedure 1: Roll back through the API

1. **Roll back the deploy**
   ```http
   # Expected: 200
   # Expected: {"status": "rolled back"}
   POST $API_URL/v1/deploys/rollback?service=${SERVICE}
   Authorization: Bearer $DEPLOY_TOKEN
   Content-Type: application/json

   {"reason": "$REASON", "service": "${SERVICE}"}
   ```
2. **Check the health**
   ```http {expect_status=200}
   GET $API_URL/health
   Authorization: Basic $CREDS
   ```
3. **Forget the cached release**
   ```http
   DELETE $API_URL/v1/cache/items/${SERVICE}
   Authorization: Bearer $DEPLOY_TOKEN
   ```
"""


def _run(tmp: Path, server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp / "rb.md").write_text(textwrap.dedent(RUNBOOK).lstrip(), "utf-8")
    env = {
        **os.environ,
        "API_URL": server.url,
        "DEPLOY_TOKEN": TOKEN,
        "NO_PROXY": "127.0.0.1,localhost",
        "NO_COLOR": "1",
    }
    command = runbook_command("run", "rb.md", "-p", "1", "--runs-dir", "runs", *args)
    command += ["--var", "SERVICE=api v2/blue", "--var", 'REASON=bad "release" \\ rolled back']
    command += ["--var", f"CREDS={CREDS}"]
    return subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, timeout=120)


def _journal(tmp: Path) -> list[dict[str, Any]]:
    [folder] = list((tmp / "runs").iterdir())
    return read_events(folder / "journal.jsonl")[0]


def _written(tmp: Path) -> bytes:
    """Everything the run wrote: the journal and every output file."""
    return b"".join(path.read_bytes() for path in sorted((tmp / "runs").rglob("*")) if path.is_file())


def test_an_http_step_sends_exactly_the_request_written(tmp_path: Path, server: Server) -> None:
    ran = _run(tmp_path, server, "--yes", "--allow-destructive")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    post, get, delete = server.seen
    assert (post.method, post.path) == ("POST", "/v1/deploys/rollback?service=api%20v2%2Fblue")
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["content-type"] == "application/json"
    # A value fills a JSON string as JSON text: it cannot close the string or add a field.
    assert json.loads(post.body) == {"reason": 'bad "release" \\ rolled back', "service": "api v2/blue"}
    assert (get.method, get.path, get.body) == ("GET", "/health", b"")
    assert get.headers["authorization"] == f"Basic {CREDS}"
    assert (delete.method, delete.path) == ("DELETE", "/v1/cache/items/api%20v2%2Fblue")
    assert get.headers["user-agent"].startswith("runbook/")
    events = _journal(tmp_path)
    checks = [
        (e["step"], e["data"]["text"], e["data"]["result"])
        for e in events
        if e["type"] == "expectation.checked"
    ]
    assert checks == [
        ("1.1", "200", "passed"),
        ("1.1", '{"status": "rolled back"}', "passed"),
        ("1.2", "200", "passed"),
    ]
    [finished] = [e["data"] for e in events if e["type"] == "step.finished" and e["step"] == "1.1"]
    [command] = finished["commands"]
    assert command["http"]["status"] == 200 and command["http"]["method"] == "POST"
    output = (tmp_path / "runs" / events[0]["run"] / command["output"]["file"]).read_bytes()
    assert output.startswith(b"HTTP 200 OK\n") and b'"status": "rolled back"' in output  # journaled as output
    [confirmed] = [e for e in events if e["type"] == "step.confirmed"]
    assert confirmed["step"] == "1.3" and confirmed["data"]["by"] == "allow-destructive"


def test_secrets_in_headers_never_reach_the_journal_outputs_or_screen(tmp_path: Path, server: Server) -> None:
    ran = _run(tmp_path, server, "--yes", "--allow-destructive")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"  # sent, and echoed back
    written = _written(tmp_path)
    screen = ran.stdout + ran.stderr
    for secret in (TOKEN, CREDS):
        assert secret.encode() not in written
        assert secret not in screen
    # The server's echo of the credential is shown and journaled, masked.
    assert "X-Echo: ••••" in screen and "X-Echo: ••••".encode() in written
    assert '"echo": "••••"' in screen
    started = _journal(tmp_path)[0]["data"]
    assert started["inputs"]["CREDS"] == "••••"  # sent as a credential: masked although not so named


def test_an_unexpected_status_fails_the_step_and_stops_the_run(tmp_path: Path, server: Server) -> None:
    server.health = 503
    ran = _run(tmp_path, server, "--yes", "--allow-destructive")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert [s.method for s in server.seen] == ["POST", "GET"]  # nothing after the failed step
    events = _journal(tmp_path)
    [failed] = [e["data"] for e in events if e["type"] == "expectation.checked" and e["step"] == "1.2"]
    assert (failed["result"], failed["actual"]) == ("failed", "503 Service Unavailable")
    finished = [e["data"] for e in events if e["type"] == "step.finished" and e["step"] == "1.2"][-1]
    assert finished["status"] == "failed" and "expected 200" in finished["commands"][0]["error"]


def test_a_delete_needs_the_typed_word_even_under_yes(tmp_path: Path, server: Server) -> None:
    ran = _run(tmp_path, server, "--yes")
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "unanswered question 1.3:confirm" in ran.stderr
    assert [s.method for s in server.seen] == ["POST", "GET"]  # the DELETE was never sent


def test_the_graph_reads_an_http_block() -> None:
    runbook = load_text(textwrap.dedent(RUNBOOK).lstrip(), "rb.md")
    assert [f for f in runbook.findings if f.severity == "error"] == []
    graph = graph_json(runbook)  # checked against schemas/graph.json
    nodes = {n["id"]: n for n in graph["procedures"][0]["nodes"]}
    [block] = nodes["1.1"]["blocks"]
    assert block["kind"] == "http"
    [command] = block["commands"]
    assert command["text"].split("\n")[0] == "POST $API_URL/v1/deploys/rollback?service=${SERVICE}"
    assert [e["text"] for e in command["expectations"]] == ["200", '{"status": "rolled back"}']
    assert [u["name"] for u in nodes["1.1"]["uses"]] == ["API_URL", "SERVICE", "DEPLOY_TOKEN", "REASON"]
    assert not nodes["1.1"]["flags"]["destructive"] and not nodes["1.2"]["flags"]["destructive"]
    assert nodes["1.3"]["flags"]["destructive"] and nodes["1.3"]["flags"]["confirm_word"] == "DELETE"
    assert nodes["1.2"]["blocks"][0]["commands"][0]["expectations"][0]["text"] == "200"


# -- the executor alone, with a fake context ---------------------------------------------------


def _send(
    server: Server, tmp: Path, code: str, limit: float | None = None, info: str = "", **env: str
) -> tuple[CommandResult, FakeContext, Collected]:
    """Plan and run one http block through the executor, with a fake context."""
    text = f"## Procedure 1: P\n\n1. **Call**\n   ```http {info}\n{textwrap.indent(code, '   ')}\n   ```\n"
    runbook = load_text(text, "rb.md")
    assert [f.message for f in runbook.findings if f.severity == "error"] == []
    [block] = graph_json(runbook)["procedures"][0]["nodes"][0]["blocks"]
    http = executor_for("http")
    session = ShellSession(env={"API": server.url, **env}, cwd=str(tmp))
    fake = FakeContext(session)
    for name in http.secret_variables(block):
        fake.masker.add(session.env.get(name, ""))
    [planned] = http.plan(block, {}, {})
    out = Collected(fake.masker)
    try:
        return http.run(fake, {"id": "1.1"}, planned, out, limit), fake, out
    finally:
        session.close()


def test_a_value_with_a_line_break_never_reaches_a_header(tmp_path: Path, server: Server) -> None:
    result, _, _ = _send(server, tmp_path, "GET $API/health\nX-Reason: $WHY", WHY="ok\r\nX-Admin: yes")
    assert result.status == "errored" and "$WHY holds a line break" in result.error
    assert server.seen == []


def test_a_base_url_must_be_a_url_and_a_host_a_host(tmp_path: Path, server: Server) -> None:
    result, _, _ = _send(server, tmp_path, "GET $BASE/health", BASE="file:///etc/passwd")
    assert result.status == "errored" and "$BASE begins the URL" in result.error
    result, _, _ = _send(server, tmp_path, "GET http://$HOST/health", HOST="evil.example/x?")
    assert result.status == "errored" and "$HOST is in the URL's host" in result.error
    assert server.seen == []


def test_a_redirect_is_the_response_and_is_not_followed(tmp_path: Path, server: Server) -> None:
    call = "GET $API/moved\nAuthorization: Bearer $API_TOKEN"
    result, _, out = _send(server, tmp_path, call, API_TOKEN="t0ken-value")
    assert result.status == "ok" and result.details["http"]["status"] == 302
    assert [s.path for s in server.seen] == ["/moved"]  # nothing went to the Location
    assert b"Location: http://example.invalid/elsewhere" in out.recorded


def test_the_timeout_is_honoured(tmp_path: Path, server: Server) -> None:
    began = time.monotonic()
    result, _, _ = _send(server, tmp_path, "GET $API/slow", limit=0.5)
    assert result.status == "timeout" and time.monotonic() - began < 2.5


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path, server: Server) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result, _, _ = _send(server, tmp_path, f"GET http://127.0.0.1:{port}/health")
    assert result.status == "errored" and result.error.startswith("cannot reach 127.0.0.1:")


def test_a_literal_credential_is_masked_and_capture_takes_the_body(tmp_path: Path, server: Server) -> None:
    call = "GET $API/v1/deploys/rollback\nAuthorization: Bearer literal-credential-42"
    result, fake, out = _send(server, tmp_path, call, info="{capture=ROLLBACK}")
    assert server.seen[0].headers["authorization"] == "Bearer literal-credential-42"
    assert result.status == "ok" and b"literal-credential-42" not in out.recorded
    assert '"echo": "••••"'.encode() in out.recorded  # the server's echo, masked
    assert json.loads(fake.session.env["ROLLBACK"])["status"] == "rolled back"


# -- reading the fence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "destroys"),
    [
        ("GET", "https://api.example.com/v1/items", False),
        ("HEAD", "https://api.example.com/v1/items/drop", False),
        ("POST", "https://api.example.com/v1/deploys", False),
        ("PUT", "https://api.example.com/v1/items/7", False),
        ("DELETE", "https://api.example.com/v1/items/7", True),
        ("POST", "https://api.example.com/v1/cache/purge", True),
        ("PATCH", "https://api.example.com/v1/tables/orders/truncate?now=1", True),
        ("PURGE", "https://cdn.example.com/", True),  # a method whose effect is unknown
    ],
)
def test_which_requests_destroy(method: str, url: str, destroys: bool) -> None:
    assert bool(http_destructive(method, url)) is destroys


def test_a_block_of_several_requests_and_what_each_expects() -> None:
    code = """\
# Expected: 200 or 204
GET https://api.example.com/health

###
// Expected: 2xx
POST https://api.example.com/v1/jobs HTTP/1.1
Content-Type: application/yaml
# Expected: {"queued": true}

# a YAML body keeps its comments
name: flush
"""
    runbook = load_text(
        f"## Procedure 1: P\n\n1. **Call**\n   ```http\n{textwrap.indent(code, '   ')}   ```\n", "rb.md"
    )
    [block] = graph_json(runbook)["procedures"][0]["nodes"][0]["blocks"]
    first, second = block["commands"]
    assert first["text"] == "GET https://api.example.com/health"
    assert (
        second["text"]
        == "POST https://api.example.com/v1/jobs HTTP/1.1\nContent-Type: application/yaml\n\n# a YAML body keeps its comments\nname: flush"
    )
    assert [e["text"] for e in first["expectations"]] == ["200 or 204"]
    assert [(e["text"], e["literal"]) for e in second["expectations"]] == [
        ("2xx", True),
        ('{"queued": true}', True),
    ]
    assert expected_statuses("200 or 204") == ["200", "204"] and expected_statuses(
        "HTTP/1.1 201 Created"
    ) == ["201"]
    assert expected_statuses('{"queued": true}') is None


def test_a_request_that_cannot_be_read_is_an_error_at_its_line() -> None:
    runbook = load_text(
        "## Procedure 1: P\n\n1. **Call**\n   ```http\n   GET https://x.example\n   Accept json\n   ```\n",
        "rb.md",
    )
    [finding] = [f for f in runbook.findings if f.rule == "code/http-request"]
    assert (
        finding.severity == "error"
        and finding.line == 6
        and "'Accept json' is not a header" in finding.message
    )


def test_the_dry_run_shows_each_request_whole(tmp_path: Path) -> None:
    (tmp_path / "rb.md").write_text(textwrap.dedent(RUNBOOK).lstrip(), "utf-8")
    planned = CliRunner().invoke(main, ["run", str(tmp_path / "rb.md"), "-p", "1", "--dry-run"])
    assert planned.exit_code == 0, planned.output
    assert (
        "      $ DELETE $API_URL/v1/cache/items/${SERVICE} (destructive)\n"
        "        Authorization: Bearer $DEPLOY_TOKEN\n" in planned.output
    )
    assert "asks 1.3:confirm — type 'DELETE' (destructive; after r, before every attempt)" in planned.output
