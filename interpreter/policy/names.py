"""Which variable names a run takes from outside (--var, answers, a journal): plain ones, never code.

A run hands its variables to bash. Some names are read as code or behaviour rather than as
values: `BASH_FUNC_ls%%` defines a function `ls` in every bash started after it, `BASH_ENV` is a
script sourced by each, `SHELLOPTS` and `BASHOPTS` set options (xtrace with a `PS4` that runs
commands), `LD_PRELOAD` loads a library into every program. Taken from a journal (an edited or
imported one, restored by `runbook resume`) or from `--var`, such a name runs code on the machine
of whoever runs or resumes. So a name from outside must be a plain identifier and not one of
those below; a name a step exports is journaled only under the same rule.

Chosen, and why:
- refused: functions (`BASH_FUNC_*`, any name bash cannot hold), what bash reads at start or per
  command (BASH_ENV, ENV, SHELLOPTS, BASHOPTS, BASH_XTRACEFD, PS0-PS4, PROMPT_COMMAND, CDPATH,
  GLOBIGNORE, EXECIGNORE, IFS, BASH_COMPAT, BASH_LOADABLES_PATH, POSIXLY_CORRECT), and what the
  dynamic loader reads (`LD_*`, GCONV_PATH). bash and dash ignore an inherited IFS, but other
  shells need not, and no runbook needs to set it for later steps.
- allowed: PATH. Runbooks add tool folders (`export PATH=$PATH:/opt/x/bin`) and a resume must
  keep that; a PATH can only run what is already installed in a folder it names, and a resume
  lists every variable it restores, so a changed PATH is seen before anything runs.
"""

from __future__ import annotations

import re

__all__ = ["refusal", "taken_name"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BEHAVIOUR = frozenset(
    {
        "BASH_ENV",
        "ENV",
        "SHELLOPTS",
        "BASHOPTS",
        "BASH_XTRACEFD",
        "PS0",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "PROMPT_COMMAND",
        "CDPATH",
        "GLOBIGNORE",
        "EXECIGNORE",
        "IFS",
        "BASH_COMPAT",
        "BASH_LOADABLES_PATH",
        "POSIXLY_CORRECT",
        "GCONV_PATH",
    }
)


def refusal(name: str) -> str | None:
    """Why `name` may not be taken from outside the run, or None when it may."""
    if name.startswith("BASH_FUNC_"):
        return "bash reads it as a function definition"
    if not _IDENTIFIER.fullmatch(name):
        return "not a plain variable name (letters, digits and _, not starting with a digit)"
    if name in _BEHAVIOUR:
        return "bash reads it as code or as how to run commands"
    if name.startswith("LD_"):
        return "the dynamic loader reads it (a library loaded into every program)"
    return None


def taken_name(name: str, where: str) -> str:
    """`name`, when it may be taken from outside.

    Raises:
        ValueError: it may not; the message names it, says where it came from and why.
    """
    why = refusal(name)
    if why is not None:
        raise ValueError(f"{where}: refused variable name {name!r}: {why}")
    return name
