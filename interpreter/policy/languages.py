"""What a fence labelled as shell holds when it is not shell, and the language to label it with.

Runbooks put many things in `sh` fences: PromQL queries, psql and mysql transcripts, Ruby
consoles, YAML and JSON files, fish commands, command output and logs. None of them is a shell
syntax error; each is a fence with the wrong label (`code/not-shell`), and the run must not
execute it as shell. The signals are read from the text alone, in one pass over its lines:
strong ones (a psql prompt, a JSON document, a PromQL selector, YAML keys on every line) hold
whether or not bash accepts the text; output and prose are only judged in text bash rejects.
"""

from __future__ import annotations

import json
import re

__all__ = ["not_shell"]

# Transcripts of other programs, by their prompts.
_TRANSCRIPTS = (
    (re.compile(r"^[\w-]+(?:=|-|\()[#>](?:\s+\S|$)"), "psql"),  # db=# SELECT …, db-> continued, db(> …
    (re.compile(r"^(?:mysql|MariaDB \[[^\]]*\])>\s"), "mysql"),
    (re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|redis[\w.-]*)(?::\d+)?(?:\[\d+\])?>\s"), "redis"),
    (re.compile(r"^(?:irb\([^)]*\):\d+(?::\d+)?[>*]|\[\d+\] pry\([^)]*\)>|[\w-]+\(\w+\)>)\s"), "ruby"),
    (re.compile(r"^>>>\s"), "python"),
    (re.compile(r"^[a-z][\w/.-]*> \S"), "session"),  # gpg/card> admin, ftp> get x
)
_PROMQL_SELECTOR = re.compile(r"^[a-zA-Z_:][\w:]*\{\s*[a-zA-Z_]\w*\s*(?:=~|!~|!=|=)\s*\"")
_PROMQL_CALL = re.compile(
    r"^(?:sum|avg|min|max|count|count_values|stddev|topk|bottomk|quantile|rate|irate|increase|delta"
    r"|idelta|deriv|predict_linear|histogram_quantile|absent|absent_over_time|label_replace|label_join"
    r"|\w+_over_time|sort|sort_desc|clamp_min|clamp_max|round|ceil|floor|abs|vector|scalar|time)"
    r"\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\("
)
_SQL = re.compile(
    r"^(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|GRANT|REVOKE|TRUNCATE|WITH|EXPLAIN|SHOW|VACUUM"
    r"|ANALYZE|REINDEX|BEGIN|COMMIT|ROLLBACK|SET\s+\w+\s*(?:=|TO))\b"
)
_FISH = re.compile(r"^set\s+-[a-zA-Z]*[xgU][a-zA-Z]*\s+[A-Za-z_]\w*\s+\S")
_YAML_KEY = re.compile(r"""^(?:-\s+)?(?:[\w.-]+|"[^"]*"|'[^']*')\s*:(?:\s|$)""")
_YAML_ITEM = re.compile(r"^-(?:\s|$)")
_INI_SECTION = re.compile(r"^\[[\w .\"'-]+\]$")
_INI_PAIR = re.compile(r"^[\w.-]+\s*=\s*")
_TEMPLATE = re.compile(r"\{\{(?:[^{}]|\{(?!\{)|\}(?!\}))*\}\}")  # linear: no `.*` from every `{{`
# A line that starts as a command line does: a lower-case word, an assignment, a path, `$(`, `{`.
_COMMAND = re.compile(r"^(?:[A-Za-z_]\w*=|[a-z0-9_./~\[@-][\w./~+@%,:=\[\]-]*(?:\s|$)|[$({!`]|\.{1,2}/|\\$)")
# Output as tools print it: `docker: Error …`, `port   : 53`, `...`, `ls -l` rows, `tree`'s
# branches, columns set apart by runs of spaces, another program's `gpg/card> ` prompt.
_OUTPUT = re.compile(
    r"^(?:[\w.\[\]-]+\s*:\s|\.\.\.$|…$|[-dlcbps][rwxsStT-]{9}[@+.]?\s|.*[│├└┌┐┘┬┴┼─]"
    r"|\S.*\S {3,}[A-Z])"
)
_PAIRS = re.compile(r"^[\w.-]+\s+=\s+\S")


def _lines(code: str) -> list[str]:
    return [s for line in code.split("\n") if (s := line.strip()) and not s.startswith("#")]


def _transcript(lines: list[str]) -> str | None:
    for line in lines:
        for pattern, language in _TRANSCRIPTS:
            if pattern.match(line):
                return language
    return None


def _document(code: str, lines: list[str]) -> str | None:
    text = code.strip()
    if text[:1] in "{[" and text[-1:] in "}]":
        try:
            json.loads(text)
            return "json"
        except ValueError:
            pass
    if _PROMQL_SELECTOR.match(lines[0]) or _PROMQL_CALL.match(lines[0]):
        return "promql"
    if _SQL.match(lines[0]) and text.rstrip().endswith(";"):
        return "sql"
    if any(_FISH.match(line) for line in lines):
        return "fish"
    if len(lines) >= 2:
        at_left = [line for line in code.split("\n") if line.strip() and not line[0].isspace()]
        if all(_YAML_KEY.match(line) or _YAML_ITEM.match(line) for line in lines) and any(
            _YAML_KEY.match(line) for line in at_left
        ):
            return "yaml"
        if any(_INI_SECTION.match(line) for line in lines) and all(
            _INI_SECTION.match(line) or _INI_PAIR.match(line) for line in lines
        ):
            return "ini"
    if all(_PAIRS.match(line) for line in lines):
        # `key = value` is never an assignment in shell: a tfvars, HCL or INI file.
        return "hcl" if any(re.search(r"=\s*(?:true|false|\[|\{|\"|\d)", line) for line in lines) else "ini"
    return None


def _prose_or_output(lines: list[str]) -> str | None:
    if all(_TEMPLATE.search(line) for line in lines):
        return "go-template"
    odd = sum(1 for line in lines if _OUTPUT.match(line) or not _COMMAND.match(line))
    return "text" if odd * 2 >= len(lines) else None


def not_shell(code: str, parses: bool) -> str | None:
    """The language the fence's content is written in when it is not shell, else None.

    `parses` says whether bash accepts the text (prompts and placeholders set aside): command
    output, logs and prose are only recognised in text it rejects, so a broken command is still
    a syntax error.
    """
    lines = _lines(code)
    if not lines:
        return None
    found = _transcript(lines) or _document(code, lines)
    if found is None and not parses:
        found = _prose_or_output(lines)
    return found
