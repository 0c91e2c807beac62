"""Property-based: Markdown made of runbook shapes and noise never breaks parse, graph or validate."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter import jsonschemas
from interpreter.errors import RunbookError
from interpreter.infer.load import load_text
from interpreter.plan.graph import graph_json
from interpreter.validate import validate_file

_ALPHABET = st.characters(
    codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"), include_characters="\t`*_[]<>{}$#|-:='\"\\"
)
_words = st.text(_ALPHABET, max_size=30)
_names = st.sampled_from(["API_TOKEN", "DB_PASSWORD", "HOST", "x", "RELEASE", "1BAD", ""])
_langs = st.sampled_from(
    ["bash", "sh", "shell", "console", "sql", "yaml", "", "zsh", "python", "~~", "bash {"]
)
_attrs = st.sampled_from(
    [
        "",
        " {id=backup}",
        " {timeout=300 confirm=typed}",
        " {capture=OUT}",
        " {id=",
        " {nope=1}",
        " {timeout=x}",
    ]
)
_commands = st.one_of(
    st.sampled_from(
        [
            "kubectl rollout undo deploy/api",
            "git checkout <stable-tag>",
            "rm -rf /path/to/data",
            'echo "$API_TOKEN"',
            "echo 'unclosed",
            "docker-compose logs -f api",
            "export RELEASE=$(git describe --tags)",
            "DROP DATABASE prod;",
            "# Option A: fast",
            "# Expected: ok",
            "$ curl -fsS localhost",
            'if [ -z "$X" ]; then',
            "cat <<EOF",
        ]
    ),
    _words,
)


@st.composite
def _fence(draw: Any) -> str:
    indent = draw(st.sampled_from(["", "   ", "     ", "\t"]))
    mark = draw(st.sampled_from(["```", "~~~", "````"]))
    body = draw(st.lists(_commands, max_size=5))
    closed = draw(st.booleans()) or draw(st.booleans())
    lines = [f"{indent}{mark}{draw(_langs)}{draw(_attrs)}", *(f"{indent}{b}" for b in body)]
    return "\n".join([*lines, f"{indent}{mark}"] if closed else lines)


_blocks = st.one_of(
    st.builds(lambda n, t: f"{'#' * n} {t}", st.integers(1, 7), _words),
    st.builds(lambda n, t: f"## Procedure {n}: {t}", st.integers(0, 12), _words),
    st.builds(lambda n, t: f"### Step {n}: {t}", st.integers(0, 12), _words),
    st.builds(
        lambda n, t, opt: f"{n}. **{t}**{opt}",
        st.integers(0, 20),
        _words,
        st.sampled_from(["", " (optional)"]),
    ),
    st.builds(lambda t: f"   - {t}", _words),
    st.builds(lambda t: f"- [ ] {t}", _words),
    st.builds(lambda t: f"**Option A: {t}**", _words),
    st.builds(lambda t: f"**Duration**: {t} minutes\n**Risk**: HIGH - {t}", _words),
    _fence(),
    st.builds(lambda a, b: f"| Severity | Response Time |\n|---|---|\n| {a} | {b} |", _words, _words),
    st.builds(lambda t: f"<details>\n<summary>{t}</summary>\n\n{t}\n</details>", _words),
    st.builds(
        lambda t: f"<!-- runbook: {t} -->",
        st.sampled_from(["{optional: true}", "{when: x", "{bad: 1}", "[", ""]),
    ),
    st.builds(
        lambda t: f"<!-- runbook-ignore {t} -->", st.sampled_from(["safety", "code/shell-syntax", "x"])
    ),
    st.builds(lambda n, v: f"${n} and ${{{n}}} and [{v}]", _names, _words),
    st.builds(lambda t: f"> [!CAUTION]\n> {t}", _words),
    _words,
)


@st.composite
def markdown(draw: Any) -> str:
    parts = []
    if draw(st.integers(0, 5)) == 0:
        keys = draw(
            st.lists(
                st.sampled_from(
                    [
                        "owner: team",
                        "review_by: 2020-01-01",
                        "review_by: soon",
                        "secrets: [API_TOKEN]",
                        "secrets: API_TOKEN",
                        "variables:\n  HOST: {prompt: Host, default: a}",
                        "variables: [",
                        "disable: [safety]",
                        "unknown: 1",
                        ": :",
                    ]
                ),
                max_size=4,
            )
        )
        parts.append("---\n" + "\n".join(keys) + ("\n---" if draw(st.booleans()) else ""))
    parts += draw(st.lists(_blocks, max_size=14))
    return draw(st.sampled_from(["\n", "\n\n", "\r\n"])).join(parts)


def _graph_of(text: str) -> dict[str, Any] | None:
    try:
        runbook = load_text(text, "prop.md")
    except RunbookError as error:
        assert "internal error" not in error.message
        return None  # the project's own error, reported plainly: allowed
    # graph_json raises only when the graph breaks its schema: a bug, never allowed here.
    return graph_json(runbook)


_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@_SETTINGS
@given(markdown())
def test_runbook_shapes_parse_to_a_schema_valid_graph(text: str) -> None:
    graph = _graph_of(text)
    if graph is not None:
        assert jsonschemas.errors("graph", graph) == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_to_a_schema_valid_graph(text: str) -> None:
    graph = _graph_of(text)
    if graph is not None:
        assert jsonschemas.errors("graph", graph) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(markdown().map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=300)))
def test_validate_reports_findings_and_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prop.md"
        path.write_bytes(data)
        result = validate_file(path, dt.date(2026, 11, 29), shellcheck=False)
    for finding in result.findings:
        assert finding.rule and finding.line >= 1
