"""`runbook doctor`: what a runbook needs, a line each, and exit 1 when something is missing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from interpreter.cli import main


def test_doctor_names_what_is_missing(tmp_path: Path) -> None:
    runbook = tmp_path / "needs.md"
    runbook.write_text(
        textwrap.dedent(
            """
            ## Procedure 1: Needs
            1. **Tools**
               ```bash
               greet() { echo hi; }
               greet && git --version | grep -c git
               cd /tmp && runbook-no-such-tool-zz --check
               "$TOOL" --version
               ```
            2. **Database**
               ```sql {db=postgresql://app:Hunter2-secret@127.0.0.1:1/app}
               SELECT 1;
               ```
            """
        ).lstrip(),
        "utf-8",
    )
    result = CliRunner().invoke(main, ["doctor", str(runbook), "--json"], env={"DOCKER_HOST": ""})
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    found = {(c["kind"], c["name"]): c for c in report["checks"]}
    assert found[("binary", "git")]["ok"] is True
    assert found[("binary", "grep")]["ok"] is True
    missing = found[("binary", "runbook-no-such-tool-zz")]
    assert (missing["ok"], missing["line"]) == (False, 6)
    # Builtins, the runbook's own functions and $TOOL are not looked up.
    assert not {"echo", "cd", "greet", "$TOOL", '"$TOOL"'} & {name for _, name in found}
    database = found[("database", "postgresql://app:••••@127.0.0.1:1/app")]
    assert database["ok"] is False and "cannot connect" in database["detail"]
    assert "Hunter2-secret" not in result.output
    assert ("shellcheck", "shellcheck") in found

    text = CliRunner().invoke(main, ["doctor", str(runbook)], env={"NO_COLOR": "1"})
    assert text.exit_code == 1
    assert "✗ binary     runbook-no-such-tool-zz  not on the PATH  line 6" in text.output
    assert "✓ binary     git" in text.output
