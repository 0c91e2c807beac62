"""Explicit annotations: fence attributes, `<!-- runbook: -->` comments and front matter, schema-checked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import jsonschemas
from .fences import is_foreign
from .source import Finding

if TYPE_CHECKING:  # PyYAML costs 13 ms to import: only front matter and runbook comments need it
    import yaml

__all__ = ["Annotation", "parse_comment", "parse_fence_info", "parse_front_matter"]

# From the first `{` (the `^[^{]*`: one start, not one per `{` of a long line) to a final `}`.
_ATTRS = re.compile(r"^[^{]*\{(.*)\}\s*$", re.S)
_PAIR = re.compile(r"""\s*([A-Za-z_][\w-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s}"']+))?(?=\s|$)""")
_COMMENT = re.compile(r"^\s*<!--\s*runbook:(.*?)-->\s*$", re.S)


@dataclass(frozen=True, slots=True)
class Annotation:
    """Validated explicit facts about one block or step (empty when none were written)."""

    values: dict[str, Any]
    """Keys and values as the schema `annotations.json#/$defs/block` allows them."""
    line: int
    """Where they were written."""


def _scalar(text: str) -> Any:
    if text[:1] in "\"'":
        return text[1:-1].replace('\\"', '"') if text[:1] == '"' else text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def _check(values: dict[str, Any], path: str, line: int, where: str) -> list[Finding]:
    return [
        Finding.of(
            "annotations/schema",
            path,
            line,
            f"{where}: {jsonschemas.describe(error)}",
            "fix the annotation; see schemas/annotations.json for the keys and types",
        )
        for error in jsonschemas.errors("annotations", values, "block")
    ]


def parse_fence_info(info: str, path: str, line: int) -> tuple[Annotation, list[Finding]]:
    """Read `{key=value ...}` after a fence's language."""
    match = _ATTRS.search(info)
    if match is None or is_foreign(info):  # MyST, Pandoc and R Markdown braces are not ours
        return Annotation({}, line), []
    body = match.group(1).replace(",", " ")
    values: dict[str, Any] = {}
    pos = 0
    while pos < len(body):
        if not body[pos:].strip():
            break
        pair = _PAIR.match(body, pos)
        if pair is None or pair.end() == pos:
            return Annotation({}, line), [
                Finding.of(
                    "annotations/syntax",
                    path,
                    line,
                    f"cannot read the fence attributes {{{match.group(1)}}} near {body[pos:].strip()!r}",
                    'write them as {key=value key2="quoted value"}',
                )
            ]
        key, raw = pair.group(1), pair.group(2)
        values[key.replace("-", "_")] = True if raw is None else _scalar(raw)
        pos = pair.end()
    findings = _check(values, path, line, "fence attributes")
    return Annotation({} if findings else values, line), findings


def parse_comment(html: str, path: str, line: int) -> tuple[Annotation, list[Finding]] | None:
    """Read a `<!-- runbook: {...} -->` comment; None when the HTML is something else."""
    match = _COMMENT.match(html)
    if match is None:
        return None
    import yaml

    from . import yamlsafe

    try:
        values = yamlsafe.load(match.group(1).strip() or "{}")
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        what = "is refused: it" if isinstance(exc, yamlsafe.YamlBudgetError) else "is not valid YAML:"
        return Annotation({}, line), [
            Finding.of(
                "annotations/syntax",
                path,
                line,
                f"runbook comment {what} {problem}",
                'write it as <!-- runbook: {optional: true, when: "staging available"} -->',
            )
        ]
    if not isinstance(values, dict):
        return Annotation({}, line), [
            Finding.of(
                "annotations/syntax",
                path,
                line,
                "runbook comment must hold a mapping such as {optional: true}",
                "write it as <!-- runbook: {key: value} -->",
            )
        ]
    values = _plain_data(values)
    findings = _check(values, path, line, "runbook comment")
    return Annotation({} if findings else values, line), findings


def _plain_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _key_lines(content: str, first_line: int) -> dict[tuple[str, ...], int]:
    """The line of every mapping key in the YAML, by path, for pointing at a bad key."""
    import yaml

    lines: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = first_line + key.start_mark.line
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, str(index))] = first_line + item.start_mark.line
                walk(item, (*path, str(index)))

    root = yaml.compose(content, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


# The front matter keys runbook acts on: a key written close to one of them is likely a slip.
_OURS = (
    "version", "status", "owner", "contacts", "last_updated", "review_by", "next_review", "variables",
    "secrets", "database", "target", "shell", "disable", "slugs",
)  # fmt: skip


def _misspelt(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Unknown keys that look like a misspelt key of ours (`ownr`, `review-by`), with that key."""
    import difflib

    known = set(jsonschemas.load("annotations")["$defs"]["front_matter"]["properties"])
    found = []
    for key in data:
        if key in known or key.startswith("x-"):
            continue
        close = difflib.get_close_matches(key.lower().replace("-", "_"), _OURS, n=1, cutoff=0.8)
        if close:
            found.append((key, close[0]))
    return found


def parse_front_matter(content: str, path: str, start: int) -> tuple[dict[str, Any], list[Finding]]:
    """Read and check the YAML front matter whose `---` line is `start`."""
    import yaml

    from . import yamlsafe

    first = start + 1
    try:
        data = yamlsafe.load(content) if content.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first + mark.line if mark is not None else start
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        what = "is refused: it" if isinstance(exc, yamlsafe.YamlBudgetError) else "is not valid YAML:"
        return {}, [
            Finding.of(
                "annotations/front-matter",
                path,
                line,
                f"front matter {what} {problem}",
                "fix the YAML between the --- lines at the top of the file",
            )
        ]
    if not isinstance(data, dict):
        return {}, [
            Finding.of(
                "annotations/front-matter",
                path,
                first,
                "front matter must be a YAML mapping of keys to values",
                "write key: value lines between the --- lines",
            )
        ]
    data = _plain_data(data)
    # YAML reads `version: 1.10` as the number 1.1; keep the version as written.
    if isinstance(data.get("version"), (int, float)):
        raw = re.search(r"^version\s*:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", content, re.M)
        if raw:
            data["version"] = raw.group(1)
    found = jsonschemas.errors("annotations", data, "front_matter")
    misspelt = _misspelt(data)
    if not found and not misspelt:
        return data, []
    lines = _key_lines(content, first)
    findings = [
        Finding.of(
            "annotations/front-matter-key",
            path,
            lines.get((key,), first),
            f"front matter key {key!r} is not one runbook reads; did you mean {ours!r}?",
            f"rename it to {ours} if that is what it means; other tools' keys are kept as they are",
        )
        for key, ours in misspelt
    ]
    for error in found:
        keys = tuple(str(p) for p in error.absolute_path)
        hint = "fix the value; schemas/annotations.json gives each key's type"
        if error.validator == "propertyNames":
            hint = "variable names are letters, digits and _, not starting with a digit"
        findings.append(
            Finding.of(
                "annotations/front-matter",
                path,
                lines.get(keys, first),
                f"front matter: {jsonschemas.describe(error)}",
                hint,
            )
        )
    return data, findings
