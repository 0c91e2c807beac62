"""Commands that run other commands: wrappers (`sudo CMD`), shells and interpreters, SQL clients.

A wrapped command is assessed as if written alone; shell code handed over as a string is read as
shell; SQL handed to a client is read with the SQL policy. Adding a wrapper is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENV_PRINTERS", "INTERPRETERS", "SHELLS", "SQL_CLIENTS", "WRAPPERS", "Wrapper"]


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A command that runs another command given in its arguments (`sudo CMD`, `kubectl exec … -- CMD`)."""

    tools: str
    """Command names, `|`-separated; `name*` matches a prefix."""
    path: tuple[str, ...] = ()
    """The wrapper's own subcommand (`exec` of `kubectl exec`)."""
    skip: int = 0
    """Positionals before the command (timeout's duration, chroot's folder, docker exec's container)."""
    after_dashes: bool = False
    """The command is what follows `--` (nothing runs without it)."""
    string: bool = False
    """The remaining words are joined into one line a shell reads (`ssh host CMD…`, `watch CMD…`)."""
    command_option: tuple[str, ...] = ()
    """Options whose value is a line of shell code to run (`su -c '…'`, `flock -c '…'`)."""
    feeds: bool = False
    """Each run of the command gets more arguments from its input (`xargs`)."""
    bounds: bool = False
    """It stops the command after a while (`timeout`): nothing inside is never-ending."""
    never_ending: bool = False
    """The wrapper itself runs until stopped (`watch`)."""
    stdin: tuple[str, ...] | None = None
    """Options that hand the operator's input to the command (`-i` of `kubectl exec`); None: always."""
    inert: tuple[str, ...] = ()
    """Options with which it only prints what would run (`command -v rm`)."""
    empty_shell: tuple[str, ...] | None = None
    """With no command, it opens an interactive shell: always when `()`, or with one of these
    options (`sudo -i`); None: never."""
    no_shell: tuple[str, ...] = ()
    """Options with which, given no command, it still opens no shell (`ssh -T git@host`)."""


WRAPPERS: tuple[Wrapper, ...] = (
    Wrapper("sudo|doas", empty_shell=("-i", "-s", "--login", "--shell")),
    Wrapper("command", inert=("-v", "-V")),
    Wrapper("nohup|nice|ionice|stdbuf|setsid|unbuffer|exec|builtin|time|chpst|caffeinate|env"),
    Wrapper("torsocks|proxychains*|catchsegv|strace|ltrace"),
    Wrapper("runuser", command_option=("-c", "--command")),
    Wrapper("gosu|chroot|taskset", skip=1),
    Wrapper("timeout", skip=1, bounds=True),
    Wrapper("flock", skip=1, command_option=("-c", "--command")),
    # su's positionals after the user are the shell's arguments: the command is `-c`'s value
    Wrapper("su", skip=99, command_option=("-c", "--command"), empty_shell=()),
    Wrapper("xargs|parallel", feeds=True),
    Wrapper("watch", string=True, never_ending=True),
    Wrapper("ssh", skip=1, string=True, empty_shell=(), no_shell=("-T", "-O", "-V", "-G", "-Q")),
    Wrapper("kubectl|oc|k", ("exec|run|debug",), after_dashes=True, stdin=("-i", "--stdin")),
    Wrapper("aws-vault", ("exec",), skip=1),
    Wrapper("docker|podman|nerdctl", ("exec|run",), skip=1, stdin=("-i", "--interactive")),
    Wrapper("docker|podman", ("compose", "exec|run"), skip=1),
    Wrapper("docker-compose|podman-compose", ("exec|run",), skip=1),
)

SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "ash", "fish", "mksh"})
"""Shells: `-c STRING` is shell code to read; with no script they run what arrives on their input."""

INTERPRETERS: dict[str, tuple[str, ...]] = {
    name: ("-c", "-m", "-e", "-E", "-r", "--eval", "-p", "--print")
    for name in ("python", "python3", "python2", "perl", "ruby", "node", "nodejs", "php", "pwsh")
}
"""Other interpreters, and their options that take code or a module: with neither and no script,
they run what arrives on their input (`curl … | python3`)."""

SQL_CLIENTS: dict[str, tuple[str, ...]] = {
    "psql": ("-c", "--command"),
    "mysql": ("-e", "--execute"),
    "mariadb": ("-e", "--execute"),
    "clickhouse-client": ("-q", "--query"),
    "cockroach": ("-e", "--execute"),
    "sqlite3": (),
}
"""SQL clients and their options whose value is SQL: assessed with the SQL policy, as is SQL they
read from a literal `echo`, here-string or here-document (sqlite3 takes it as its second argument)."""

ENV_PRINTERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("gds", frozenset({"aws", "-e"})),  # GDS CLI: `gds aws ROLE -e` prints the role's AWS_* exports
    ("ssh-agent", frozenset()),
    ("minikube", frozenset({"docker-env"})),
    ("docker-machine", frozenset({"env"})),
    ("pyenv", frozenset({"init"})),
    ("rbenv", frozenset({"init"})),
    ("brew", frozenset({"shellenv"})),
    ("opam", frozenset({"env"})),
)
"""Tools whose output is written to be `eval`ed: `export NAME=value` lines for the shell (a tool
and the words its invocation must hold). `eval "$(ssh-agent -s)"` runs what the tool prints, and
the tool prints only its environment: the command is as risky as running the tool itself. Any
other `eval` of text made at run time stays unanalysable (`eval "$(curl …)"`, `eval "$X"`)."""
