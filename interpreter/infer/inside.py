"""Commands written for inside a session are typed there, never run here.

After a command opens a session (`ssh host`, `oc debug node/x`, `kubectl exec -it pod -- bash`,
`chroot /host`, `psql`), the commands written after it (in that block, the step's later blocks and
the steps after it) are for the operator to type in that session, until one of them is `exit`
(or `\\q`, `logout`) or the prose says to leave. A step whose text says to SSH or exec into
something has its commands typed there too. The session-opening command itself still runs, with
the terminal handed over; everything after it moves to the block's `typed` list.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model.kinds import KINDS
from ..model.kinds import runs as kind_runs
from ..model.runbook import Choice, CodeBlock, Command, Node, Step
from ..parse.source import Span
from ..policy.risk import assess_typed
from ..policy.risk.typed import typed_program
from .sessions import closes_session

__all__ = ["place_commands"]

# After the word that leaves, the place it leaves within 40 characters, not past another word
# that leaves (which starts a search of its own): without that, `quit quit quit…` read 40
# characters from every one.
_LEAVING = r"\b(?:exit|log\s*out|logout|disconnect|leave|quit|detach)\b"
_LEAVE = re.compile(
    rf"{_LEAVING}(?:(?!{_LEAVING})[^.\n]){{0,40}}?"
    r"\b(?:pod|node|host|shell|session|container|console|psql|ssh|box|vm|instance|server|machine|screen|chroot)\b"
    r"|^\W*exit\b",
    re.I | re.M,
)
_ENTER = re.compile(
    r"\b(?:ssh|log\s*in|login|exec|connect|get\s+a\s+shell|open\s+a\s+shell|shell\s+session)\s+(?:in)?to\s+"
    r"(?:the\s+|your\s+|a\s+|an\s+)?(?P<what>[\w`.-]+(?:\s+[\w`.-]+){0,2})"
    r"|\b(?:inside|in|into)\s+the\s+(?P<where>(?:[\w`.-]+\s+)?(?:pod|container|vm|bastion|jump\s*box))\b"
    r"|^\W*(?:on|from)\s+(?P<on>(?:each|every|the|a|your)\s+(?:[\w`.-]+\s+){0,2}?"
    r"(?:vm|vms|node|nodes|host|hosts|server|servers|instance|machine|bastion))\b",
    re.I,
)
# Programs that talk to a cluster or cloud from the operator's machine: "on the node, check its pods
# with kubectl" still runs kubectl here.
_LOCAL_TOOLS = frozenset({"kubectl", "oc", "gcloud", "aws", "az", "helm", "terraform", "gh", "git", "doctl"})


def place_commands(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """The nodes of a unit with every command meant for inside a session moved to `typed`."""
    return _walk(nodes, "")[0]


def _walk(nodes: tuple[Node, ...], inside: str) -> tuple[tuple[Node, ...], str]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Step):
            step, inside = _step(node, inside)
            out.append(step)
        elif isinstance(node, Choice):
            held = node.step
            if held is not None:
                held, inside = _step(held, inside)
            branches = []
            ends = []
            for branch in node.branches:
                walked, end = _walk(branch.nodes, inside)
                branches.append(replace(branch, nodes=walked))
                ends.append(end)
            inside = ends[0] if len(set(ends)) == 1 else inside
            out.append(replace(node, step=held, branches=tuple(branches)))
        else:
            out.append(node)
    return tuple(out), inside


def _entered(step: Step) -> str:
    """Where the step's own text says its commands are typed (`SSH into the bastion`), else ""."""
    text = " ".join([step.title, *(p.split("\n", 1)[0] for p in step.prose[:1])])
    match = _ENTER.search(text)
    if match is None:
        return ""
    return (match.group("what") or match.group("where") or match.group("on") or "").strip("` ")


def _step(step: Step, inside: str) -> tuple[Step, str]:
    # "Exec into the pod:" above the `kubectl exec` that does it names that command, not a place.
    opens = any(c.session for b in step.blocks for c in b.commands)
    said = _entered(step) if not inside and not opens else ""
    local = inside or said
    blocks = []
    for block in step.blocks:
        placed, local = _block(block, local, keep_local=bool(said))
        blocks.append(placed)
    if said and local == said:
        local = ""  # the prose put this step's commands there; later steps are not assumed to be
    if local and any(_LEAVE.search(text) for text in (step.title, *step.prose)):
        local = ""
    return replace(step, blocks=tuple(blocks)), local


_CONTAINER_SESSION = re.compile(r"(?:^|\s)(?:kubectl|oc|k|docker|podman|nerdctl|docker-compose)\s")


def _in_a_container(where: str) -> bool:
    """Whether the session commands are typed in was opened in a pod, container or node (`kubectl
    exec -it`, `oc debug node/x`, `docker exec -it`): such shells rarely hold the cluster's
    credentials, unlike a bastion reached with `ssh`."""
    outer = where.split(" (in ")[-1] if " (in " in where else where
    return bool(_CONTAINER_SESSION.search(outer))


def _program(text: str) -> str:
    words = [w for w in text.split() if w != "sudo" and "=" not in w]
    return words[0] if words else ""


# The fence languages a session's program reads: Ruby after `rails c`, Python after `python3`.
_SPOKEN = {
    "rails": frozenset({"ruby", "rb", "irb"}),
    "irb": frozenset({"ruby", "rb", "irb"}),
    "pry": frozenset({"ruby", "rb"}),
    "python": frozenset({"python", "py", "python3", "pycon"}),
    "python3": frozenset({"python", "py", "python3", "pycon"}),
    "node": frozenset({"javascript", "js"}),
    "mongo": frozenset({"javascript", "js", "mongo"}),
    "mongosh": frozenset({"javascript", "js", "mongo"}),
    "redis-cli": frozenset({"redis"}),
}


def _spoken(block: CodeBlock, inside: str) -> CodeBlock:
    """A fence in the language of the session it follows (```ruby after `rails c`): typed there."""
    if not inside or block.lang not in _SPOKEN.get(typed_program(inside), frozenset()):
        return block
    code = block.code.rstrip("\n")
    first = block.code_line or block.span.start + 1
    typed = Command(
        code,
        Span(block.span.file, first, first + code.count("\n")),
        "",
        assess_typed(code, inside).reasons,
        False,
        (),
        where=inside,
    )
    return replace(block, kind="text", typed=(typed,))


def _block(block: CodeBlock, inside: str, keep_local: bool = False) -> tuple[CodeBlock, str]:
    if not kind_runs(block.kind):
        return _spoken(block, inside), inside
    if not (inside or any(c.session for c in block.commands)):
        return block, inside
    if not KINDS[block.kind].shell:  # queries or requests written for the session
        if not inside:
            return block, inside
        # Queries written after `psql` (or inside a pod) are typed there, not run on our connection.
        queries = tuple(replace(c, where=inside) for c in block.commands)
        return replace(block, kind="text", commands=(), typed=queries, uses=(), sets=()), inside
    items: list[tuple[int, bool, Command]] = sorted(
        [(c.span.start, True, c) for c in block.commands] + [(c.span.start, False, c) for c in block.typed],
        key=lambda item: item[0],
    )
    run: list[Command] = []
    typed: list[Command] = []
    before: str | None = None
    """Where commands went before a session this block opened; None when it opened none."""
    prompted = False
    """A line after the session's opening carries the program's own prompt (`db=# `): a transcript."""
    for _, runs, command in items:
        if not runs:
            typed.append(replace(command, where=command.where or inside or ""))
            prompted = prompted or (before is not None and bool(command.where))
            continue
        if inside and _program(command.text) in _LOCAL_TOOLS and _in_a_container(inside):
            inside = ""  # `kubectl …` after a pod's shell: the author left it; it runs here again
        if inside and not (keep_local and _program(command.text) in _LOCAL_TOOLS):
            # Read again in the language of where it is typed: `DROP TABLE x;` after `psql` is SQL.
            reasons = assess_typed(command.text, inside).reasons
            typed.append(replace(command, where=inside, session="", destructive=reasons))
            if closes_session(command.text):
                inside = ""
            elif command.session:
                inside = f"{command.session} (in {inside})"
            continue
        run.append(command)
        if command.session:
            before = inside if before is None else before
            inside = command.session
    if prompted and before is not None:
        # A transcript shows the session from its prompts (`$ psql`, then `db=# …` lines): what
        # it shows ends with the block, and the next block is the local shell's again.
        inside = before
    if len(run) == len(block.commands):
        return replace(block, typed=tuple(typed)), inside
    texts = "\n".join(c.text for c in run)
    return (
        replace(
            block,
            kind=block.kind if run else "text",
            commands=tuple(run),
            typed=tuple(typed),
            uses=tuple(n for n in block.uses if re.search(rf"\$\{{?{n}\b", texts)),
            sets=tuple(n for n in block.sets if re.search(rf"\b{n}=|\b(?:read|for)\b[^\n]*\b{n}\b", texts)),
            placeholders=tuple(p for p in block.placeholders if p.text in texts),
        ),
        inside,
    )
