"""Context changes: a command that opens a session the operator then works in (a pod, a node, a host, psql).

`ssh host`, `oc debug node/x`, `kubectl exec -it pod -- bash`, `chroot /host`, `sudo -i`, `psql`
with no query: each hands the terminal to something else, and the commands written after it are
for the operator to type there, not for the local machine. `exit` (or `\\q`, `logout`) ends it.
"""

from __future__ import annotations

import re
import shlex

from .vocabulary import KNOWN_COMMANDS, SHELLS

__all__ = ["closes_session", "opens_session"]

# Programs that read what the operator types when started without a query or script: the flags
# that make them run one thing and exit instead.
_REPLS: dict[str, frozenset[str]] = {
    "psql": frozenset({"-c", "--command", "-f", "--file", "-l", "--list", "-V", "--version"}),
    "mysql": frozenset({"-e", "--execute", "-V", "--version"}),
    "mongo": frozenset({"--eval", "--version"}),
    "mongosh": frozenset({"--eval", "--version"}),
    "cqlsh": frozenset({"-e", "--execute", "-f", "--file"}),
    "clickhouse-client": frozenset({"-q", "--query"}),
}
# Programs that read what is typed when given no positional argument (a script or a command).
_BARE_REPLS = frozenset({"irb", "pry", "python", "python3", "node", "redis-cli", "sqlite3", *SHELLS})
_VALUE_FLAGS = {
    "ssh": frozenset("-i -p -l -o -F -J -L -R -D -b -c -E -e -m -O -Q -S -W -w -B".split()),  # noqa: SIM905
    "redis-cli": frozenset("-h -p -a -n -u -s --user --pass -r -i".split()),  # noqa: SIM905
    "sqlite3": frozenset({"-cmd", "-separator"}),
}
_SESSION_VERBS = frozenset({"exec", "shell", "ssh", "console", "attach", "rsh", "debug", "run"})
_CLOSE = re.compile(r"^\s*(?:exit|logout|quit|\\q|exit\(\)|quit\(\)|\.exit)\s*(?:;|$|#)")
_RAILS_CONSOLE = re.compile(r"\brails\s+(?:c|console|db|dbconsole)\b")
# A line shlex splits as str.split does: printable ASCII, spaces and tabs, and no quote, backslash
# or `#` (shlex is pure Python: 3% of validating a folder of runbooks went to it).
_PLAIN = re.compile(r"[ \t!$%&()*+,\-./0-9:;<=>?@A-Z\[\]^_`a-z{|}~]*")


def _words(text: str) -> list[str]:
    text = re.sub(r"\\\n\s*", " ", text)  # continuation lines are one line
    first = re.split(r"\s(?:\|\|?|&&|;)\s", text.split("\n", 1)[0], maxsplit=1)[0]
    if _PLAIN.fullmatch(first):
        words = first.split()  # nothing shlex would read otherwise: no quote, escape or comment
    else:
        try:
            words = shlex.split(first, comments=True)
        except ValueError:
            words = first.split()
    while words and (words[0] in ("sudo", "time", "exec", "env") or re.match(r"^[A-Za-z_]\w*=", words[0])):
        if words[0] == "sudo" and len(words) > 1 and words[1] in ("-i", "-s", "su"):
            return words
        words = words[1:]
    return words


def _positionals(words: list[str], value_flags: frozenset[str]) -> list[str]:
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in value_flags:
            skip = True
        elif not word.startswith("-"):
            found.append(word)
    return found


def _after_dashes(words: list[str]) -> list[str] | None:
    return words[words.index("--") + 1 :] if "--" in words else None


def _interactive_command(words: list[str]) -> bool:
    """A command run inside a container or pod that the operator then works in."""
    if not words:
        return False
    if words[0] in SHELLS and "-c" in words[:-1]:
        # `sh -c 'psql $DATABASE_URL'`: the shell runs the script, which may open a session itself
        return opens_session(words[words.index("-c") + 1]) != ""
    if words[0] in SHELLS or words[0] in ("rails", "bin/rails", "bundle", "rails-console"):
        return (words[0] in SHELLS and "-c" not in words) or bool(_RAILS_CONSOLE.search(" ".join(words)))
    return opens_session(shlex.join(words)) != ""


def opens_session(text: str) -> str:
    """What the operator works in after this command (`ssh db-1`, `psql`), or "" when it just runs."""
    shown = text.split("\n", 1)[0].strip()[:80]
    text = re.sub(r"<[^<>\n]{1,80}>", "PLACEHOLDER", text)  # `<pod-name>` is a value, not a redirection
    if "<<" in text or re.search(r"(?<![<>])<\s*\S", text):
        return ""  # input comes from a heredoc or a file: nothing is typed
    words = _words(text)
    if not words:
        return ""
    tool, rest = words[0], words[1:]
    if tool == "sudo":
        return shown
    if tool == "su":
        return "" if "-c" in rest or "--command" in rest else shown
    if tool == "chroot":
        return shown if len(_positionals(rest, frozenset())) == 1 else ""
    if tool in ("ssh", "mosh"):
        # `ssh -T git@github.com` checks a key and returns: no terminal, no session.
        if "-T" in rest or any(w.startswith("git@") for w in rest):
            return ""
        return shown if len(_positionals(rest, _VALUE_FLAGS["ssh"])) == 1 else ""
    if tool in ("screen", "tmux"):
        return shown if not rest or rest[0] in ("-S", "-r", "new", "attach", "a", "-x") else ""
    if tool in _REPLS:
        return "" if _REPLS[tool] & set(rest) or any(w.startswith("--command=") for w in rest) else tool
    if tool in _BARE_REPLS:
        return tool if not _positionals(rest, _VALUE_FLAGS.get(tool, frozenset())) else ""
    if _RAILS_CONSOLE.search(" ".join(words[:4])) and "runner" not in words:
        return "rails console"
    if tool in ("kubectl", "oc", "docker", "podman", "docker-compose", "nerdctl", "crictl"):
        return _container_session(tool, rest, shown)
    if tool == "gcloud" and "ssh" in rest:
        return "" if any(w.startswith("--command") for w in rest) else shown
    if tool == "aws" and "start-session" in rest:
        return shown
    if tool not in KNOWN_COMMANDS and "--" in rest and rest[0] not in _SESSION_VERBS:
        # `gds aws role -- kubectl exec -it pod -- bash`: a wrapper running the command after `--`.
        wrapped = _after_dashes(rest) or []
        return shown if wrapped and opens_session(shlex.join(wrapped)) else ""
    if tool not in KNOWN_COMMANDS and len(rest) >= 1 and rest[0] in _SESSION_VERBS:
        tail = _after_dashes(rest)
        if tail is None:
            # `deployer exec hub prod`: a team's own tool opening a shell somewhere.
            return shown if rest[0] != "run" or (rest and rest[-1] in SHELLS) else ""
        return shown if _interactive_command(tail) else ""
    return ""


def _container_session(tool: str, rest: list[str], shown: str) -> str:
    tail = _after_dashes(rest)
    head = rest[: len(rest) - len(tail) - 1] if tail is not None else rest
    # The verb is the first word that is one (`kubectl -n apps exec`: `apps` is a flag's value).
    verb = next((w for w in head if w in ("exec", "run", "attach", "debug", "rsh")), "")
    if verb in ("debug",) and tool in ("oc", "kubectl"):
        return shown if tail is None or _interactive_command(tail) else ""
    if verb == "rsh":
        flags = frozenset({"-c", "--container", "-n", "--namespace"})
        return shown if len(_positionals(rest, flags)) <= 2 else ""
    if verb not in ("exec", "run", "attach"):
        return ""
    tty = any(re.fullmatch(r"-[a-z]*t[a-z]*|-[a-z]*i[a-z]*|--tty|--stdin|--interactive", w) for w in rest)
    if not tty:
        return ""
    if verb == "attach":
        return shown
    if tail is not None:
        return shown if _interactive_command(tail) else ""
    rest = head
    # docker exec -it NAME bash: the command follows the container name.
    if rest and (rest[-1] in SHELLS or _RAILS_CONSOLE.search(" ".join(rest))):
        return shown
    command = _after_container(rest, verb) if tool != "kubectl" and tool != "oc" else []
    return shown if command and _interactive_command(command) else ""


# Options of `docker exec` / `docker compose exec` that take a value (the rest are switches).
_EXEC_VALUES = frozenset(
    "-e --env --env-file -u --user -w --workdir --detach-keys --index -c --context -H --host".split()  # noqa: SIM905
)


def _after_container(words: list[str], verb: str) -> list[str]:
    """The command of `docker exec [OPTIONS] CONTAINER COMMAND…` (and compose's): what follows
    the first positional after `exec`. Only for `exec`: `run` has too many value options to read."""
    if verb != "exec" or verb not in words:
        return []
    rest = words[words.index(verb) + 1 :]
    skip = False
    for index, word in enumerate(rest):
        if skip:
            skip = False
        elif word in _EXEC_VALUES:
            skip = True
        elif not word.startswith("-"):
            return rest[index + 1 :]
    return []


def closes_session(text: str) -> bool:
    """True for `exit`, `logout`, `\\q`, `quit`: the end of a session the operator was working in."""
    return bool(_CLOSE.match(text))
