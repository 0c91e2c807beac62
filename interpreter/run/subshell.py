"""A shell for the operator in the run's directory and environment, journaled, marked and reminded.

What the operator does there is theirs: the journal records that a shell was opened at a step,
and for how long, not what was typed. Its prompt carries a marker, so the operator does not take
it for the terminal the run was started from, and both ends remind that changes made there (`cd`,
`export`) do not carry into the run.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

from .context import StepContext

__all__ = ["open_shell"]

_REMINDER = "changes made there (cd, export, variables) do not carry into the run"


def open_shell(ctx: StepContext, step_id: str) -> None:
    """Open $SHELL where the run is, until the operator exits it."""
    shell = os.environ.get("SHELL") or "bash"
    marker = f"(runbook {step_id})"
    ctx.emit("shell.opened", step_id, {"shell": shell, "cwd": ctx.masker.text(ctx.session.cwd)})
    ctx.view.text(
        f"Opening {Path(shell).name} in the run's directory and environment; {_REMINDER}. "
        "`exit` returns to the run."
    )
    env = {**ctx.session.env, "RUNBOOK_RUN": ctx.run_id, "RUNBOOK_STEP": step_id}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="runbook-shell-") as private:
        argv = [shell]
        if Path(shell).name == "bash":
            # bash reads ~/.bashrc, which usually sets PS1: the marker is put in front afterwards.
            rc = Path(private) / "rc"
            rc.write_text(
                f'[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\nPS1={shlex.quote(marker + " ")}"$PS1"\n',
                "utf-8",
            )
            argv += ["--rcfile", str(rc), "-i"]
        else:
            env["PS1"] = f"{marker} $ "
        try:
            status = subprocess.call(argv, cwd=ctx.session.cwd, env=env)
        except OSError as exc:
            ctx.view.text(f"  cannot open {shell}: {exc.strerror}")
            status = 127
    ctx.emit(
        "shell.closed",
        step_id,
        {"exit_code": status, "duration": round(time.monotonic() - started, 3)},
    )
    ctx.view.text(f"Back in the run at {step_id}; {_REMINDER}.")
