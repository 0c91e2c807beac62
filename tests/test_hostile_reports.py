"""Reports that cannot be broken out of (issue 17, finding 18).

The Markdown post-mortem is pasted into wikis and pull requests that render it: a run of
backticks in a command's output closed the transcript's fence, and raw HTML from a note, a
title or the front matter passed through. The site's run pages showed the absolute runbook path
and `user@host`, and a runbook named `javascript:….md` made a `javascript:` link. Each is
rendered here the way a reader renders it (markdown-it for Markdown, the HTML for the site).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner, Result
from markdown_it import MarkdownIt
from support.hostile import RUN, event, finished_step, output_name, started, write_journal

from interpreter.cli import main

HOSTILE_OUTPUT = b"before\n```\n   ````\n<script>alert(1)</script>\nafter\n"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _hostile_run(runs: Path, runbook: Path) -> None:
    first = started(path=str(runbook))
    first["data"]["procedure"]["title"] = "Roll <img src=x onerror=alert(1)> back"
    name = output_name(HOSTILE_OUTPUT)
    directory = write_journal(
        runs,
        RUN,
        [
            first,
            event(2, "note.added", {"text": "<script>alert('note')</script> and </details>"}),
            {**finished_step(3, [name]), "step": "1.1`"},
            event(4, "run.finished", {"status": "ok", "exit_code": 0}),
        ],
    )
    (directory / "outputs").mkdir()
    (directory / name).write_bytes(HOSTILE_OUTPUT)


def test_the_markdown_post_mortem_keeps_output_in_its_fence_and_html_as_text(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    _hostile_run(runs, tmp_path / "rb.md")
    result = cli("postmortem", RUN, "--runs-dir", str(runs))
    assert result.exit_code == 0, result.stderr

    tokens = MarkdownIt("commonmark", {"html": True}).parse(result.output)
    fences = [t for t in tokens if t.type == "fence" and t.info == "text"]
    assert [t.content for t in fences] == [HOSTILE_OUTPUT.decode().rstrip("\n") + "\n"]  # whole, once
    rendered = MarkdownIt("commonmark", {"html": True}).render(result.output)
    outside = re.sub(r"<pre><code.*?</code></pre>", "", rendered, flags=re.S)
    assert "<script" not in outside and "<img" not in outside and "</details>" not in outside
    assert "&lt;script&gt;alert('note')" in rendered  # shown as text
    assert "Roll &lt;img" in rendered


def test_site_run_pages_show_relative_paths_and_operators_without_hosts(tmp_path: Path) -> None:
    docs, runs = tmp_path / "docs", tmp_path / "runs"
    docs.mkdir()
    (docs / "rb.md").write_text("# T\n\n## Procedure 1: Do it\n\n1. **S**\n\n   ```bash\n   true\n   ```\n")
    _hostile_run(runs, docs / "rb.md")  # the journal holds the absolute path, and mallory@evil

    built = cli("site", str(docs), "-o", str(tmp_path / "out"), "--runs-dir", str(runs))

    assert built.exit_code == 0, built.stderr
    pages = {
        p.relative_to(tmp_path / "out").as_posix(): p.read_text() for p in (tmp_path / "out").rglob("*.html")
    }
    assert f"runs/{RUN}.html" in pages
    for name, html in pages.items():
        assert str(tmp_path) not in html, name
        assert "@evil" not in html and ">evil<" not in html, name
    assert "mallory" in pages[f"runs/{RUN}.html"]  # who ran it is the point of a timeline
    assert "rb.md" in pages[f"runs/{RUN}.html"]


def test_a_runbook_named_like_a_scheme_links_to_its_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "javascript:alert(1).md").write_text("# J\n\nText.\n")
    (docs / "other.md").write_text("# O\n\nSee [it](javascript:alert(1).md).\n")

    built = cli("site", str(docs), "-o", str(tmp_path / "out"))

    assert built.exit_code == 0, built.stderr
    out = tmp_path / "out"
    hrefs = re.findall(r'href="([^"]*)"', (out / "index.html").read_text() + (out / "other.html").read_text())
    search = (out / "assets" / "search-index.js").read_text()
    urls = [e["url"] for e in json.loads(search.split("=", 1)[1].rstrip().rstrip(";"))]
    for target in hrefs + urls:
        assert not re.match(r"\s*javascript:", target, re.I), target
    assert "javascript%3Aalert%281%29.html" in hrefs  # the page, percent-encoded
    assert (out / "javascript:alert(1).html").is_file()
