"""Validation results as text for people, JSON for tools, GitHub annotations and JUnit XML for CI."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..parse.source import Finding

if TYPE_CHECKING:
    from rich.console import Console

    from . import FileResult

__all__ = ["effective", "exit_code", "github", "junit", "text", "to_json"]


def effective(finding: Finding, strict: bool) -> str:
    """The severity that counts: with --strict, warnings are errors."""
    return "error" if strict and finding.severity == "warning" else finding.severity


def to_json(results: list[FileResult], strict: bool) -> str:
    return json.dumps(
        {
            "files": [
                {
                    "path": r.path,
                    "error": r.error or None,
                    "findings": [{**f.to_json(), "severity": effective(f, strict)} for f in r.findings],
                }
                for r in results
            ],
            "summary": summary(results, strict),
        },
        indent=2,
        ensure_ascii=False,
    )


def summary(results: list[FileResult], strict: bool) -> dict[str, int]:
    counts = {
        "files": len(results),
        "unreadable": sum(1 for r in results if r.error),
        "error": 0,
        "warning": 0,
        "info": 0,
    }
    for result in results:
        for finding in result.findings:
            counts[effective(finding, strict)] += 1
    return counts


def _property(text: str) -> str:
    return (
        text.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(",", "%2C")
        .replace(":", "%3A")
    )


def _message(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github(results: list[FileResult], strict: bool) -> str:
    """Workflow commands that GitHub Actions shows as annotations on the pull request's lines."""
    lines = []
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for result in results:
        if result.error:
            lines.append(f"::error file={_property(result.path)},title=unreadable::{_message(result.error)}")
        for f in result.findings:
            lines.append(
                f"::{level[effective(f, strict)]} file={_property(f.file)},line={f.line},col={f.column},"
                f"title={_property(f.rule)}::{_message(f.message + (' — ' + f.hint if f.hint else ''))}"
            )
    return "\n".join(lines)


def junit(results: list[FileResult], strict: bool) -> str:
    """JUnit XML: one test case per file, a failure per error finding (warnings as system-out)."""
    from xml.sax.saxutils import escape, quoteattr  # lazy: it imports urllib, 15 ms of start-up

    counts = summary(results, strict)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name="runbook validate" tests="{len(results)}" '
        f'failures="{sum(1 for r in results if any(effective(f, strict) == "error" for f in r.findings))}" '
        f'errors="{counts["unreadable"]}">',
    ]
    for result in results:
        out.append(f'  <testcase classname="runbook" name={quoteattr(result.path)}>')
        if result.error:
            out.append(f"    <error message={quoteattr(result.error)}/>")
        errors = [f for f in result.findings if effective(f, strict) == "error"]
        others = [f for f in result.findings if effective(f, strict) != "error"]
        for f in errors:
            out.append(
                f"    <failure type={quoteattr(f.rule)} message={quoteattr(f.message)}>"
                f"{escape(str(f))}</failure>"
            )
        if others:
            out.append("    <system-out>" + escape("\n".join(str(f) for f in others)) + "</system-out>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out)


def text(results: list[FileResult], strict: bool, console: Console, held: int = 0) -> None:
    """Grouped by file, coloured on a terminal and plain when piped; `held`: findings a baseline held."""
    from ..markup import escape  # rich's own escape, without importing rich
    from ..policy.terminal import visible

    def markup(text: str) -> str:
        return escape(visible(text))  # a message may quote a runbook line: shown, never obeyed

    styles = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for result in results:
        if not result.findings and not result.error:
            continue
        console.print(f"[bold]{markup(result.path)}[/]")
        if result.error:
            console.print(f"  [bold red]unreadable[/] {markup(result.error)}")
        for f in result.findings:
            level = effective(f, strict)
            hint = f"\n      [dim]{markup(f.hint)}[/]" if f.hint else ""
            console.print(
                f"  {f.line}:{f.column}  [{styles[level]}]{level}[/]  {markup(f.message)}  "
                f"[dim]{f.rule}[/]{hint}"
            )
    counts = summary(results, strict)
    console.print(
        f"{counts['files']} file(s): {counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} note(s)"
        + (f", {counts['unreadable']} unreadable" if counts["unreadable"] else "")
        + (f"; {held} more held back by the baseline" if held else "")
    )


def exit_code(results: list[FileResult], strict: bool) -> int:
    """3 when a file could not be read, 1 when a finding fails the gate, else 0."""
    counts = summary(results, strict)
    return 3 if counts["unreadable"] else 1 if counts["error"] else 0
