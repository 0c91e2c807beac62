"""A table of steps with a command column (`| Step | What | Command |`): each row is a step."""

from __future__ import annotations

import re

from ..parse.document import Block, Fence, Paragraph, Table
from ..parse.source import Span
from .content import statement_kind
from .context import Context
from .draft import Draft

__all__ = ["is_command_column", "table_drafts"]

_COMMAND_COLUMN = re.compile(r"^(?:commands?|cmd|run|script|code|shell|how(?:\s+to\s+run)?)$", re.I)


def is_command_column(header: str) -> bool:
    """A table column that holds the command of each row."""
    return bool(_COMMAND_COLUMN.match(header.strip()))


def table_drafts(table: Table, start: int, ctx: Context) -> list[Draft]:
    """One draft per row: its first other cell is the title, the rest its prose, the command its block."""
    column = next((i for i, h in enumerate(table.header) if is_command_column(h)), None)
    if column is None:
        return []
    cells = [row[column].strip() for row in table.rows if column < len(row) and row[column].strip()]
    if not cells or sum(statement_kind(c) == "command" for c in cells) * 2 < len(cells):
        return []  # a column of code that is mostly not commands (a schema, a config): not steps
    drafts = []
    for offset, (row, line) in enumerate(zip(table.rows, table.row_lines, strict=False)):
        command = row[column].strip() if column < len(row) else ""
        others = [c for i, c in enumerate(row) if i != column and c.strip() and not c.strip().isdigit()]
        title = others[0] if others else command
        span = Span(ctx.path, line, line)
        blocks: list[Block] = [Paragraph(p, span) for p in others[1:]]
        if command:
            # A cell is no fence: nothing says it is shell. It runs only if it reads as a command
            # (`Code` columns hold JSON, Jsonnet or YAML as often as commands).
            blocks.append(Fence("", "", command + "\n", span, line))
        drafts.append(Draft(start + offset, title, span, "", blocks))
    return drafts
