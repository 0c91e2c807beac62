"""The one secret policy: names that hold secrets, values written in plain text that are secrets.

Two users read it. The run masks every variable whose name `is_secret_name` (broad on purpose:
masking one value too many costs nothing). `runbook validate` reports the secrets `find_secrets`
sees in a runbook's text (narrow on purpose: a CI gate that cries wolf is switched off). A
written value is a secret when it has a token's shape (AWS, GitHub, GitLab, Slack, a private key
block) or when a secret-named key is given a value that looks random; a placeholder (`<password>`,
`$PASSWORD`, `${{ secrets.X }}`, `changeme`, `xxxx`, `CLIENT_SECRET`, a YAML alias, a path) is not.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .masking import Masker

__all__ = [
    "Secret",
    "add_environment",
    "find_secrets",
    "is_placeholder",
    "is_secret_name",
    "looks_random",
    "secret_values",
]

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|CREDENTIAL|PRIVATE|(?:^|_)KEY(?:S)?(?:$|_)|API_?KEY"
)


def is_secret_name(name: str) -> bool:
    """True for variable names that by convention hold secrets (`*PASSWORD*`, `*TOKEN*`, ...)."""
    return bool(_SECRET_NAME.search(name.upper()))


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret written in plain text."""

    line: int
    """1-based line of the text it was found in."""
    column: int
    """1-based column where the value starts."""
    what: str
    """What it is, for the finding's message ("an AWS access key id", "DB_PASSWORD's value")."""
    value: str
    """The secret itself, so that no other message quotes it."""


# A key whose value is a secret: it ends with a secret word (`DB_PASSWORD`, `api-token`,
# `client_secret`); `secretName`, `TOKEN_TTL` and `passwordSecretRef` name or describe one.
def _key(group: str) -> str:
    return (
        rf"(?P<{group}>(?:[A-Za-z_][\w.-]{{0,80}}?)?(?:password|passwd|passphrase|token|secret|api[_-]?key"
        r"|private[_-]?key|access[_-]?key|credentials?))"
    )


# `KEY=value` (shell, env files, flags), `key = value` (INI, TOML, HCL), `key: value` (YAML, as a
# line's first key), `"key": "value"` (JSON). A YAML anchor (`&name`) before the value is skipped.
# A key starts at the start of a name, or after the dashes of an option (`--password=`), never
# after a dash inside a name: a start at every dash of a long name made the search quadratic.
_KEY_START = r"(?:(?<![\w.-])|(?<=(?<![\w.-])-)|(?<=(?<![\w.-])--))"
_ASSIGNMENT = re.compile(
    rf"(?:{_KEY_START}{_key('key')}\s*=\s*|^\s*(?:-\s+)?{_key('ykey')}\s*:\s+(?:&[\w-]+\s+)?"
    rf"|[\"']{_key('jkey')}[\"']\s*:\s*)"
    r"(?P<quote>['\"]?)(?P<value>[^\s'\",;]+)(?P=quote)",
    re.I,
)
_SHAPES = (
    ("aws", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    ("github", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    ("github", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), "a GitHub token"),
    ("gitlab", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), "a GitLab token"),
    ("slack", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"), "a Slack token"),
    (
        "url",
        # A scheme starts where no scheme character comes before (not at every letter of a run).
        re.compile(
            r"(?<![\w+.-])[a-z][a-z0-9+.-]*://[^/\s:@$<{]+:(?P<value>[^/\s@$<{]{3,})@(?P<host>[^/\s:?#]*)"
        ),
        "a password in a URL",
    ),
    ("bearer", re.compile(r"\bBearer\s+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)"), "a bearer token"),
    (
        "mysql",
        # The option is looked for up to the next `mysql` only: each one starts a search of its own.
        re.compile(
            r"\b(?:mysql|mysqldump|mysqladmin)\b(?:(?!mysql)[^\n])*?\s-p(?![\s$'\"])(?P<value>\S{3,})"
        ),
        "a MySQL password",
    ),
)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")
_KEY_BODY = re.compile(r"^[\s>]*[A-Za-z0-9+/=]{40,}\s*$")
# The words each check needs, looked for in the lower-cased text with `str.find` (no regex runs
# over the whole text): nearly every line holds none, and only the checks a line's words call for
# run on it.
_WORDS = (
    *((word, "assignment") for word in ("passw", "passphrase", "token", "secret", "credential")),
    *((f"{a}{sep}key", "assignment") for a in ("api", "private", "access") for sep in ("_", "-", "")),
    ("akia", "aws"),
    ("asia", "aws"),
    *((f"gh{c}_", "github") for c in "pousr"),
    ("github_pat_", "github"),
    ("glpat-", "gitlab"),
    ("xox", "slack"),
    ("://", "url"),
    ("bearer", "bearer"),
    ("mysql", "mysql"),
    ("private key", "key"),
)
_PLACEHOLDER_WORD = re.compile(
    r"^(?:x+|\*+|\.+|-+|_+|0+|changeme|change[-_]me|redacted|example|dummy|placeholder|null|none|true"
    r"|false|yes|no|secret|password|token|test|foo|bar|todo|tbd|fixme)$",
    re.I,
)
_PLACEHOLDER_PART = re.compile(
    r"example|changeme|change[-_]me|your[-_]|placeholder|redacted|dummy|x{4,}|\*{3,}|\.\.\.|…|<|>"
    r"|password|secret|fake|sample",
    re.I,
)
# Where the value lives elsewhere: a variable, a template, a command, a path, a reference.
_REFERENCE = re.compile(
    r"^(?:[$<{\[(%*&@!`~]|\.{0,2}/|ENC\[|vault:|ref\+|op://|sm://|arn:|https?://|file:|env:)", re.I
)
# CLIENT_SECRET: a name standing in for the value.
_CONSTANT = re.compile(r"^[A-Z]+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_LOCAL = re.compile(r"^(?:localhost|127\.|example\.|host)")  # a local default or a made-up host
_FILE = re.compile(r"\.(?:pem|key|json|ya?ml|txt|crt|p12|pfx|gpg|asc|env)$", re.I)


def is_placeholder(value: str) -> bool:
    """A value that stands in for a secret rather than being one."""
    return bool(
        _PLACEHOLDER_WORD.fullmatch(value)
        or _PLACEHOLDER_PART.search(value)
        or _REFERENCE.match(value)
        or _CONSTANT.fullmatch(value)
        or _FILE.search(value)
        or len(set(value)) <= 2
    )


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(value: str) -> bool:
    """A value chosen by a machine or a careful person: long enough, mixed, not made of words.

    `hunter2hunter2`, `s3cr3tvalue` and a 40-character hex digest are; `root`, `postgres`,
    `my-db-user` and `projects/1/secrets/db` are not.
    """
    if len(value) < 8:
        return False
    for chunk in re.split(r"[-_./:@]", value):
        kinds = (str.islower, str.isupper, str.isdigit)
        classes = sum(any(kind(c) for c in chunk) for kind in kinds)
        if len(chunk) >= 8 and classes >= 2 and _entropy(chunk) >= 2.5:
            return True
    symbols = any(not c.isalnum() and c not in "-_./:@" for c in value)
    letters = any(c.isalpha() for c in value)
    digits = any(c.isdigit() for c in value)
    return symbols and letters and digits


def _assignment(line: str) -> tuple[str, int, str] | None:
    for match in _ASSIGNMENT.finditer(line):
        value = match.group("value")
        if is_placeholder(value) or not looks_random(value):
            continue
        key = match.group("key") or match.group("ykey") or match.group("jkey")
        return f"{key} is given a value in plain text", match.start("value") + 1, value
    return None


def _shape(line: str, kinds: set[str]) -> tuple[str, int, str] | None:
    for kind, pattern, what in _SHAPES:
        if kind not in kinds:
            continue
        for match in pattern.finditer(line):
            value = match.group("value") if "value" in pattern.groupindex else match.group(0)
            if is_placeholder(value):
                continue
            local = kind == "url" and _LOCAL.match(match.group("host"))
            if kind == "url" and (local or not looks_random(value)):
                continue
            if kind in ("bearer", "mysql") and not looks_random(value):
                continue
            return f"this line holds {what}", match.start() + 1, value
    return None


def _candidates(lines: tuple[str, ...] | list[str]) -> dict[int, set[str]]:
    """The lines (0-based) that hold a word some check needs, with the checks they call for."""
    lowered = "\n".join(lines).lower()
    starts: list[int] = []
    found: dict[int, set[str]] = {}
    for word, kind in _WORDS:
        at = lowered.find(word)
        if at != -1 and not starts:
            offset = 0
            for line in lines:
                starts.append(offset)
                offset += len(line) + 1
        while at != -1:
            found.setdefault(bisect.bisect_right(starts, at) - 1, set()).add(kind)
            at = lowered.find(word, at + len(word))
    return found


def find_secrets(lines: tuple[str, ...] | list[str]) -> list[Secret]:
    """Every secret written in plain text in `lines`, at most one a line (one leak, one finding)."""
    found: list[Secret] = []
    for index, kinds in sorted(_candidates(lines).items()):
        line = lines[index]
        hit = _assignment(line) if "assignment" in kinds and ("=" in line or ":" in line) else None
        if hit is None and kinds - {"assignment", "key"} and ("@" in line or kinds != {"url"}):
            hit = _shape(line, kinds)
        key = _PRIVATE_KEY.search(line) if "key" in kinds else None
        if hit is None and key is not None and index + 1 < len(lines) and _KEY_BODY.match(lines[index + 1]):
            hit = ("this line begins a private key", key.start() + 1, lines[index + 1].strip(" >"))
        if hit is not None:
            found.append(Secret(index + 1, hit[1], hit[0], hit[2]))
    return found


def secret_values(lines: tuple[str, ...] | list[str]) -> list[str]:
    """The secret values written in `lines`, to keep out of every other message."""
    return [secret.value for secret in find_secrets(lines)]


def add_environment(masker: Masker, env: Mapping[str, str], declared: Collection[str]) -> Masker:
    """Mask what an environment holds that is secret: values of variables declared secret or named
    like secrets (`*PASSWORD*`, `*TOKEN*`…), and passwords written in URLs (`DATABASE_URL`). A value
    too weak to mask (short, a common word) is left out here; the run refuses it where it uses it."""
    from .passwords import url_passwords
    from .weak_secrets import weakness

    for name, value in env.items():
        if (name in declared or is_secret_name(name)) and weakness(value) is None:
            masker.add(value)
        for password in url_passwords(value):
            if weakness(password) is None:
                masker.add(password)
    return masker
