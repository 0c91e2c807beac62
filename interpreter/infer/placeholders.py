"""Placeholders: text in a command that stands for a value the operator must supply.

Every form people write: `<pod-name>` and `<pod identified as the problem pod>`, `[POD_NAME]`,
`{reason}`, `CHANGEME`, `XX` in a host name, upper-case words in argument places (`-n NAMESPACE`,
`svc/SUBSCRIBER-CLUSTER-rw`), `/path/to/…`, commits and timestamps; and a value the prose says to
replace ("replace `RECIPIENT` with your email"). The prose around a command gives each one its
description ("where `<hub>` is the name of the hub") and, where it shows one, an example value,
which is shown as an example and never offered as the default.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model.runbook import Placeholder

__all__ = ["describe", "placeholders_in"]

_ANGLE = re.compile(r"(?<![<\w$])<([A-Za-z][\w./:@ -]{0,60}?)>(?![>&])")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$|^\w+://")
_BRACKET = re.compile(r"(?<![\w$\[])\[([A-Za-z][\w.\-/| ]{0,40})\](?![\w(\[])")
_CHAR_CLASS = re.compile(r"^(?:\w-\w)+$|^[\w]$")
_BRACE = re.compile(r"(?<![\w$%{])\{([A-Za-z_][\w-]{0,40})\}(?!\})")
_WORD = re.compile(
    r"(?<![\w$.{%])(CHANGE[_-]?ME|REPLACE[_-]?ME|YOUR[_-][A-Z0-9_-]+|X{3,}(?:\.X{3,}){0,3}|x{3}(?:\.x{3}){1,3})(?!\w)"
)
_HOST_XX = re.compile(r"(?<=[a-z0-9-])XX(?=[a-z0-9.-])|(?<=[a-z0-9.-])XX\b")
# An upper-case word where an argument goes (`-n NAMESPACE`, `svc/PUBLISHER-CLUSTER-rw`).
_UPPER = re.compile(r"(?<![\w$.{%@#(|-])(?<!\$\{)([A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)*)(?![\w=({:])")
_NOT_PLACEHOLDERS = frozenset(
    """GET POST PUT DELETE PATCH HEAD OPTIONS TRACE CONNECT HTTP HTTPS JSON YAML XML CSV TSV HTML UTF UTC GMT
    TRUE FALSE NULL NONE EOF EOT END OK ERROR WARN WARNING INFO DEBUG FATAL TRACE NOTICE CRITICAL ALL ANY AND
    NOT OR IN IS AS ON BY TO SET SELECT FROM WHERE INSERT INTO VALUES UPDATE CREATE DROP ALTER TABLE INDEX
    GRANT REVOKE TRUNCATE BEGIN COMMIT ROLLBACK WITH ORDER GROUP HAVING LIMIT OFFSET JOIN LEFT RIGHT INNER
    OUTER UNION DISTINCT COUNT SUM AVG MIN MAX CASE WHEN THEN ELSE EXISTS LIKE ILIKE BETWEEN PRIMARY KEY
    FOREIGN REFERENCES DEFAULT CASCADE SCHEMA DATABASE ROLE USER SHOW EXPLAIN ANALYZE VACUUM REINDEX
    PUBLICATION SUBSCRIPTION ENABLE DISABLE REFRESH SKIP TRIGGER PRIVILEGES SEQUENCES TABLES TYPE COLUMN
    ADD RENAME OWNER REASSIGN OWNED USAGE EXECUTE FUNCTION PROCEDURE VIEW MATERIALIZED CONCURRENTLY
    RETURNING DESC ASC NULLS FIRST LAST INTERVAL NOW DATE TIME TIMESTAMP BOOLEAN INTEGER TEXT VARCHAR
    AWS GCP GKE EKS AKS API URL URI DNS TCP UDP TLS SSL SSH CPU RAM PID UID GID IP IPV4 IPV6 CIDR SHA MD5
    README LICENSE TODO FIXME PATH HOME USER SHELL PWD TERM LANG DISPLAY EDITOR KUBECONFIG EKS_CLUSTER
    SIGTERM SIGKILL SIGINT SIGHUP FLUSHALL FLUSHDB INFO KEYS SCAN TTL PING MONITOR CONFIG SLOWLOG RDB AOF
    A B C D E F I J K L M N O P Q R S T U V W X Y Z ID OS UI CI CD PR VM DB""".split()  # noqa: SIM905
)
_TS_CORE = re.compile(r"20\d{6}-\d{6}")
# Only from the start of a run of name characters (the lookbehind): a match may not begin at
# every character of a long run, which made the search quadratic.
_TIMESTAMP = re.compile(r"(?<![\w./-])[\w./-]*\b20\d{6}-\d{6}\b[\w./-]*")
_COMMIT = re.compile(r"(?<![\w./-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}(?![\w./-])")
_PATH = re.compile(r"/path/to(?:/[\w.@-]*)*")
_GIT = re.compile(r"\bgit\b")
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)")
_ASSIGNED = re.compile(r"(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_]\w*)=")


def placeholders_in(text: str, line: int) -> list[Placeholder]:
    """Values in a command that the operator must replace, in the order written, each once."""
    found: list[tuple[int, Placeholder]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], kind: str, group: int = 0) -> None:
        start, end = match.span(group)
        if any(start < e and s < end for s, e in taken):
            return  # inside a placeholder already found (`<NAMESPACE>`)
        taken.append((start, end))
        found.append((start, Placeholder(match.group(group), kind, line)))  # type: ignore[arg-type]

    for match in _ANGLE.finditer(text):
        if not _EMAIL.match(match.group(1)):
            add(match, "angle")
    for match in _PATH.finditer(text):
        add(match, "path")
    if _TS_CORE.search(text):
        for match in _TIMESTAMP.finditer(text):
            add(match, "timestamp")
    if _GIT.search(text):
        for match in _COMMIT.finditer(text):
            add(match, "commit")
    for match in _BRACKET.finditer(text):
        if not _CHAR_CLASS.match(match.group(1)) and not text[match.end() :].startswith("="):
            add(match, "bracket")
    for match in _BRACE.finditer(text):
        add(match, "brace")
    # `mktemp name.XXXXXX`: the X's are mktemp's template, not a value to fill.
    template = "mktemp" in text
    for match in _WORD.finditer(text):
        if not (template and match.group().startswith("X")):
            add(match, "word")
    for match in _HOST_XX.finditer(text) if not template else ():
        add(match, "word")
    ignore = _NOT_PLACEHOLDERS | set(_HEREDOC.findall(text)) | set(_ASSIGNED.findall(text))
    # Single quotes hold literal text (a grep pattern, a jq filter): its capitals are meant as written.
    quoted = [m.span() for m in re.finditer(r"'[^'\n]*'", text)]
    for match in _UPPER.finditer(text):
        word = match.group(1)
        if any(start < match.start() < end for start, end in quoted):
            continue
        if "_" in word and text[: match.start()].endswith("="):
            continue  # `--secret=TFC_TEAM_TOKEN`: a name written as it is, like an environment variable
        if (
            word not in ignore
            and len(word.replace("-", "").replace("_", "")) >= 3
            and not _is_flag_value(text, match)
        ):
            add(match, "word", 1)
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    unique = []
    for _, placeholder in found:
        if placeholder.text not in seen:
            seen.add(placeholder.text)
            unique.append(placeholder)
    return unique


def _is_flag_value(text: str, match: re.Match[str]) -> bool:
    """`-X POST`, `--request GET`, `-o JSON`: a fixed word a program expects, not a value to fill."""
    before = text[: match.start()].rstrip()
    return bool(re.search(r"(?:^|\s)(?:-X|--request|--method|-o|--output|--format|-f)\s*=?$", before))


_REPLACE = re.compile(
    r"\b(?:replace|substitute|change)\s+[`\"'](?P<text>[^`\"'\n]{1,60})[`\"']\s+(?:with|by|for)\s+(?P<what>[^.;\n]{1,100})",
    re.I,
)
_IS = re.compile(
    r"[`\"'](?P<text>[^`\"'\n]{1,60})[`\"']\s+(?:is|are|means|should\s+be|stands\s+for|represents)\s+(?P<what>[^.;\n]{1,120})",
    re.I,
)
# `… (represented by `X`)`: the words before the bracket are read back from it (`_before`), not
# matched forward from every character, which took minutes on a long line.
_REPRESENTED = re.compile(
    r"\((?:represented|shown|written)\s+(?:by|as)\s+[`\"'](?P<text>[^`\"'\n]{1,60})[`\"']", re.I
)


def _before(text: str, end: int, floor: int) -> str:
    """The words before `end` back to a full stop and space, a semicolon or a line break (not
    before `floor`), 80 characters at most."""
    start = end
    while start > floor and end - start < 80:
        char = text[start - 1]
        if char in ";\n" or (char == "." and text[start : start + 1].isspace()):
            break
        start -= 1
    return text[start:end]


_EXAMPLE = re.compile(r"^(?:e\.g\.\s*|for\s+example\s*|like\s*)?`([^`\n]{1,60})`", re.I)


def describe(
    placeholders: tuple[Placeholder, ...], commands: list[tuple[str, int]], prose: list[str]
) -> list[Placeholder]:
    """The placeholders with what the prose says of them, and the values it says to replace.

    `commands` are the texts (with their lines) the placeholders were found in; a value the prose
    says to replace ("replace `RECIPIENT` with your email") that appears in them becomes one too.
    """
    text = "\n".join(prose)
    described: dict[str, tuple[str, str]] = {}
    lowered = text.lower()
    # Each pattern is tried only where its words occur: the prose of a step can be long.
    patterns = [
        pattern
        for pattern, words in (
            (_REPLACE, ("replace", "substitute", "change")),
            (_IS, (" is ", " are ", " means ", " should be ", " stands ", " represents ")),
            (_REPRESENTED, ("represented", "shown as", "shown by", "written as", "written by")),
        )
        if any(word in lowered for word in words)
    ]
    for pattern in patterns:
        floor = 0
        for match in pattern.finditer(text):
            if pattern is _REPRESENTED:
                what = _before(text, match.start(), floor).strip().rstrip(",:")
                floor = match.end()
                if not what:
                    continue
            else:
                what = match.group("what").strip().rstrip(",:")
            example = _EXAMPLE.match(what)
            value = example.group(1) if example and pattern is _IS else ""
            described.setdefault(match.group("text").strip(), (_clean(what), value))
    out = []
    known = {p.text for p in placeholders}
    for placeholder in placeholders:
        said = described.get(placeholder.text) or described.get(placeholder.text.strip("<>[]{}"))
        if said:
            placeholder = replace(placeholder, description=said[0], example=said[1])
        out.append(placeholder)
    # "replace `RECIPIENT` with your email", "`k8s-context-name` is `docker-desktop`": the value
    # written in the command is one to fill in (with an example where the prose shows one).
    replaced = {m.group("text").strip() for m in _REPLACE.finditer(text)}
    replaced |= {written for written, (_, value) in described.items() if value}
    for written in replaced - known:
        pattern = re.compile(rf"(?<![\w-]){re.escape(written)}(?![\w-])")
        line = next((at for command, at in commands if pattern.search(command)), None)
        if line is not None:
            what, value = described[written]
            out.append(Placeholder(written, "example", line, what if not value else "", value))
    return out


def _clean(text: str) -> str:
    text = re.sub(r"[`*]", "", text).strip()
    return text[:-1].rstrip() if text.endswith(")") and text.count("(") < text.count(")") else text
