"""The command line as a package: one table of commands loaded lazily, exit codes from one enum."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from support.paths import ROOT, SEED

from interpreter.cli import COMMANDS, main
from interpreter.errors import ExitCode


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_names_each_command_and_says_what_its_help_says(name: str) -> None:
    where, summary = COMMANDS[name]
    module, _, attribute = where.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command) and command.name == name
    assert command.help is not None
    first = " ".join(inspect.cleandoc(command.help).split("\n\n")[0].split())
    assert summary == first, "the table's summary is the first paragraph of the command's help"
    for limit in (30, 45, 80, 200):  # the summary is cut as click cuts the command's own help
        assert click.Command(name, help=summary).get_short_help_str(limit) == command.get_short_help_str(
            limit
        )


PROBE = """
import json, sys
from interpreter.cli import main
sys.argv = ["runbook", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("interpreter.cli."))), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["--help"], None),
        (["--version"], None),
        (["validate", "--no-shellcheck", str(SEED)], "interpreter.cli.validate"),
        (["rules"], "interpreter.cli.validate"),
        (["list", str(SEED)], "interpreter.cli.read"),
        (["runs", "--help"], "interpreter.cli.runs"),
    ],
)
def test_a_command_imports_its_own_module_and_no_other_command_s(args: list[str], module: str | None) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, cwd=ROOT
    )
    loaded = set(json.loads(done.stderr.strip().split("\n")[-1]))
    commands = {where.partition(":")[0] for where, _ in COMMANDS.values()}
    assert loaded & commands == ({module} if module else set())


def _epilogue(args: list[str]) -> dict[int, str]:
    result = CliRunner().invoke(main, [*args, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    section = result.output.split("Exit codes:\n", 1)[1]
    return {int(m[1]): m[2] for m in re.finditer(r"^\s+(\d+)\s+(.+)$", section, re.M)}


@pytest.mark.parametrize(
    "args", [[], *[[name] for name in sorted(COMMANDS)], ["runs", "export"], ["runs", "import"]]
)
def test_every_help_lists_its_exit_codes_from_the_enum(args: list[str]) -> None:
    codes = _epilogue(args)
    assert ExitCode.OK in codes and set(codes) <= set(ExitCode), codes


def test_the_usual_epilogue_says_what_the_enum_says() -> None:
    assert _epilogue(["parse"]) == {code: code.meaning for code in ExitCode if code <= ExitCode.INVALID}
    assert _epilogue(["run"])[ExitCode.INTERRUPTED].startswith("interrupted")


def test_only_the_command_line_prints_or_exits() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "interpreter").rglob("*.py"))
        if "cli" not in path.relative_to(ROOT / "interpreter").parts
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if re.search(r"^\s*print\(|\bsys\.exit\(|\bclick\.echo\(|raise SystemExit\b|\bos\._exit\(", line)
        # A worker process (forked, interpreter/workers.py) ends on SIGTERM as from an exit, so its
        # cleanup runs: that is the worker's own end, not the command's exit code.
        and not (path.name == "workers.py" and "128 + signum" in line)
    ]
    assert offenders == []
