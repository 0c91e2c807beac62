"""The runbook model: what a runbook means, inferred from its document tree, with source spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

from ..parse.source import Finding, Span
from .kinds import BlockKind

__all__ = [
    "Branch",
    "Choice",
    "CodeBlock",
    "Command",
    "Criteria",
    "CriteriaGroup",
    "DecisionRow",
    "DecisionTable",
    "Duration",
    "Expectation",
    "Gate",
    "GateItem",
    "Link",
    "Metadata",
    "Node",
    "Placeholder",
    "Procedure",
    "Reference",
    "Risk",
    "Runbook",
    "Step",
    "Variable",
    "walk_steps",
]


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a command's output should be, as the runbook says it."""

    text: str
    """The expectation as written, without `# Expected:`."""
    literal: bool
    """True when it can be checked against the output (JSON or quoted text); else the operator confirms."""
    line: int
    within: float | None = None
    """Seconds the condition may take to hold (`# Expected within 5m: …`): the command, when it is
    read-only, is run again until it holds or the time is up. None: checked once."""


PlaceholderKind = Literal[
    "angle", "path", "commit", "timestamp", "field", "bracket", "brace", "word", "example"
]
"""angle `<pod>`; path `/path/to/x`; commit `abc123f`; timestamp; field `[Date]` of a message template;
bracket `[POD_NAME]`; brace `{reason}`; word `CHANGEME`, `NAMESPACE`, `XX`; example: a value the prose
says to replace."""


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Text in a command that stands for a value the operator must supply."""

    text: str
    """As written: `<stable-tag>`, `/path/to/app`, `abc123f`, `[Date/Time]`, `[POD_NAME]`, `{reason}`."""
    kind: PlaceholderKind
    line: int
    description: str = ""
    """What the runbook says the value is (`where <hub> is the name of the hub`), to show when asking."""
    example: str = ""
    """An example value the runbook gives: shown as an example, never offered as the default."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command of a shell block (continuation lines joined), or one `$ ` line of a console block."""

    text: str
    span: Span
    comment: str
    """The comment lines just above it, which usually say what it does."""
    destructive: tuple[str, ...]
    """Why it is destructive (empty when it is not)."""
    never_ending: bool
    """True when it runs until stopped (`logs -f`, `tail -f`, `watch`)."""
    expectations: tuple[Expectation, ...]
    session: str = ""
    """For a command that opens a session the operator then works in (`ssh db-1`, `oc debug node/x`,
    `kubectl exec -it pod -- bash`, `psql` with no query): that session, as written. It runs with the
    terminal handed over, and the commands written after it are typed there (see `where`)."""
    where: str = ""
    """For a command the operator types elsewhere (inside a session opened before it, or into
    another program such as `psql` or a Rails console): where. Such commands are never run here."""


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced block with what inference made of it."""

    lang: str
    kind: BlockKind
    code: str
    span: Span
    commands: tuple[Command, ...]
    uses: tuple[str, ...]
    """Variables the block reads (`$NAME`), in order of first use."""
    sets: tuple[str, ...]
    """Variables the block assigns (`NAME=...`, `export NAME`, `read NAME`)."""
    placeholders: tuple[Placeholder, ...]
    typed: tuple[Command, ...] = ()
    """Commands written in the block for the operator to type elsewhere (each says where): in a
    session a command before them opened, or into another program (`db=# `, `mysql> ` lines).
    They are shown, never run; `commands` holds only what runs on this machine."""
    fields: tuple[str, ...] = ()
    """For a template: the `[Bracketed]` fields to fill."""
    annotation: dict[str, Any] = field(default_factory=dict)
    """Explicit fence attributes and runbook comments, schema-checked."""
    code_line: int = 0
    """The Markdown line of the code's first line."""


@dataclass(frozen=True, slots=True)
class Step:
    """A unit of work the operator confirms: a numbered step, a checklist item, an option's body."""

    id: str
    """Stable, unique id derived from the document, such as `2.3` or `2.3.b`."""
    title: str
    span: Span
    kind: Literal["step", "check", "option"] = "step"
    number: int | None = None
    prose: tuple[str, ...] = ()
    """Paragraphs and bullets as Markdown, in order."""
    blocks: tuple[CodeBlock, ...] = ()
    checks: tuple[str, ...] = ()
    """`- [ ]` sub-items to acknowledge one by one."""
    optional: bool = False
    when: str = ""
    """For an optional step: the condition the operator is asked about."""
    warnings: tuple[str, ...] = ()
    """Warning text in the step's prose or comments (`WARNING`, `> [!CAUTION]`)."""
    annotation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Branch:
    """One way through a choice."""

    key: str
    """What the operator answers: `a`, `b`, `1`, a variant's slug."""
    title: str
    nodes: tuple[Node, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Choice:
    """The operator takes exactly one branch, then the graph goes on."""

    id: str
    kind: Literal["variant", "option", "alternative"]
    """variant: sub-headings under Steps; option: Option A/B in a step; alternative: `Or …` steps."""
    title: str
    branches: tuple[Branch, ...]
    span: Span
    step: Step | None = None
    """For an option choice: the step holding it (its title and prose come first)."""


@dataclass(frozen=True, slots=True)
class GateItem:
    """A prerequisite to acknowledge."""

    id: str
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Gate:
    """Prerequisites, all acknowledged before the first step."""

    id: str
    title: str
    items: tuple[GateItem, ...]
    span: Span


Node = Union[Step, Choice, Gate]


@dataclass(frozen=True, slots=True)
class Duration:
    """A time budget in minutes, as stated (`15-30 minutes`, `<1 minute`)."""

    min: float
    max: float
    text: str


@dataclass(frozen=True, slots=True)
class Risk:
    """A stated risk level."""

    level: Literal["very low", "low", "medium", "high", "critical"]
    text: str


@dataclass(frozen=True, slots=True)
class Procedure:
    """A runnable unit: a procedure, or a runnable section such as a checklist."""

    id: str
    """The procedure's number as text (`2`), or a section's slug."""
    kind: Literal["procedure", "section"]
    title: str
    slug: str
    """Slug of the title alone (`database-migration-rollback`)."""
    anchor: str
    """The heading's anchor as GitHub computes it."""
    span: Span
    nodes: tuple[Node, ...]
    number: int | None = None
    use_case: str = ""
    duration: Duration | None = None
    risk: Risk | None = None
    prerequisites: str = ""


@dataclass(frozen=True, slots=True)
class DecisionRow:
    cells: tuple[str, ...]
    line: int
    response_minutes: float | None = None
    """For a severity table: the response-time target of this row, when it states one."""


TableKind = Literal["severity", "trigger", "decision"]


@dataclass(frozen=True, slots=True)
class DecisionTable:
    """A table whose columns read as condition → outcome."""

    id: str
    title: str
    kind: TableKind
    columns: tuple[str, ...]
    condition: str
    """The column that states the condition."""
    outcomes: tuple[str, ...]
    """The columns that state what follows."""
    rows: tuple[DecisionRow, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class CriteriaGroup:
    title: str
    severity: str
    """`P0`…`P3` (or another level) when the title names one."""
    items: tuple[GateItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Criteria:
    """Checklists of conditions grouped by severity (Manual Rollback Criteria)."""

    id: str
    title: str
    groups: tuple[CriteriaGroup, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Variable:
    """A value a run needs: declared in front matter or read by a block without being set."""

    name: str
    secret: bool
    prompt: str = ""
    default: str | None = None
    declared: bool = False
    """True when front matter declares it."""


@dataclass(frozen=True, slots=True)
class Metadata:
    """Document-level facts."""

    title: str = ""
    version: str = ""
    last_updated: str = ""
    """ISO date when it could be read, else as written."""
    status: str = ""
    owner: str = ""
    next_review: str = ""
    """ISO date when it could be read, else as written."""
    contacts: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    """Other `**Key:** value` lines, by key as written."""
    lines: dict[str, int] = field(default_factory=dict)
    """Where each field was read."""


@dataclass(frozen=True, slots=True)
class Reference:
    """Code outside any runnable unit: shown, never run unless asked for explicitly."""

    section: str
    anchor: str
    block: CodeBlock


@dataclass(frozen=True, slots=True)
class Link:
    """A link in the text: `[text](target)`."""

    target: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Runbook:
    """Everything inferred from one runbook file."""

    path: str
    sha256: str
    metadata: Metadata
    procedures: tuple[Procedure, ...]
    sections: tuple[Procedure, ...]
    """Runnable non-procedure sections (checklists with commands, numbered steps outside procedures)."""
    decisions: tuple[DecisionTable, ...]
    criteria: tuple[Criteria, ...]
    reference: tuple[Reference, ...]
    variables: tuple[Variable, ...]
    front_matter: dict[str, Any]
    findings: tuple[Finding, ...]
    anchors: tuple[str, ...] = ()
    """Anchors written explicitly: heading `{#id}`s, HTML `id=`/`<a name=>`, MyST `(label)=` targets."""
    targets: tuple[str, ...] = ()
    """The MyST `(label)=` targets among the anchors, which links in other files of a project may name."""
    headings: tuple[str, ...] = ()
    """Every heading's plain text in order, whose slugs (GitHub's or GitLab's rules) are anchors too."""
    links: tuple[Link, ...] = ()
    """Every link written in the text."""


def walk_steps(nodes: tuple[Node, ...]) -> list[Step]:
    """Every step under `nodes`, in document order, through choices and branches."""
    steps: list[Step] = []
    for node in nodes:
        if isinstance(node, Step):
            steps.append(node)
        elif isinstance(node, Choice):
            if node.step is not None:
                steps.append(node.step)
            for branch in node.branches:
                steps += walk_steps(branch.nodes)
    return steps
