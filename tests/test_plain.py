"""Plain output prints what rich prints when it does not colour: the same text for any finding."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape as rich_escape

from interpreter.cli.plain import PlainConsole
from interpreter.markup import escape, plain

# Text as findings hold it: paths, commands, brackets, backslashes, tabs, carriage returns, colons.
TEXT = st.lists(
    st.sampled_from([*"ab/[]\\=@#:. \t\r-_xyz", "[bold]", "[/]", "\\[", "é", "[/dim]"]), max_size=20
).map("".join)


def _rich(markup: str) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, highlight=False, soft_wrap=True, emoji=False, width=80)
    console.print(markup)
    return out.getvalue()


@given(TEXT)
def test_escape_is_rich_escape(text: str) -> None:
    assert escape(text) == rich_escape(text)


@given(TEXT, TEXT, TEXT)
def test_a_finding_line_prints_as_rich_prints_it(path: str, message: str, hint: str) -> None:
    markup = (
        f"[bold]{escape(path)}[/]\n  3:1  [yellow]warning[/]  {escape(message)}  [dim]rule/x[/]"
        f"\n      [dim]{escape(hint)}[/]"
    )
    out = io.StringIO()
    PlainConsole(out).print(markup)
    assert out.getvalue() == _rich(markup)


def test_markup_is_left_out_and_escaped_brackets_are_text() -> None:
    assert plain("[bold red]error[/] \\[not a tag] [dim]x[/]") == "error [not a tag] x"
