"""Running `shell` and `console` blocks: in the run's bash session, or in a container (`target=`).

Where a shell command runs is its target, not its kind: a `bash {target=container:api}` block is
read exactly like any bash block (same commands, placeholders and destructive checks), so the
container is a target of this executor (`container.py`), not a kind of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...policy.values import substitute
from ..context import ExecutorContext, Output, Planned
from ..handover import open_session
from ..session import CommandResult
from .container import container_name, run_in_container

__all__ = ["SHELL", "ShellExecutor"]


class ShellExecutor:
    """Commands of `shell` and `console` blocks, one at a time, state carried between them."""

    kinds = frozenset({"shell", "console"})
    edit_refusal: str | None = None

    def secret_variables(self, block: Mapping[str, Any]) -> frozenset[str]:
        return frozenset()  # known by their names, as everywhere

    def plan(
        self, block: Mapping[str, Any], settings: Mapping[str, Any], values: Mapping[str, str]
    ) -> list[Planned]:
        target = block["annotation"].get("target") or settings.get("target")
        kind = block["kind"]
        within = block["annotation"].get("within")  # the block's checks may take that long to hold
        texts = [
            substitute(c["text"], {t: v for t, v in values.items() if t in c["text"]})
            for c in block["commands"]
        ]
        if container_name(target) is not None and len(texts) > 1:
            # Inside a container the block runs as one `sh -e` script: its `cd` and variables
            # carry from line to line, as they do in the local session, and it stops at the first
            # failing line.
            return [
                Planned(
                    kind,
                    "\n".join(texts),
                    never_ending=any(c["never_ending"] for c in block["commands"]),
                    expectations=tuple(
                        _timed(e, within) for c in block["commands"] for e in c["expectations"]
                    ),
                    target=target,
                    destructive=tuple(r for c in block["commands"] for r in c.get("destructive", ())),
                )
            ]
        return [
            Planned(
                kind,
                text,
                never_ending=command["never_ending"] and not command["session"],
                expectations=tuple(_timed(e, within) for e in command["expectations"]),
                target=target,
                destructive=tuple(command.get("destructive", ())),
                detail=_session(command) if container_name(target) is None else {},
            )
            for text, command in zip(texts, block["commands"], strict=True)
        ]

    def starts_process(self, command: Planned) -> bool:
        # A session the terminal is handed to (handover.py) is journaled as started before it
        # opens, with no process group of its own to name.
        return container_name(command.target) is None and not command.detail.get("session")

    def run(
        self,
        ctx: ExecutorContext,
        node: Mapping[str, Any],
        command: Planned,
        out: Output,
        limit: float | None,
    ) -> CommandResult:
        if command.detail.get("session"):
            return open_session(ctx, node, command)  # the terminal handed over (handover.py)
        inside = container_name(command.target)
        if inside is not None:
            # Container output arrives in this thread: mask, record, show.
            return run_in_container(ctx, node, command.text, inside, out.write, limit, command.never_ending)
        return ctx.session.run(
            command.text,
            out.show,
            early=out.record,
            capture=tuple(node.get("sets", [])),
            timeout=limit,
            never_ending=command.never_ending,
            on_spawn=out.began,  # the journal names the process group before the command runs
        )


def _timed(expectation: Mapping[str, Any], within: float | None) -> dict[str, Any]:
    if within and expectation["literal"] and not expectation.get("within"):
        return {**expectation, "within": within}
    return dict(expectation)


def _session(command: Mapping[str, Any]) -> dict[str, Any]:
    """For a command that opens a session: the session, and what later steps type inside it."""
    if not command.get("session"):
        return {}
    return {"session": command["session"], "inside": tuple(i["text"] for i in command.get("inside", []))}


SHELL = ShellExecutor()
