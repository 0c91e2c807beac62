"""Nothing outside its folder (issue 17, findings 1-5 and 11): paths built from data are refused.

Each test first builds what the review used to break out (a store row, a journal, a runbook, a
planted file), then shows the file outside is neither written, read, published nor deleted, and
that the refusal is one line naming the value.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support.hostile import RUN, finished_step, insert_rows, output_name, started, write_journal
from support.services import empty_database  # noqa: F401 (a fixture)

from interpreter.cli import main
from interpreter.policy.paths import check_output_name, check_run_id, confined, read_regular, shown


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_line_error(result: Result) -> str:
    """The error a command ended with: one line, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("runbook:")]
    assert lines, result.stderr
    return lines[0]


# -- the policy itself -------------------------------------------------------------------------


def test_run_ids_and_output_names_have_one_form_and_the_refusal_names_the_value() -> None:
    assert check_run_id(RUN, "store") == RUN
    for bad in ("../../../../tmp/x", "/etc", "20261129-101010-abcdef/..", "", "2026\n", None):
        with pytest.raises(Exception, match="is not a run id"):
            check_run_id(bad, "store")
    assert check_output_name(output_name(b"x"), "run") == output_name(b"x")
    for bad in ("/home/u/.bashrc", "outputs/../../x.log", "outputs/x.log", "outputs/" + "0" * 64 + ".log/.."):
        with pytest.raises(Exception, match="refused"):
            check_output_name(bad, "run")
    # A secret a hostile value carries is not repeated by the message that refuses it.
    assert "ghp_" not in shown("../ghp_" + "A" * 36) and "••••" in shown("../ghp_" + "A" * 36)


def test_confined_resolves_symlinks_before_it_decides(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "secret").write_text("s")
    (tmp_path / "site" / "link").symlink_to(tmp_path / "secret")
    assert confined(tmp_path / "site", "a/b.png", "image") == (tmp_path / "site" / "a" / "b.png").resolve()
    for escape in ("../secret", "/etc/passwd", "link"):
        with pytest.raises(Exception, match="outside"):
            confined(tmp_path / "site", escape, "image")


# -- 1. runs export writes only inside --to -------------------------------------------------------


def test_export_refuses_a_store_row_whose_run_id_or_output_name_is_a_path(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    target, victim = tmp_path / "export", tmp_path / "victim"
    escape = os.path.relpath(victim, target) + "/x"  # ../victim/x, as the review's ../../../../tmp/x
    insert_rows(empty_database, escape, [started(run=escape)])
    home = tmp_path / "home" / ".bashrc"
    data = b"echo owned\n"
    bad_output = [started(), finished_step(2, [str(home)])]
    insert_rows(
        empty_database,
        "20261129-101011-abcdef",
        [{**e, "run": "20261129-101011-abcdef"} for e in bad_output],
        {str(home): data},
    )
    good = "20261129-101012-abcdef"
    insert_rows(
        empty_database,
        good,
        [started(run=good), finished_step(2, [output_name(data)], run=good)],
        {output_name(data): data},
    )

    result = cli("runs", "export", "--store", empty_database, "--to", str(target))

    assert result.exit_code == 3
    assert not victim.exists() and not home.exists()
    assert [p.name for p in target.iterdir()] == [good]  # the well-formed run is exported
    assert (target / good / output_name(data)).read_bytes() == data
    assert "'../victim/x' is not a run id" in result.stderr and "refused" in result.stderr
    assert f"{home}" in result.stderr and "does not match" in result.stderr
    assert "Traceback" not in result.output


# -- 3. import, post-mortem and the site read no file a journal names outside its run ----------


def _run_with_planted_output(runs: Path, secret: Path, runbook: Path) -> tuple[str, Path]:
    """A run whose journal names an output that is a symlink to a file outside (an ssh key)."""
    data = b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
    secret.write_bytes(data)
    name = output_name(data)
    directory = write_journal(runs, RUN, [started(path=str(runbook)), finished_step(2, [name])])
    (directory / "outputs").mkdir()
    (directory / name).symlink_to(secret)
    return name, directory


def test_import_postmortem_and_site_do_not_follow_an_output_symlinked_out_of_the_run(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    runs = tmp_path / "runs"
    _run_with_planted_output(runs, tmp_path / "id_ed25519", tmp_path / "rb.md")

    imported = cli("runs", "import", str(runs), "--store", empty_database)
    post = cli("postmortem", RUN, "--runs-dir", str(runs))
    (tmp_path / "rb.md").write_text(
        "# T\n\n## Procedure 1: Do it\n\n1. **Step**\n\n   ```bash\n   cat x\n   ```\n"
    )
    built = cli("site", str(tmp_path / "rb.md"), "-o", str(tmp_path / "out"), "--runs-dir", str(runs))

    assert built.exit_code == 3 and "is a symbolic link; refused" in built.stderr
    assert imported.exit_code == 3 and "is a symbolic link; refused" in one_line_error(imported)
    assert post.exit_code == 3 and "is a symbolic link; refused" in one_line_error(post)
    assert "PRIVATE KEY" not in post.output
    listed = cli("runs", "--store", empty_database, "--json")
    assert RUN not in listed.output  # nothing of the run reached the store
    site_text = "".join(p.read_text("utf-8", "replace") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "PRIVATE KEY" not in site_text


def test_a_journal_naming_an_output_outside_its_run_is_refused_by_every_reader(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    escape = "outputs/../../../secret.txt"
    write_journal(runs, RUN, [started(), finished_step(2, [escape])])
    for args in (("postmortem", RUN), ("timeline", RUN), ("runs",)):
        result = cli(*args, "--runs-dir", str(runs))
        assert result.exit_code == 3, args
        assert "TOP SECRET" not in result.output
    assert "event 2 breaks schemas/events.json" in cli("postmortem", RUN, "--runs-dir", str(runs)).stderr


# -- 4. the site writes and deletes only inside -o -----------------------------------------------


def test_the_site_writes_no_page_outside_o_for_a_store_run_id(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    out = tmp_path / "site" / "out"
    escape = "../../../escaped"  # runs/<id>.html would be tmp_path/escaped.html
    (tmp_path / "site" / "rb.md").parent.mkdir(parents=True)
    (tmp_path / "site" / "rb.md").write_text(
        "# T\n\n## Procedure 1: Do it\n\n1. **S**\n\n   ```bash\n   true\n   ```\n"
    )
    insert_rows(empty_database, escape, [started(run=escape, path=str(tmp_path / "site" / "rb.md"))])

    built = cli("site", str(tmp_path / "site" / "rb.md"), "-o", str(out), "--store", empty_database)

    assert built.exit_code == 3 and "is not a run id" in built.stderr
    assert not list(tmp_path.rglob("escaped*"))


def test_a_planted_site_manifest_deletes_nothing_outside_o(tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    (tmp_path / "rb.md").write_text("# T\n\nText.\n")
    assert cli("site", str(tmp_path / "rb.md"), "-o", str(out)).exit_code == 0
    victim.write_text("keep me")
    (out / "assets-link").symlink_to(tmp_path)
    manifest = json.loads((out / ".runbook-site.json").read_text())
    manifest["entries"].update(
        {
            "../victim.txt": {"key": "", "sha256": ""},
            str(victim): {"key": "", "sha256": ""},
            "assets-link/victim.txt": {"key": "", "sha256": ""},
        }
    )
    (out / ".runbook-site.json").write_text(json.dumps(manifest))

    rebuilt = cli("site", str(tmp_path / "rb.md"), "-o", str(out), "--json")

    assert rebuilt.exit_code == 0
    assert victim.read_text() == "keep me"
    assert not any("victim" in name for name in json.loads(rebuilt.output)["removed"])


# -- 5. runbook note writes through no symlink ----------------------------------------------------


@pytest.mark.parametrize("planted", ["journal", "folder"])
def test_note_refuses_a_symlinked_journal_or_run_folder(tmp_path: Path, planted: str) -> None:
    runs, victim = tmp_path / "runs", tmp_path / "victim"
    victim.mkdir()
    (victim / "journal.jsonl").write_text(json.dumps(started()) + "\n")
    (victim / ".bashrc").write_text("# mine\n")
    if planted == "journal":
        (runs / RUN).mkdir(parents=True)
        (runs / RUN / "journal.jsonl").symlink_to(victim / ".bashrc")
    else:
        runs.mkdir()
        (runs / RUN).symlink_to(victim)
    before = {p.name: p.read_bytes() for p in victim.iterdir()}

    result = cli("note", RUN, "hello", "--runs-dir", str(runs))

    assert result.exit_code == 3
    assert "symbolic link" in one_line_error(result)
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == before


# -- 2. the site publishes only real images from inside its folder --------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def _site_with(tmp_path: Path, body: str) -> tuple[Result, Path]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "rb.md").write_text(f"# Images\n\n{body}\n")
    out = tmp_path / "out"
    return cli("site", str(docs), "-o", str(out)), out


def _published(out: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file())


def test_an_image_outside_the_folder_is_not_published(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(_png() + b"SECRET-OUTSIDE")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "inside.png").symlink_to(tmp_path / "secret.png")
    os.environ["RUNBOOK_TEST_TOKEN"] = "ghp_" + "Z" * 36
    try:
        built, out = _site_with(
            tmp_path,
            "![env](/proc/self/environ) ![up](../secret.png) ![link](inside.png) ![abs]("
            + str(tmp_path / "secret.png")
            + ")",
        )
    finally:
        del os.environ["RUNBOOK_TEST_TOKEN"]
    published = _published(out)
    assert "SECRET-OUTSIDE" not in published and "ZZZZZZZZ" not in published
    assert not (out / "media").exists()
    assert built.exit_code == 3
    assert "'/proc/self/environ': not a path relative to the runbook" in built.stderr
    assert "'../secret.png' is outside" in built.stderr and "'inside.png' is outside" in built.stderr


def test_a_runbook_symlinked_from_outside_the_folder_is_not_published(tmp_path: Path) -> None:
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "notes.md").write_text("# Private\n\nPASSWORDS-HERE\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").symlink_to(tmp_path / "private" / "notes.md")
    built, out = _site_with(tmp_path, "Text.")
    assert "PASSWORDS-HERE" not in _published(out)
    assert built.exit_code == 3 and "notes.md" in built.stderr and "outside" in built.stderr


def test_only_real_images_are_copied_and_svg_is_never_a_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.png").write_bytes(_png())
    (docs / "page.png").write_text("<html><script>alert(1)</script></html>")  # an "image" that is a page
    (docs / "x.html").write_text("<script>alert(1)</script>")
    (docs / "d.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with open(docs / "huge.png", "wb") as handle:  # 11 MiB, sparse: over the 10 MiB limit
        handle.write(_png())
        handle.truncate(11 << 20)
    built, out = _site_with(tmp_path, "![a](ok.png) ![b](page.png) ![c](x.html) ![d](d.svg) ![e](huge.png)")

    media = sorted(p.name for p in (out / "media").iterdir())
    assert len(media) == 1 and media[0].endswith(".png")
    assert (out / "media" / media[0]).read_bytes() == _png()
    page = (out / "rb.html").read_text()
    assert 'src="data:image/svg+xml;base64,' in page  # shown in an <img>, where no script runs
    assert "alert(1)" not in _published(out / "media")
    assert built.exit_code == 3
    assert "'page.png': not an image" in built.stderr and "'x.html': not an image" in built.stderr
    assert "huge.png" in built.stderr and "more than an image may be" in built.stderr


# -- 11. --changed-since is never an option to git ------------------------------------------------


def test_changed_since_refuses_a_value_that_git_would_read_as_an_option(tmp_path: Path) -> None:
    import git

    repo = git.Repo.init(tmp_path)
    (tmp_path / "a.md").write_text("# A\n")
    repo.index.add(["a.md"])
    repo.index.commit("one", author=git.Actor("a", "a@b"), committer=git.Actor("a", "a@b"))
    planted = tmp_path / "PWNED"

    refused = cli("validate", f"--changed-since=--output={planted}", str(tmp_path / "a.md"))
    (tmp_path / "a.md").write_text("# A\n\nchanged\n")
    honest = cli("validate", "--changed-since", "HEAD", "--format", "json", str(tmp_path / "a.md"))

    assert refused.exit_code == 2 and not planted.exists()
    assert "is not a git reference" in one_line_error(refused)
    assert honest.exit_code == 0 and "a.md" in honest.output


# -- readers of data refuse what is not a regular file --------------------------------------------


def test_read_regular_refuses_devices_and_fifos_and_caps_the_size(tmp_path: Path) -> None:
    fifo = tmp_path / "x.md"
    os.mkfifo(fifo)
    for path, words in ((fifo, "FIFO"), (Path("/dev/zero"), "character device"), (tmp_path, "directory")):
        with pytest.raises(Exception, match=words):
            read_regular(path, 100, "a runbook file")
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(Exception, match="more than a runbook file may be"):
        read_regular(tmp_path / "big", 100, "a runbook file")
    assert read_regular(Path("/proc/self/status"), 1 << 20, "a file").startswith(b"Name:")  # size 0 on disk
