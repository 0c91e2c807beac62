"""The forms people write placeholders in, inside commands, and how to set them aside for a parser.

`<stable-tag>`, `<pod name>`, `<e.g. db-1>`, `<env|url>`, `<>`, `{{ NAMESPACE }}`, `{reason}`,
`{comma separated list}`, `[POD_NAME]` and `[dev|prod]` all stand for a value the operator types.
None of them is shell: bash reads `<x>` as redirections, `{x}` and `[X]` as literal words or globs,
so a syntax check or shellcheck must see a plain word in their place. Shell syntax that looks
alike is left alone: `< file` redirections, `{a,b}` and `{1..3}` brace expansion, `${VAR}`,
`{ cmd; }` groups, `find -exec … {} \\;`, `[ -f x ]` tests and `file[0-9]` globs.
"""

from __future__ import annotations

import re

__all__ = ["PLACEHOLDER", "neutralise"]

PLACEHOLDER = re.compile(
    # <tag>, <pod name>, <env|url>, <>: not `<<EOF`, `< file`, `<(cmd)` or `2<&1`.
    r"(?<![<\w&])<(?:[^\s<>()&][^<>\n]{0,80}?)?(?<![\s=])>"
    # {{ NAMESPACE }}, {{.Values.x}}: a template's field.
    r"|\{\{[^{}\n]{1,80}\}\}"
    # {reason}, {comma separated list}: not ${VAR}, {a,b}, {1..3}, { cmd; } or find's {}.
    r"|(?<![$\w{])\{(?![\s}])(?![^}\n]*\.\.)[^{};$,'\"`\n]{0,80}[^{};$,'\"`\s.]\}(?!\})"
    # [POD_NAME], [dev|prod]: not [ test ], [[ … ]], file[0-9] or [a-z] classes.
    r"|(?<![\w\[\]])\[(?:[A-Z][A-Z0-9_]{1,60}|[\w.-]+(?:\|[\w.-]+)+)\](?!\])"
)


def neutralise(text: str) -> str:
    """`text` with every placeholder replaced by one plain word (`PLACEHOLDER_pod_name`)."""
    if not any(c in text for c in "<{["):
        return text
    return PLACEHOLDER.sub(lambda m: "PLACEHOLDER_" + re.sub(r"\W+", "_", m.group(0)).strip("_"), text)
