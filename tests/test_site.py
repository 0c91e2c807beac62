"""`runbook site`: safe HTML from hostile Markdown, GitHub's anchors, findings by their lines,
git and run history, incremental rebuilds, and the command's errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import FIXTURES, ROOT, SEED, runbook_command

from interpreter.cli import main
from interpreter.infer.load import load
from interpreter.site import build_site

HOSTILE = FIXTURES / "site" / "hostile.md"
TODAY = dt.date(2026, 11, 28)


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])


def elements(path: Path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text("utf-8"))
    return parser


def build(paths: list[Path], out: Path, **options: Any) -> Any:
    return build_site([str(p) for p in paths], out, today=TODAY, shellcheck=False, **options)


def test_hostile_markdown_yields_no_active_content(tmp_path: Path) -> None:
    build([HOSTILE], tmp_path / "out")
    page = elements(tmp_path / "out" / "hostile.html")
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    # Only the site's own two scripts, by file; nothing inline, nothing the runbook wrote.
    assert [s.get("src") for s in scripts] == ["assets/search-index.js", "assets/site.js"]
    active = {"iframe", "object", "embed", "form", "base", "link", "style", "meta", "img", "button"}
    found = {tag for tag, attrs in page.tags if attrs.get("class") != "search"} & active
    assert found <= {"link", "meta"}  # the site's own stylesheet, head metadata and search form
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        for name in ("href", "src", "action", "data", "xlink:href"):
            value = attrs.get(name, "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
            assert "evil.example" not in value or (tag == "a"), (tag, attrs)
        if tag == "link":
            assert attrs["href"].startswith("assets/"), attrs
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            pytest.fail("a runbook's meta refresh survived")
    text = (tmp_path / "out" / "hostile.html").read_text("utf-8")
    assert "alert('block')" not in text and "<script>alert" not in text
    # The dangerous text is still shown, as text, where it was code.
    assert (
        "&lt;script&gt;alert(&#39;code&#39;)&lt;/script&gt;" in text or "&lt;script&gt;alert('code')" in text
    )


def test_headings_carry_the_anchors_github_gives_them(tmp_path: Path) -> None:
    build([SEED], tmp_path / "out")
    page = elements(tmp_path / "out" / "rollback-procedures.html")
    from interpreter.parse.anchors import unique_slugs

    anchors = unique_slugs(load(SEED).headings)
    assert anchors and set(anchors) <= page.ids
    assert "procedure-2-database-migration-rollback" in page.ids


def test_a_finding_is_shown_right_after_the_block_it_concerns(tmp_path: Path) -> None:
    rb = tmp_path / "rb.md"
    rb.write_text(
        textwrap.dedent(
            """\
            # Restart

            **Owner:** ops

            ### Procedure 1: Restart

            1. **Restart the worker**
               ```bash
               systemctl restart worker
               echo "$UNSET_THING"
               ```

            2. **Check**
               ```bash
               systemctl status worker
               ```
            """
        ),
        "utf-8",
    )
    build([rb], tmp_path / "out")
    page = (tmp_path / "out" / "rb.html").read_text("utf-8")
    html = page[page.index("<article") :]
    aside = html.rindex('<aside class="findings"', 0, html.index("$UNSET_THING is used but never set"))
    # Beside step 1's block (after it, before step 2), with the offending line highlighted.
    assert html.index("UNSET_THING") < aside < html.index("<strong>Check</strong>")
    assert html.index('<span class="hll">') < html.index("UNSET_THING") < aside


def test_git_gives_the_last_change_and_a_file_outside_git_has_none(tmp_path: Path) -> None:
    import git

    repo = git.Repo.init(tmp_path / "repo")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Ada Operator").set_value("user", "email", "ada@example.com")
    tracked = tmp_path / "repo" / "restart.md"
    shutil.copy(SEED, tracked)
    repo.index.add([str(tracked)])
    commit = repo.index.commit("Add the rollback runbook")
    loose = tmp_path / "loose" / "loose.md"
    loose.parent.mkdir()
    shutil.copy(SEED, loose)
    build([tracked, loose], tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    row_tracked, row_loose = index.split('<tr class="runbook-row">')[1:]
    assert "Ada Operator" in row_tracked and commit.hexsha[:7] in row_tracked
    assert "not in git" in row_loose and "Ada Operator" not in row_loose
    assert "2025-12-20 (overdue)" in row_tracked  # the seed's review date has passed


def test_each_procedure_links_its_last_run(tmp_path: Path) -> None:
    rb = tmp_path / "rb.md"
    rb.write_text(
        "# Echo\n\n### Procedure 1: Say hello\n\n1. **Say it**\n   ```bash\n   echo hello\n   ```\n"
    )
    ran = CliRunner().invoke(main, ["run", str(rb), "-p", "1", "--yes", "--runs-dir", str(tmp_path / "runs")])
    assert ran.exit_code == 0, ran.output
    [run_dir] = (tmp_path / "runs").iterdir()
    report = build([rb], tmp_path / "out", runs_dir=tmp_path / "runs")
    assert report.runs == 1
    page = (tmp_path / "out" / "rb.html").read_text("utf-8")
    assert f'href="runs/{run_dir.name}.html"' in page and "status-ok" in page
    run_page = (tmp_path / "out" / "runs" / f"{run_dir.name}.html").read_text("utf-8")
    assert "Say it" in run_page or "echo hello" in run_page
    assert 'href="../rb.html"' in run_page or "rb.md" in run_page


def test_runs_in_the_shared_store_show_on_the_site(tmp_path: Path, database: str) -> None:
    rb = tmp_path / "rb.md"
    rb.write_text(
        "# Echo\n\n### Procedure 1: Say hi\n\n1. **Say it**\n   ```bash\n   echo hi-from-the-store\n   ```\n"
    )
    # Outputs stay on the machine too (--runs-dir), beside the rows in the store.
    local = ["--runs-dir", str(tmp_path / "runs")]
    ran = CliRunner().invoke(main, ["run", str(rb), "-p", "1", "--yes", "--store", database, *local])
    assert ran.exit_code == 0, ran.output
    report = build([rb], tmp_path / "out", store=database)
    assert report.runs >= 1
    [run_page] = [p for p in (tmp_path / "out" / "runs").glob("*.html") if "Say hi" in p.read_text("utf-8")]
    assert "hi-from-the-store" in run_page.read_text("utf-8")  # the transcript, from the store's outputs


def test_a_rebuild_rewrites_only_what_depends_on_the_changed_runbook(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(SEED, source / "a.md")
    shutil.copy(ROOT / "runbooks" / "demo-rollback.md", source / "b.md")
    out = tmp_path / "out"
    first = build([source], out)
    assert {"a.html", "b.html", "index.html", "assets/site.js"} <= set(first.written)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}

    again = build([source], out)
    assert again.written == []  # nothing changed, nothing rewritten

    text = (source / "b.md").read_text("utf-8")
    (source / "b.md").write_text(
        text.replace("# Demo: roll back a bad release", "# Demo: roll back, renamed")
    )
    third = build([source], out)
    assert set(third.written) == {"b.html", "index.html", "assets/search-index.js"}
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    changed = {p.relative_to(out).as_posix() for p in before if before[p] != after.get(p)}
    assert changed == {"b.html", "index.html", "assets/search-index.js", ".runbook-site.json"}
    assert "roll back, renamed" in (out / "index.html").read_text("utf-8")

    # A page someone edited by hand is rebuilt; a runbook removed takes its page with it.
    (out / "a.html").write_text("tampered")
    (source / "b.md").unlink()
    fourth = build([source], out)
    assert "a.html" in fourth.written and fourth.removed == ["b.html"]
    assert not (out / "b.html").exists()


def test_the_command_builds_and_refuses_what_would_lose_something(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.md"
    bad.write_bytes("# Caf\xe9\n".encode("latin-1"))
    shutil.copy(SEED, tmp_path / "seed.md")
    (tmp_path / "runs" / "20261128-223536-3fa2c1").mkdir(parents=True)
    (tmp_path / "runs" / "20261128-223536-3fa2c1" / "journal.jsonl").write_text("not json\n{}\n")
    # Given relative paths, it names them as given: run from the folder, as a user would.
    built = subprocess.run(
        runbook_command(
            *("site", "seed.md", "latin1.md", "-o", "out", "--runs-dir", "runs", "--no-shellcheck", "--json")
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 3 and "latin1.md" in built.stderr and "damaged journal" in built.stderr
    assert set(json.loads(built.stdout)["unreadable"]) == {
        "latin1.md",
        # A journal is named where it is, whole: a folder of runs is found from anywhere.
        str(tmp_path / "runs" / "20261128-223536-3fa2c1" / "journal.jsonl"),
    }
    assert (tmp_path / "out" / "seed.html").is_file()

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    runner = CliRunner()
    refused = runner.invoke(main, ["site", str(tmp_path / "seed.md"), "-o", str(foreign)])
    assert refused.exit_code == 2 and "not empty" in refused.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]

    missing = runner.invoke(main, ["site", str(tmp_path / "nope.md"), "-o", str(tmp_path / "out2")])
    assert missing.exit_code == 2 and "nope.md" in missing.stderr
    store = runner.invoke(
        main,
        [
            "site",
            str(tmp_path / "seed.md"),
            "-o",
            str(tmp_path / "out"),
            "--store",
            "postgresql://u:pw@127.0.0.1:1/x",
        ],
    )
    assert store.exit_code == 2 and "cannot reach the run store postgresql://u:••••@" in store.stderr


def test_markdown_renders_as_github_shows_it_with_links_between_runbooks(tmp_path: Path) -> None:
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    (tmp_path / "ops" / "restore.md").write_text("# Restore\n\nSee [the rollback](../rollback.md#steps).\n")
    (tmp_path / "rollback.md").write_text(
        textwrap.dedent(
            """\
            # Rollback

            > [!CAUTION]
            > This drops the **orders** table.

            | Scenario | Action |
            |:--|--:|
            | bad deploy | roll back |

            - [x] backup taken
            - [ ] team told

            ![diagram](ops/diagram.png) and [restore](ops/restore.md), [outside](https://example.com/x.md).

            ## Steps
            """
        )
    )
    build([tmp_path / "rollback.md", tmp_path / "ops" / "restore.md"], tmp_path / "out")
    page = (tmp_path / "out" / "rollback.html").read_text("utf-8")
    assert '<blockquote class="markdown-alert markdown-alert-caution"' in page
    assert '<p class="markdown-alert-title">Caution</p>' in page and "[!CAUTION]" not in page
    assert '<th class="align-left">Scenario</th>' in page and '<td class="align-right">roll back</td>' in page
    assert page.count('type="checkbox"') == 2 and 'checked="checked"' in page
    assert 'href="ops/restore.html"' in page and 'href="https://example.com/x.md"' in page
    [image] = [attrs for tag, attrs in elements(tmp_path / "out" / "rollback.html").tags if tag == "img"]
    assert image["src"].startswith("media/") and (tmp_path / "out" / image["src"]).is_file()
    restore = (tmp_path / "out" / "ops" / "restore.html").read_text("utf-8")
    assert 'href="../rollback.html#steps"' in restore and 'href="../assets/site.css"' in restore


def test_pages_built_by_several_processes_are_the_pages_one_process_builds(tmp_path: Path) -> None:
    """Workers render shares of the runbooks; the site, the manifest and the report are the same
    as one process makes, in the same order (shellcheck on, a shared image, an unreadable file,
    a run, links between runbooks), and a rebuild by workers rewrites nothing."""
    source = tmp_path / "src"
    (source / "team").mkdir(parents=True)
    (source / "img").mkdir()
    (source / "img" / "dot.png").write_bytes(bytes.fromhex("89504e470d0a1a0a") + b"tiny")
    for n in range(4):
        shutil.copy(SEED, source / "team" / f"seed{n}.md")
    shutil.copy(HOSTILE, source / "hostile.md")
    (source / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    for name in ("a", "b"):
        (source / f"{name}.md").write_text(
            f"# {name}\n\n![dot](img/dot.png) [the seed](team/seed0.md)\n\n## Procedure 1: Go\n\n"
            '1. **Loop**\n   ```bash\n   for f in $(ls /srv); do echo "$f"; done\n   ```\n'
        )
    runs = source / "runs"
    ran = CliRunner().invoke(main, ["run", str(source / "a.md"), "-p", "1", "--yes", "--runs-dir", str(runs)])
    assert ran.exit_code == 0, ran.output

    def site(out: str, jobs: int) -> tuple[Any, dict[str, bytes]]:
        report = build_site(
            [str(source)], tmp_path / out, runs_dir=runs, today=TODAY, shellcheck=True, jobs=jobs
        )
        found = [p for p in (tmp_path / out).rglob("*") if p.is_file()]
        files = {p.relative_to(tmp_path / out).as_posix(): p.read_bytes() for p in found}
        return report.to_json(), files

    one, one_files = site("one", 1)
    many, many_files = site("many", 3)
    assert one_files == many_files
    assert {**one, "out_dir": ""} == {**many, "out_dir": ""}
    assert one["runs"] == 1 and list(one["unreadable"]) == [str(source / "latin1.md")]
    assert any(name.startswith("media/") for name in one["written"])
    assert b"code/shellcheck" in one_files["a.html"]
    again, again_files = site("many", 3)
    assert again["written"] == [] and again["removed"] == []
    assert sorted(again["unchanged"]) == sorted(one["written"] + one["unchanged"])
    assert again_files == many_files  # the image of an unchanged page is kept


def test_an_unchanged_page_keeps_its_image_and_a_new_image_renders_it_again(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    image = tmp_path / "img" / "dot.png"
    image.write_bytes(bytes.fromhex("89504e470d0a1a0a") + b"first")
    (tmp_path / "a.md").write_text("# A\n\n![dot](img/dot.png)\n")
    first = build([tmp_path / "a.md"], tmp_path / "out")
    [old_media] = [name for name in first.written if name.startswith("media/")]
    again = build([tmp_path / "a.md"], tmp_path / "out")
    assert again.written == [] and again.removed == [] and (tmp_path / "out" / old_media).is_file()
    image.write_bytes(bytes.fromhex("89504e470d0a1a0a") + b"second")
    third = build([tmp_path / "a.md"], tmp_path / "out")
    [new_media] = [name for name in third.written if name.startswith("media/")]
    assert "a.html" in third.written and third.removed == [old_media]
    assert new_media in (tmp_path / "out" / "a.html").read_text("utf-8")


def test_last_changes_of_many_runbooks_in_one_repository(tmp_path: Path) -> None:
    import git

    from interpreter.site.gitlog import last_changes

    repo = git.Repo.init(tmp_path)
    (tmp_path / "ops" / "db").mkdir(parents=True)
    names = ["a.md", "ops/b.md", "ops/db/c d é.md"]
    for name in names:
        (tmp_path / name).write_text(f"# {name}\n")
    repo.index.add(names)
    first = repo.index.commit(
        "Add runbooks\nwrapped onto a second line\n\nBody.",
        author=git.Actor("Ada Operator", "ada@example.com"),
        author_date="1795162500 +0100",  # git's own form: 08:15 UTC, 09:15 where Ada is
    )
    (tmp_path / "ops" / "b.md").write_text("# b, revised\n")
    repo.index.add(["ops/b.md"])
    second = repo.index.commit("Revise b", author=git.Actor("Bo", "bo@example.com"))
    (tmp_path / "a.md").write_text("# a, edited and not committed\n")
    (tmp_path / "new.md").write_text("# never committed\n")
    changes = last_changes(
        [tmp_path / "a.md", tmp_path / "ops" / "b.md", tmp_path / names[2], tmp_path / "new.md"]
    )
    a, b, c, new = changes.values()
    assert a is not None and (a.date, a.author, a.commit, a.summary, a.dirty) == (
        "2026-11-20 09:15 +0100",
        "Ada Operator",
        first.hexsha[:7],
        "Add runbooks",  # the first line, as GitPython's summary
        True,
    )
    assert b is not None and (b.commit, b.author, b.summary, b.dirty) == (
        second.hexsha[:7],
        "Bo",
        "Revise b",
        False,
    )
    assert c is not None and c.commit == first.hexsha[:7] and not c.dirty
    assert new is None
    assert last_changes([tmp_path.parent / "elsewhere.md"]) == {tmp_path.parent / "elsewhere.md": None}


def test_compiled_templates_are_kept_and_a_damaged_one_is_compiled_again(tmp_path: Path) -> None:
    env = {**os.environ, "RUNBOOK_CACHE_DIR": str(tmp_path / "cache")}

    def site(out: Path) -> str:
        done = subprocess.run(
            runbook_command("site", str(SEED), "-o", str(out), "--no-shellcheck"),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return (out / "rollback-procedures.html").read_text("utf-8")

    first = site(tmp_path / "first")
    kept = sorted((tmp_path / "cache" / "templates").iterdir())
    assert len(kept) >= 3  # the page, its cards and its findings at least
    for number, entry in enumerate(kept):
        entry.write_bytes(entry.read_bytes()[: 10 + number])  # cut short, at a different place each
    assert site(tmp_path / "second") == first
