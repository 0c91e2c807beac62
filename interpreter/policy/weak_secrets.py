"""Which secret values can be masked: long enough, and not a word that text uses for other things.

Masking replaces every occurrence of a value. A value of two characters, or a common word, would
blank out unrelated text (every `admin`, every `true`) and still give itself away by what is left
around it, so such a value cannot be kept secret by masking at all. The run refuses to start with
one rather than write it in clear: the error names the variable, never the value.

Chosen: refuse, not mask as a whole word. Masking `admin` only where it is a word still hides
every `user admin` in the output (the value is then read from the gaps), and still writes it
wherever it is glued to other text (`admin123`, `user=admin`); a refusal tells the operator the
truth: rotate it to a real secret.
"""

from __future__ import annotations

__all__ = ["MIN_LENGTH", "weakness"]

MIN_LENGTH = 6
"""Characters a secret needs to be masked (shorter ones would match unrelated text)."""

_COMMON = frozenset(
    (
        "password",
        "passw0rd",
        "password1",
        "admin",
        "administrator",
        "root",
        "toor",
        "true",
        "false",
        "null",
        "none",
        "undefined",
        "test",
        "testing",
        "tester",
        "secret",
        "secrets",
        "changeme",
        "changeit",
        "default",
        "guest",
        "user",
        "username",
        "postgres",
        "mysql",
        "oracle",
        "letmein",
        "welcome",
        "qwerty",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
        "abc123",
        "iloveyou",
        "dragon",
        "monkey",
        "master",
        "login",
        "access",
        "shadow",
        "superuser",
        "service",
        "server",
        "example",
        "sample",
        "demo",
        "token",
        "apikey",
        "api_key",
        "localhost",
        "staging",
        "production",
        "develop",
        "development",
        "public",
        "private",
        "enable",
        "enabled",
        "disable",
        "disabled",
    )
)
"""Words too common to hide: they appear in output for their own sake."""


def weakness(value: str) -> str | None:
    """Why `value` cannot be kept secret by masking, or None when it can."""
    if len(value) < MIN_LENGTH:
        return f"it is {len(value)} character{'s' if len(value) != 1 else ''} long, under {MIN_LENGTH}"
    if value.lower() in _COMMON:
        return "it is a common word"
    return None
