"""A run's secrets, found once before it starts: masked from the first event, refused when too weak.

Secrets come through every door: the environment, `--var`, answers (`var:NAME`), `--db`, front
matter `secrets:`, blocks that send a variable where credentials go, and passwords written in
URLs. A secret the run is given, or one from the environment that the procedure reads, must be
strong enough to mask (`policy.weak_secrets`): otherwise the run refuses to start, naming the
variable and never the value. Other secret-looking variables of the environment are masked when
they can be; the weak ones cannot be, and the procedure does not read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..policy.masking import Masker
from ..policy.passwords import url_passwords
from ..policy.secrets import add_environment, is_secret_name
from ..policy.weak_secrets import MIN_LENGTH, weakness
from .database import ENV_NAME
from .executors import secret_variables

__all__ = ["RunSecrets", "refuse_weak", "run_secrets"]


@dataclass(frozen=True, slots=True)
class RunSecrets:
    """What a run masks, and which variable names are secret whatever their names say."""

    masker: Masker
    names: frozenset[str]
    """Variables declared secret or sent where secrets go."""


def refuse_weak(name: str, value: str, door: str) -> None:
    """Stop before a secret too weak to mask is used.

    Raises:
        UsageError: it is too weak; the message names the variable and the door, not the value.
    """
    why = weakness(value)
    if why is not None:
        raise UsageError(
            f"{name} ({door}) cannot be kept secret: {why}; masking it would hide unrelated text "
            "and still give it away, so the run does not start",
            f"use a secret of at least {MIN_LENGTH} characters that is not a common word (rotate it)",
        )


def run_secrets(
    graph: dict[str, Any],
    unit: dict[str, Any],
    env: Mapping[str, str],
    variables: Mapping[str, str],
    answers: Mapping[str, str],
) -> RunSecrets:
    """The masker of a run and its secret names, every door checked.

    Raises:
        UsageError: a secret the run is given or reads is too weak to mask.
    """
    declared = {v["name"] for v in graph["runbook"]["variables"] if v["secret"]}
    names = frozenset(declared) | secret_variables(unit["nodes"])
    read = {use["name"] for node in unit["nodes"] for use in node.get("uses", [])}

    def secret(name: str) -> bool:
        return name in names or is_secret_name(name)

    masker = add_environment(Masker(), env, names)
    for name, value in env.items():
        if name not in read or name in variables:
            continue  # what the procedure does not read need not be strong: it is masked if it can be
        if secret(name):
            refuse_weak(name, value, "from the environment")
        readings = url_passwords(value)
        if readings:
            # The longest reading is the password as meant; shorter ones are how tools misread it.
            refuse_weak(f"the password in ${name}", readings[0], "from the environment")
    given = {**variables, **{k[4:]: v for k, v in answers.items() if k.startswith("var:")}}
    for name, value in given.items():
        door = "--db" if name == ENV_NAME else "--var" if name in variables else "--answer"
        if secret(name):
            refuse_weak(name, value, door)
            masker.add(value)
        readings = url_passwords(value)
        if readings:
            refuse_weak(f"the password in {name}", readings[0], door)
        for password in readings:
            if weakness(password) is None:
                masker.add(password)
    for value in answers.values():
        for password in url_passwords(value):  # a URL given as any answer
            if weakness(password) is None:
                masker.add(password)
    return RunSecrets(masker, names)
