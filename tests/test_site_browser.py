"""The built site in headless Chromium: index, graph, search, copy, phone width, scripts off, and a
hostile runbook that runs no script; no console error and no request leaving the site folder."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import FIXTURES, ROOT

from interpreter.cli import main

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not os.access(CHROMIUM, os.X_OK):
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: run scripts/install-browser", pytrace=False)
    pytest.skip("chromium is not installed (scripts/install-browser installs it)", allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's runbooks, the hostile fixture and one real run, served on 127.0.0.1."""
    work = tmp_path_factory.mktemp("site")
    shutil.copytree(ROOT / "runbooks", work / "runbooks")
    shutil.copy(FIXTURES / "site" / "hostile.md", work / "runbooks" / "hostile.md")
    (work / "runbooks" / "hello.md").write_text(
        "# Hello\n\n### Procedure 1: Say hello\n\n1. **Say it**\n   ```bash\n   echo hello\n   ```\n"
    )
    hello = str(work / "runbooks" / "hello.md")
    ran = CliRunner().invoke(main, ["run", hello, "-p", "1", "--yes", "--runs-dir", str(work / "runs")])
    assert ran.exit_code == 0, ran.output
    # Built from the repository's root with relative paths, as CI builds it: the pages show them.
    build = (
        "import datetime as dt\nfrom pathlib import Path\nfrom interpreter.site import build_site\n"
        "build_site(['runbooks'], Path('out'), runs_dir=Path('runs'), today=dt.date(2026, 11, 28), "
        "shellcheck=False)\n"
    )
    subprocess.run([sys.executable, "-c", build], cwd=work, check=True)
    handler = functools.partial(_Quiet, directory=str(work / "out"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors, page errors, dialogs and outside requests are recorded."""

    def __init__(self, browser: Any, base: str, **context: Any) -> None:
        self.base = base
        self.context = browser.new_context(**context)
        self.problems: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(5000)
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.problems.append(f"request left the site: {route.request.url}")
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a script ran: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, site: str) -> Iterator[Watched]:
    view = Watched(browser, site, permissions=["clipboard-read", "clipboard-write"])
    yield view
    problems = view.problems
    view.close()
    assert problems == []


def test_the_index_lists_every_runbook(watched: Watched) -> None:
    page = watched.open("index.html")
    titles = page.locator(".runbook-row td:first-child a").all_inner_texts()
    assert {"Rollback Procedures", "Demo: roll back a bad release", "Hello"} <= set(titles)
    assert len(titles) == 4
    row = page.locator(".runbook-row", has_text="Rollback Procedures")
    assert "2025-12-20 (overdue)" in row.inner_text() and "Engineering Team" in row.inner_text()


def test_the_rollback_page_draws_procedure_2(watched: Watched) -> None:
    page = watched.open("rollback-procedures.html")
    card = page.locator("#procedure-2-database-migration-rollback + .procedure-card")
    graph = card.locator("svg.step-graph")
    assert graph.is_visible()
    ids = graph.locator("g.node text.id").all_text_contents()
    assert ids == ["2.prerequisites", "2.1", "2.2", "2.3", "2.3.a", "2.3.b", "2.4"]
    assert graph.locator("g.node.destructive text.id").all_text_contents() == ["2.3.b"]
    assert graph.locator("g.node.optional text.id").all_text_contents() == ["2.2"]
    assert graph.locator("g.node-choice text.id").all_text_contents() == ["2.3"]
    assert "15-30 minutes" in card.inner_text() and "high" in card.inner_text()


def test_search_for_alembic_finds_procedure_2(watched: Watched) -> None:
    page = watched.open("index.html")
    page.fill(".site-header input[type=search]", "alembic")
    first = page.locator(".search-results li a").first
    assert first.inner_text() == "Procedure 2: Database Migration Rollback"
    first.click()
    page.wait_for_url("**/rollback-procedures.html#procedure-2-database-migration-rollback")


def test_a_copy_button_yields_the_run_command(watched: Watched) -> None:
    page = watched.open("rollback-procedures.html")
    card = page.locator("#procedure-2-database-migration-rollback + .procedure-card")
    card.locator(".run-command button.copy").click()
    page.wait_for_function("document.querySelector('.run-command button.copy') !== null")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "runbook run runbooks/rollback-procedures.md --procedure 2"
    # Every code block has its button.
    assert page.locator("main pre").count() == page.locator("main button.copy").count() > 10


def test_a_procedure_links_its_last_run(watched: Watched) -> None:
    page = watched.open("hello.html")
    page.locator(".procedure-card a.last-run").click()
    page.wait_for_url("**/runs/*.html")
    # The run's page is its post-mortem, with the run drawn on a time axis.
    assert page.title().startswith("Post-mortem: ")
    assert "Say hello" in page.inner_text("body") and "ok" in page.inner_text("body")
    assert page.locator("#run-timeline svg rect.bar-ok").count() >= 1


def test_the_hostile_runbook_runs_no_script(watched: Watched) -> None:
    page = watched.open("hostile.html")
    # Give every trigger its chance: load and error handlers, hover, click, toggle.
    page.hover("text=mallory")
    page.click("text=A div with a handler")
    page.click("summary >> text=more")
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert "Hostile" in page.title()
    for path in ("index.html", "search.html?q=alert"):
        watched.open(path).wait_for_timeout(200)


def test_phone_width_and_scripts_off(browser: Any, site: str) -> None:
    phone = Watched(browser, site, viewport={"width": 375, "height": 800}, java_script_enabled=False)
    try:
        for path in ("index.html", "rollback-procedures.html"):
            page = phone.open(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        # Without scripts the page still reads: the graph is drawn, the command is there.
        card = page.locator("#procedure-2-database-migration-rollback + .procedure-card")
        assert card.locator("svg.step-graph").is_visible()
        assert "runbook run runbooks/rollback-procedures.md --procedure 2" in card.inner_text()
        assert page.locator("button.copy").count() == 0
    finally:
        problems = phone.problems
        phone.close()
    assert problems == []


def test_an_svg_image_shows_and_runs_no_script_even_opened_alone(browser: Any, tmp_path: Path) -> None:
    """Issue 17: an SVG (or an .html "image") was copied as a file, and opening it ran its script.
    Now an SVG is shown through a data: URL in an <img> (the CSP lets those in), and no file of
    it is written; an HTML file named as an image is not published at all."""
    docs = tmp_path / "docs"
    docs.mkdir()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="alert(1)">'
        '<script>alert(2)</script><rect width="40" height="20" fill="red"/></svg>'
    )
    (docs / "diagram.svg").write_text(svg)
    (docs / "page.png").write_text("<html><body onload='alert(3)'><script>alert(4)</script></body></html>")
    (docs / "rb.md").write_text("# Pictures\n\n![diagram](diagram.svg)\n\n![page](page.png)\n")
    CliRunner().invoke(main, ["site", str(docs), "-o", str(tmp_path / "out")])
    assert not [p for p in (tmp_path / "out").rglob("*") if p.suffix in (".svg", ".png")]
    handler = functools.partial(_Quiet, directory=str(tmp_path / "out"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    view = Watched(browser, f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        page = view.open("rb.html")
        page.wait_for_timeout(300)
        image = page.locator("img[alt=diagram]")
        assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
        assert page.evaluate("document.querySelector('img[alt=diagram]').naturalWidth") == 40
        # A link to it from the page (a renderer's navigation) is refused by the browser; a data:
        # page opened by hand runs in an origin of its own, never the site's.
        page.evaluate("location.href = document.querySelector('img[alt=diagram]').src")
        page.wait_for_timeout(300)
        assert page.url.endswith("/rb.html")
    finally:
        problems = [p for p in view.problems if "Not allowed to navigate" not in p]
        view.close()
        server.shutdown()
        server.server_close()
    assert problems == []
