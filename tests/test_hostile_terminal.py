"""Hostile text on the operator's terminal (issue 17, item 7): shown, never obeyed.

Escape sequences in a runbook, a journal, a note or a command's output must not rewrite the
screen, the window title or the clipboard. Runbook and journal text is shown with its control
characters escaped (`^[`); live output keeps its colours and loses every other sequence; the
journal keeps the raw bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pexpect
from click.testing import CliRunner
from support.runs import journal, run, spawn, write

from interpreter.cli import main
from interpreter.policy.terminal import LiveOutput, visible
from interpreter.run.questions import Question, TerminalPrompter

ESC = "\x1b"
HIDING = f"touch x #{ESC}[2K{ESC}[1Gecho harmless"
"""A command line that, printed raw, erases itself and shows `echo harmless`."""
CLIPBOARD = f"{ESC}]52;c;cHduZWQ={ESC}\\"
"""OSC 52: write `pwned` into the reader's clipboard."""
TITLE = f"{ESC}]0;all good{chr(7)}"


def _runs(tmp: Path) -> str:
    return str(tmp / "runs")


def test_a_command_that_hides_itself_previews_as_what_it_runs(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Clean up
        1. **Clean up{TITLE}**
           ```bash
           {HIDING}
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb), "-p", "1")
    child.expect(r"Run 1\.1")
    preview = child.before or ""
    child.sendline("a")
    child.expect(pexpect.EOF)
    # The operator reads the real command, the title's escape too, and the terminal obeys none of it.
    assert "touch x #^[[2K^[[1Gecho harmless" in preview
    assert "Clean up^[]0;all good^G" in preview
    assert f"{ESC}[2K" not in preview and f"{ESC}]0;" not in preview
    assert not (tmp_path / "x").exists()


def test_live_output_keeps_colours_and_loses_titles_clipboard_and_cursor_moves(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        r"""
        ## Procedure 1: Loud
        1. **Print everything**
           ```bash
           printf '\e[1;31mred\e[0m \e]52;c;cHduZWQ=\a \e]0;owned\a \e[2J\e[5A\e[H \e]8;;http://x.test\e\\link\e]8;;\e\\ \x07bell done\n'
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 0, result.output
    screen = result.output
    assert f"{ESC}[1;31mred{ESC}[0m" in screen  # colours pass
    for sequence in (f"{ESC}]52", f"{ESC}]0;", f"{ESC}[2J", f"{ESC}[5A", f"{ESC}[H", f"{ESC}]8;", "\x07"):
        assert sequence not in screen, repr(sequence)
    assert "link" in screen and "^Gbell done" in screen
    [output] = [
        c["output"] for e in journal(tmp_path) if e["type"] == "step.finished" for c in e["data"]["commands"]
    ]
    raw = (tmp_path / "runs").glob(f"*/{output['file']}")
    assert b"\x1b]52;c;cHduZWQ=\x07" in next(raw).read_bytes()  # the journal keeps every byte


def test_a_sequence_split_between_two_reads_is_still_dropped(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        r"""
        ## Procedure 1: Slow
        1. **Split the clipboard write**
           ```bash
           printf 'before \e]52;c;'; sleep 0.5; printf 'cHduZWQ=\a after\n'
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 0, result.output
    shown = result.output.split("\nbefore", 1)[1]  # what the command printed, after its echo
    assert shown.startswith("  after") and "cHduZWQ" not in shown and ESC not in result.output
    # Byte by byte, every split of every sequence gives what one read gives.
    data = f"a{ESC}[31mb{ESC}[0m {CLIPBOARD} {TITLE} {ESC}[3Ac \u009b2Jd\n".encode()
    whole = LiveOutput().feed(data)
    one = LiveOutput()
    assert b"".join(one.feed(data[i : i + 1]) for i in range(len(data))) + one.flush() == whole
    assert whole == b"a\x1b[31mb\x1b[0m   c <U+009B>2Jd\n"


def test_notes_and_journal_text_are_shown_escaped_in_timeline_follow_and_runs(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Quiet{TITLE}
        1. **One**
           ```bash
           true
           ```
        """,
    )
    assert run(tmp_path, str(rb), "-p", "1", "--yes").exit_code == 0
    [run_dir] = (tmp_path / "runs").iterdir()
    cli = CliRunner()
    noted = cli.invoke(
        main, ["note", run_dir.name, f"all fine {CLIPBOARD}{TITLE}", "--runs-dir", _runs(tmp_path)]
    )
    assert noted.exit_code == 0, noted.output
    shown = {
        "timeline": cli.invoke(main, ["timeline", run_dir.name, "--runs-dir", _runs(tmp_path)]),
        "timeline md": cli.invoke(
            main, ["timeline", run_dir.name, "--format", "md", "--runs-dir", _runs(tmp_path)]
        ),
        "follow": cli.invoke(main, ["follow", run_dir.name, "--runs-dir", _runs(tmp_path)]),
        "runs": cli.invoke(main, ["runs", "--runs-dir", _runs(tmp_path)]),
        "postmortem": cli.invoke(main, ["postmortem", run_dir.name, "--runs-dir", _runs(tmp_path)]),
    }
    for name, result in shown.items():
        assert result.exit_code == 0, (name, result.output)
        assert ESC not in result.output and "\x07" not in result.output, name
    assert "note: all fine ^[]52;c;cHduZWQ=^[\\^[]0;all good^G" in shown["timeline"].output
    assert "Quiet^[]0;all good^G" in shown["runs"].output


def test_list_validate_and_prompts_show_control_characters_escaped(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Choose{TITLE}
        1. **Pick one**
           **Option A: the {ESC}[8mhidden{ESC}[0m way**
           ```bash
           echo a
           ```
           **Option B: the other**
           ```bash
           echo b
           ```
        """,
    )
    listed = CliRunner().invoke(main, ["list", str(rb)])
    assert listed.exit_code == 0 and ESC not in listed.output and "Choose^[]0;all good^G" in listed.output
    checked = CliRunner().invoke(main, ["validate", "--no-shellcheck", str(rb)])
    assert checked.exit_code == 1 and "encoding/control-character" in checked.output
    assert ESC not in checked.output
    written: list[str] = []
    prompts: list[str] = []
    prompter = TerminalPrompter(write=written.append, read=lambda p: prompts.append(p) or "1")
    question = Question(
        "1.1", "choice", f"Which way{TITLE}", (("a", f"the {ESC}[8mhidden way"), ("b", "other"))
    )
    assert prompter.ask(question) == "a"
    assert all(ESC not in text for text in [*written, *prompts])
    assert "the ^[[8mhidden way" in written[0] and "Which way^[]0;all good^G" in prompts[0]


def test_visible_shows_what_reorders_or_hides_text() -> None:
    # Trojan Source: a right-to-left override makes `rm -rf /tmp/x #/` read differently.
    assert visible("rm\u202e -rf\u200b\ttab\nline\x7f") == "rm<U+202E> -rf<U+200B>\ttab\nline^?"
    assert visible("emoji 👩\u200d💻 stays") == "emoji 👩\u200d💻 stays"
    assert os.linesep == "\n"
