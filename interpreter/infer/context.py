"""What inference shares across one runbook: where findings go, the ids already taken, fences used."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model.runbook import CodeBlock
from ..parse.annotations import parse_comment, parse_fence_info
from ..parse.document import Fence, Html
from ..parse.source import Finding
from .blocks import code_block

__all__ = ["Context", "id_slug"]


def id_slug(text: str) -> str:
    """A short id part from a title: `Render.com Deployment` → `render-com-deployment`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass(slots=True)
class Context:
    """What step inference shares across a runbook: where it reports, and ids already taken."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    fences: set[int] = field(default_factory=set)
    """Start lines of the fences that became part of a runnable unit."""

    def unique(self, wanted: str, line: int) -> str:
        if wanted not in self.ids:
            self.ids.add(wanted)
            return wanted
        n = 2
        while f"{wanted}-{n}" in self.ids:
            n += 1
        self.findings.append(
            Finding.of(
                "structure/duplicate-id",
                self.path,
                line,
                f"id {wanted} is already used; this node gets {wanted}-{n}",
                "number the steps without repeats, or give the node an id annotation",
            )
        )
        self.ids.add(f"{wanted}-{n}")
        return f"{wanted}-{n}"

    def annotation(self, block: Html) -> dict[str, Any] | None:
        parsed = parse_comment(block.content, self.path, block.span.start)
        if parsed is None:
            return None
        self.findings.extend(parsed[1])
        return parsed[0].values

    def code(
        self, fence: Fence, annotation: dict[str, Any], trusted: bool = False, shown: bool = False
    ) -> CodeBlock:
        """A fence of a runnable unit as a code block. `trusted`: the prose before it says to run it;
        `shown`: the prose says it is output or an example, so nothing in it runs."""
        attrs, problems = parse_fence_info(fence.info, self.path, fence.span.start)
        self.findings.extend(problems)
        self.fences.add(fence.span.start)
        return code_block(fence, not shown, {**annotation, **attrs.values}, self.findings, trusted)
