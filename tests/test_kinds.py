"""The block-kind table is the one home of a kind: the type, the schema and the analysers follow it."""

from __future__ import annotations

import re
import typing

import pytest
from jsonschema import Draft202012Validator
from support.paths import ROOT

from interpreter import jsonschemas
from interpreter.infer.blocks import ANALYSERS
from interpreter.model.kinds import KINDS, RUNNABLE, SHELL_LANGUAGES, BlockKind, kind_of_language, lexer_of


def test_the_kind_type_names_exactly_the_table() -> None:
    assert set(typing.get_args(BlockKind)) == set(KINDS)
    assert all(name == kind.name for name, kind in KINDS.items())


def test_the_graph_schema_allows_exactly_the_table() -> None:
    block = jsonschemas.load("graph")["$defs"]["block"]
    assert set(block["properties"]["kind"]["enum"]) == set(KINDS)


def test_every_kind_read_from_a_language_has_an_analyser() -> None:
    # Shell kinds are read by the shell reader first (what is in them decides shell, console, text).
    by_language = {name for name, kind in KINDS.items() if kind.languages and not kind.shell}
    assert by_language <= set(ANALYSERS), f"kinds with no analyser: {sorted(by_language - set(ANALYSERS))}"
    assert not {name for name, kind in KINDS.items() if kind.shell} & set(ANALYSERS)
    assert set(ANALYSERS) <= set(KINDS), f"analysers of unknown kinds: {sorted(set(ANALYSERS) - set(KINDS))}"


def test_a_language_makes_one_kind() -> None:
    languages = [lang for kind in KINDS.values() for lang in kind.languages]
    assert len(languages) == len(set(languages))
    assert kind_of_language("zsh") is KINDS["shell"] and kind_of_language("psql") is KINDS["sql"]
    assert kind_of_language("python") is None and kind_of_language("") is None
    assert {"bash", "sh", "shell", "zsh", "ksh", "console", "terminal"} <= SHELL_LANGUAGES
    assert lexer_of("zsh") == "bash" and lexer_of("postgresql") == "postgresql"


def test_no_module_lists_the_runnable_kinds_itself() -> None:
    """The kinds that run, and the shell languages, are looked up in the table, never spelt out."""
    spelt = re.compile(
        r"""\(\s*"shell",\s*"console"(?:,\s*"sql")?\s*\)"""
        r"""|\{\s*"bash",\s*"sh",\s*"shell",\s*"zsh"\s*\}"""
        r"""|\(\s*"bash",\s*"sh",\s*"shell",\s*"zsh","""
        r"""|kind\W+(?:==|!=)\s*"sql"|"sql"\s+in\s"""
    )
    # doctor.py checks what a kind needs on this machine (a database for sql blocks): the one
    # place a kind's own name is the point.
    exempt = {"kinds.py", "doctor.py"}
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "interpreter").rglob("*.py"))
        if path.name not in exempt
        for number, line in enumerate(path.read_text("utf-8").split("\n"), start=1)
        if spelt.search(line)
    ]
    assert offenders == [], "\n".join(offenders)
    assert {"shell", "console", "sql"} <= RUNNABLE


@pytest.mark.parametrize("name", ["annotations", "answers", "events", "graph"])
def test_every_shipped_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    """The run builds its validators without checking the schemas each time: this checks them once."""
    Draft202012Validator.check_schema(jsonschemas.load(name))
