"""Loading the JSON Schemas shipped with the package, and validating documents against them."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema costs 50 ms to import; only annotations and answers files need it
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

__all__ = ["describe", "errors", "first_error", "load", "unknown_keys", "validator"]

_NAMES = ("annotations", "answers", "events", "graph")


@cache
def load(name: str) -> dict[str, Any]:
    """The schema `schemas/<name>.json`, from the installed package (wheel or checkout)."""
    text = resources.files("interpreter.schemas").joinpath(f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def _registry() -> Registry:
    from referencing import Registry, Resource

    # Schemas refer to each other by file name (graph.json uses annotations.json#/$defs/block).
    package = resources.files("interpreter.schemas")
    resources_ = [
        Resource.from_contents(load(name)) for name in _NAMES if package.joinpath(f"{name}.json").is_file()
    ]
    return Registry().with_resources((r.id(), r) for r in resources_ if r.id())  # type: ignore[misc]


@cache
def validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """A validator for a schema, or for one of its `$defs` when `definition` is given."""
    schema = load(name)
    if definition is not None:
        schema = {
            "$schema": schema["$schema"],
            "$id": schema["$id"],
            "$defs": schema["$defs"],
            "$ref": f"#/$defs/{definition}",
        }
    # The schemas are the package's own: the suite checks them against the metaschema
    # (tests/test_kinds.py), so a run does not pay for it on every start.
    return _strict_validator()(schema, registry=_registry())  # type: ignore[no-any-return]


@cache
def _strict_validator() -> Any:
    """Draft 2020-12 with `pattern` read as JSON Schema means it (ECMA-262): `$` is the very end.

    Python's `$` also matches before a final newline, so `^[A-Za-z_]+$` would let `NAME\n`
    through; jsonschema-rs (the events and the graph) already reads it the ECMA way.
    """
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, wanted: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not _ecma(wanted).search(instance):
            yield ValidationError(f"{instance!r} does not match {wanted!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})  # type: ignore[no-untyped-call]


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    """`pattern` with each `$` outside a character class made `\\Z` (the end, and only the end)."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


@cache
def _fast(name: str) -> Any:
    import jsonschema_rs

    registry = jsonschema_rs.Registry([(load(n)["$id"], load(n)) for n in _present()])
    return jsonschema_rs.validator_for(load(name), registry=registry)


def _present() -> list[str]:
    package = resources.files("interpreter.schemas")
    return [name for name in _NAMES if package.joinpath(f"{name}.json").is_file()]


def first_error(name: str, instance: object) -> str | None:
    """The first way a large document (a graph, an event) breaks its schema, or None.

    This is the hot path (every graph emitted, every event journaled), so it runs on
    jsonschema-rs, about a hundred times faster than jsonschema on a 1 MB runbook's graph.
    """
    for error in _fast(name).iter_errors(instance):
        where = "/".join(str(p) for p in error.instance_path)
        return f"{where or 'document'}: {error.message}"
    return None


def errors(name: str, instance: object, definition: str | None = None) -> list[ValidationError]:
    """Every way `instance` breaks the schema, in a stable order."""
    found = validator(name, definition).iter_errors(instance)
    return sorted(found, key=lambda e: ([str(p) for p in e.absolute_path], e.message))


def unknown_keys(error: ValidationError) -> tuple[list[str], list[str]]:
    """For an `additionalProperties` error: the unknown keys, and the keys the schema knows."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    known = list(schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    extra = sorted(str(k) for k in instance if k not in known and not str(k).startswith("x-"))
    return extra, known


def describe(error: ValidationError) -> str:
    """One line for a user: where in the document, and what is wrong."""
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        extra, known = unknown_keys(error)
        place = f" in {where}" if where else ""
        close = [m for k in extra for m in difflib.get_close_matches(k, known, n=1)]
        advice = (
            f"did you mean {', '.join(map(repr, close))}?"
            if close
            else ("known keys: " + ", ".join(sorted(known)))
        )
        return f"unknown key {', '.join(map(repr, extra))}{place}; {advice}"
    return f"{where or 'value'}: {error.message}"
