"""`runbook list`: procedures, runnable sections and their nodes with ids, kinds and flags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .typed import outermost, sessions, typed_groups, where_words

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["listing_json", "node_flags", "print_listing"]


def node_marks(node: dict[str, Any]) -> list[str]:
    """optional, destructive, never-ending, manual: the marks every view of a node shows."""
    flags = node.get("flags") or {}
    return [
        word
        for word, on in (
            ("optional", flags.get("optional")),
            ("destructive", flags.get("destructive")),
            ("never-ending", flags.get("never_ending")),
            ("manual", flags.get("manual") and node["kind"] != "choice"),
        )
        if on
    ]


def node_flags(node: dict[str, Any]) -> list[str]:
    """Short words for what matters about a node before running it."""
    flags = node.get("flags") or {}
    words = node_marks(node)
    if flags.get("timeout"):
        words.append(f"timeout={flags['timeout']:g}s")
    for session in sessions(node):
        words.append(f"opens a session: {session}")
    counts: dict[str, int] = {}
    for where, commands in typed_groups(node):
        counts[outermost(where)] = counts.get(outermost(where), 0) + len(commands)
    for where, count in counts.items():
        words.append(f"{count} command{'s' if count > 1 else ''} typed {where_words(where)}")
    for use in node.get("uses", []):
        if use["from"] is None:
            words.append(f"{'secret' if use['secret'] else 'input'} ${use['name']}")
    holes = [p["text"] for b in node.get("blocks", []) for p in b["placeholders"] if p["kind"] != "field"]
    if holes:
        words.append("placeholders " + " ".join(dict.fromkeys(holes)))
    fields = [f for b in node.get("blocks", []) for f in b["fields"]]
    if fields:
        words.append("fields " + ", ".join(f"[{f}]" for f in fields))
    expected = sum(len(c["expectations"]) for b in node.get("blocks", []) for c in b["commands"])
    if expected:
        words.append(f"{expected} expectation{'s' if expected > 1 else ''}")
    return words


def _rows(unit: dict[str, Any]) -> list[tuple[int, dict[str, Any], str]]:
    """Nodes in reading order with their depth (branches indented under their choice)."""
    depth: dict[str, int] = {}
    rows = []
    for node in unit["nodes"]:
        parent = node.get("parent")
        level = depth[parent["choice"]] + 1 if parent else 0
        depth[node["id"]] = level
        detail = ""
        if node["kind"] == "choice":
            detail = node["choice"]["kind"] + ": " + " | ".join(b["key"] for b in node["choice"]["branches"])
        elif node["kind"] == "gate":
            detail = f"{len(node['items'])} to acknowledge"
        rows.append((level, node, detail))
    return rows


def listing_json(graph: dict[str, Any]) -> dict[str, Any]:
    """The listing as data: one entry per unit, one per node with depth and flags."""
    return {
        "runbook": graph["runbook"]["path"],
        "title": graph["runbook"]["title"],
        "units": [
            {
                "id": unit["id"],
                "kind": unit["kind"],
                "number": unit["number"],
                "title": unit["title"],
                "slug": unit["slug"],
                "line": unit["span"]["start"],
                "duration": unit["duration"],
                "risk": unit["risk"],
                "nodes": [
                    {
                        "id": node["id"],
                        "kind": node["kind"],
                        "title": node["title"],
                        "depth": level,
                        "line": node["span"]["start"],
                        "flags": node_flags(node),
                        **({"choice": detail} if detail else {}),
                    }
                    for level, node, detail in _rows(unit)
                ],
            }
            for unit in [*graph["procedures"], *graph["sections"]]
        ],
        "decisions": [
            {"id": d["id"], "kind": d["kind"], "title": d["title"], "rows": len(d["rows"])}
            for d in graph["decisions"]
        ],
    }


def print_listing(graph: dict[str, Any], out: Console) -> None:
    """Print the listing for a person (runbook text shown, never obeyed: policy.terminal)."""
    from rich.markup import escape as markup

    from ..policy.terminal import visible

    def escape(text: str) -> str:
        return markup(visible(text))

    data = listing_json(graph)
    meta = graph["runbook"]["metadata"]
    out.print(f"[bold]{escape(data['title'] or data['runbook'])}[/]  [dim]{escape(data['runbook'])}[/]")
    facts = [
        f"{k} {v}"
        for k, v in (
            ("version", meta["version"]),
            ("status", meta["status"]),
            ("owner", meta["owner"]),
            ("next review", meta["next_review"]),
        )
        if v
    ]
    if facts:
        out.print("[dim]" + escape(" · ".join(facts)) + "[/]")
    if not data["units"]:
        out.print("\nNo procedures or runnable sections: nothing here has numbered steps with commands.")
    for unit in data["units"]:
        out.print()
        head = f"Procedure {unit['number']}" if unit["kind"] == "procedure" else "Section"
        extra = []
        if unit["duration"]:
            extra.append(unit["duration"]["text"])
        if unit["risk"]:
            extra.append(f"risk {unit['risk']['level']}")
        tail = f"  [dim]({escape(', '.join(extra))})[/]" if extra else ""
        name = unit["slug"] if unit["kind"] == "procedure" else unit["id"]
        out.print(
            f"[bold]{head}: {escape(unit['title'])}[/]  [cyan]{escape(name)}[/]{tail}"
            f"  [dim]line {unit['line']}[/]"
        )
        width = max((len(n["id"]) + 2 * n["depth"] for n in unit["nodes"]), default=0)
        for node in unit["nodes"]:
            pad = "  " * node["depth"]
            ident = f"{pad}{node['id']}".ljust(width)
            flags = node["flags"]
            style = "red" if "destructive" in flags else ""
            note = f"  [dim]{escape(node['choice'])}[/]" if node.get("choice") else ""
            flag_text = f"  [yellow]{escape(', '.join(flags))}[/]" if flags else ""
            title = f"[{style}]{escape(node['title'])}[/]" if style else escape(node["title"])
            out.print(f"  {escape(ident)}  {node['kind']:<8} {title}{note}{flag_text}")
    if data["decisions"]:
        out.print()
        out.print("[bold]Decision tables[/]")
        for table in data["decisions"]:
            rows = f"[dim]({table['rows']} rows)[/]"
            out.print(f"  {escape(table['id'])}  {table['kind']:<8} {escape(table['title'])} {rows}")
