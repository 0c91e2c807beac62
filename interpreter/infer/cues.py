"""Words in the prose that say what the next block or section is: commands, output, an alternative,
a condition, a choice between what follows."""

from __future__ import annotations

import re

__all__ = [
    "alternative_title",
    "condition_of",
    "is_alternative_lead",
    "is_choice_lead",
    "is_output_lead",
    "is_run_lead",
    "label_of",
]

_RUN = re.compile(
    r"\b(?:run|running|execute|executing|type|typing|enter|invoke|issue|command|commands|terminal|shell)\b",
    re.I,
)
_OUTPUT = re.compile(
    r"\b(?:you(?:'ll|\s+will|\s+should)?\s+(?:now\s+)?see|should\s+(?:now\s+)?(?:see|look|return|print|show|output|display)"
    r"|will\s+(?:look|print|show|return|output|display)|looks?\s+(?:something\s+)?like|something\s+like"
    r"|(?:sample|example|expected)\s+(?:output|result|response)|output\s+(?:is|looks|should|will)"
    r"|(?:the|its|this)\s+output|returns?\s+(?:something|output|a\s+list)|prints?\s+(?:something|out))\b",
    re.I,
)
_ALTERNATIVE = re.compile(
    r"^\W*(?:alternatively|alternative(?:ly)?:|or(?=[,:]|\s+(?:you|use|using|via|with|run|to|by|just|simply"
    r"|if\s+you\s+(?:prefer|want|have|don't|do\s+not)|on|in|from|for|else))|instead\b|another\s+(?:way|option))",
    re.I,
)
_CONDITION = re.compile(
    r"^\W*(?:if|when|whenever|in\s+case|only\s+if|unless|otherwise|should\s+(?:the|you|it|this)|where\s+(?:the|a)"
    r"|for\s+(?:large|small|big|busy|clusters?|instances?|databases?)|on\s+(?:large|small))\b",
    re.I,
)
_CHOICE = re.compile(
    r"\b(?:one\s+of\s+the\s+following|either\b|pick\s+one|select\s+one|depending\s+on"
    r"|choose\s+(?:one|between|from|which|whichever|an?\s+(?:option|approach|method|way)"
    r"|the\s+(?:one|option|approach|method|way|remed\w*|fix|solution|action))"
    r"|whichever|(?:remedy|remediation|fix|option|approach|method|solution|action)s?\s+(?:that|which)\s+"
    r"(?:matches|match|applies|apply|fits|fit|suits)|following\s+(?:options|approaches|methods|alternatives"
    r"|solutions|remedies)|based\s+on\s+(?:your|the)\s+(?:situation|cause|root\s+cause|findings?|case)"
    r"|several\s+(?:ways|options)|(?:two|three|four|multiple|a\s+few)\s+(?:ways|options|approaches|methods))\b",
    re.I,
)
_ALTERNATIVE_TITLE = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:option|alternative|method|approach|variant|way|scenario|case|solution|remedy"
    r"|fix)\s*(?:[A-Z0-9]\b|#?\d+)"
    r"|^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:if|when|for|in\s+case|on|using|with|via|without|from)\s"
    r"|^(?:aws|gcp|gke|eks|aks|azure|google\s+cloud|amazon|jetstream\w*|openstack|hetzner|digitalocean|bare\s+metal"
    r"|docker(?:\s+compose)?|docker-compose|podman|helm|kustomize|macos|mac\s+os|linux|windows|ubuntu|debian|fedora"
    r"|bash|zsh|fish|powershell|automated|automatic|manual|manually)\b",
    re.I,
)
_LABEL = re.compile(r"^\W*([A-Za-z][\w .+/()-]{0,30}?)\W*:?\W*$")


def is_run_lead(text: str) -> bool:
    """The prose before a block says to run it (`run the following`, `execute`, `in a terminal`)."""
    return bool(_RUN.search(text))


def is_output_lead(text: str) -> bool:
    """The prose before a block says it is output (`you should see`, `sample output:`, `looks like:`)."""
    return bool(_OUTPUT.search(text)) and not text.rstrip().endswith(".")


def is_alternative_lead(text: str) -> bool:
    """`Alternatively, …`, `Or using kubectl:`: the block after is another way to do the one before."""
    return bool(_ALTERNATIVE.match(text))


def condition_of(text: str) -> str:
    """The condition a paragraph puts on what follows (`If the pod is stuck, …`), else ""."""
    if not _CONDITION.match(text):
        return ""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first.strip().rstrip(":").strip()


def is_choice_lead(text: str) -> bool:
    """`Apply the remedy that matches the cause:`, `one of the following`: what follows is a choice."""
    return bool(_CHOICE.search(text))


_NAMED_ALTERNATIVE = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:option|alternative|method|approach|variant|way|scenario|solution)\s*(?:[A-Z0-9]\b|#?\d+)"
    r"|^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:if|when|in\s+case)\s",
    re.I,
)


def alternative_title(title: str, strict: bool = False) -> bool:
    """A heading that names one alternative or condition (`Option 2`, `If you see X`, `For AWS`, `GCP`).
    `strict` (for a page's main sections) takes only numbered options and conditions."""
    text = title.strip()
    if strict:
        return bool(_NAMED_ALTERNATIVE.match(text))
    # A platform word names a variant only in a short title ("GCP", "Azure Files"), not in
    # "AWS account prerequisites".
    if len(re.sub(r"\([^()]*\)", "", text).split()) > 2 and not _NAMED_ALTERNATIVE.match(text):
        return bool(
            re.match(r"^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:for|on|using|with|via|without|from)\s", text, re.I)
        )
    return bool(_ALTERNATIVE_TITLE.match(text))


def label_of(text: str) -> str:
    """A short label paragraph naming the block after it (`Bash`, `Fish`, `On macOS:`), else ""."""
    if len(text) > 40 or "\n" in text or text.rstrip().endswith("."):
        return ""
    match = _LABEL.match(text)
    if match is None or len(match.group(1).split()) > 4:
        return ""
    return match.group(1).strip()
