"""Decision tables (condition → outcome) and severity-grouped criteria checklists."""

from __future__ import annotations

import re

from ..model.runbook import Criteria, CriteriaGroup, DecisionRow, DecisionTable, GateItem, TableKind
from ..parse.document import ListBlock, Paragraph, Table
from .outline import Section
from .steps import id_slug

__all__ = ["find_criteria", "find_decisions", "response_minutes"]

_CONDITION = re.compile(
    r"^(severity|priority|sev|level|scenario|situation|case|condition|trigger|symptom|signal|alert|"
    r"if|when|error|problem|issue|failure|metric|check)\b",
    re.I,
)
_OUTCOME = re.compile(
    r"\b(action|recommended|response|approval|outcome|then|decision|do|result|escalat\w*|"
    r"remediation|fix|resolution|next step)\b",
    re.I,
)
_SEVERITY = re.compile(r"\b(P[0-5]|SEV[- ]?\d|S[0-4])\b", re.I)
# A number starts where no digit or dot comes before it, and the second is apart from the first
# (a dash, `to` or a space): two `\d+` side by side split a long run of digits in every way (cubic).
_MINUTES = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)(?:(?:\s*(?:-|–|to)\s*|\s+)(\d+(?:\.\d+)?))?\s*"
    r"(min|minutes?|h|hours?|hrs?|days?)\b",
    re.I,
)


def response_minutes(text: str) -> float | None:
    """The latest acceptable response in minutes: `Immediate (0-5 min)` → 5, `1 hour` → 60."""
    match = _MINUTES.search(text)
    if match is None:
        return 0.0 if re.search(r"\bimmediate", text, re.I) else None
    value = float(match.group(2) or match.group(1))
    unit = match.group(3).lower()
    return value * (60 if unit.startswith("h") else 1440 if unit.startswith("d") else 1)


def _classify(table: Table) -> tuple[TableKind, int, list[int]] | None:
    header = [h.strip() for h in table.header]
    if len(header) < 2 or not table.rows:
        return None
    if not _CONDITION.match(header[0]):
        return None
    outcomes = [i for i, h in enumerate(header[1:], start=1) if _OUTCOME.search(h)]
    if not outcomes:
        return None
    kind: TableKind = "decision"
    if re.match(r"^(severity|priority|sev)\b", header[0], re.I):
        kind = "severity"
    elif re.match(r"^(trigger|alert|signal|metric)\b", header[0], re.I):
        kind = "trigger"
    return kind, 0, outcomes


def find_decisions(root: Section) -> list[DecisionTable]:
    """Every table whose header reads as condition → outcome, titled by its section."""
    found: list[DecisionTable] = []
    seen: set[str] = set()
    for section in root.walk():
        for block in section.blocks:
            if not isinstance(block, Table):
                continue
            classified = _classify(block)
            if classified is None:
                continue
            kind, condition, outcomes = classified
            title = section.title or "Decision table"
            table_id = id_slug(title)
            while table_id in seen:
                table_id += "-2"
            seen.add(table_id)
            response = next(
                (i for i, h in enumerate(block.header) if re.search(r"response|target|sla", h, re.I)),
                None,
            )
            rows = tuple(
                DecisionRow(
                    row,
                    line,
                    response_minutes(row[response])
                    if kind == "severity" and response is not None and response < len(row)
                    else None,
                )
                for row, line in zip(block.rows, block.row_lines, strict=True)
            )
            found.append(
                DecisionTable(
                    table_id,
                    title,
                    kind,
                    block.header,
                    block.header[condition],
                    tuple(block.header[i] for i in outcomes),
                    rows,
                    block.span,
                )
            )
    return found


def find_criteria(root: Section, path: str) -> list[Criteria]:
    """Sections whose sub-sections each name a severity and hold a checklist."""
    found: list[Criteria] = []
    for section in root.walk():
        groups = []
        for child in section.children:
            severity = _SEVERITY.search(child.title)
            lists = [
                b
                for b in child.blocks
                if isinstance(b, ListBlock) and any(i.task is not None for i in b.items)
            ]
            if severity is None or not lists:
                continue
            items = tuple(
                GateItem(
                    f"{id_slug(section.title)}.{severity.group(1).lower()}.{n}",
                    " ".join(b.text for b in item.blocks if isinstance(b, Paragraph)),
                    item.span,
                )
                for n, item in enumerate((i for lb in lists for i in lb.items), start=1)
            )
            groups.append(CriteriaGroup(child.title, severity.group(1).upper(), items, child.span(path)))
        if len(groups) >= 2:
            found.append(Criteria(id_slug(section.title), section.title, tuple(groups), section.span(path)))
    return found


def contacts_from_tables(root: Section) -> list[str]:
    """Rows of a `Role | Contact` table, as `Role: contact`."""
    contacts: list[str] = []
    for section in root.walk():
        for block in section.blocks:
            if isinstance(block, Table) and any(re.match(r"contact", h, re.I) for h in block.header):
                col = next(i for i, h in enumerate(block.header) if re.match(r"contact", h, re.I))
                for row in block.rows:
                    if col < len(row):
                        contacts.append(f"{row[0]}: {row[col]}" if col else row[col])
    return contacts
