"""`python -m interpreter` runs the `runbook` command."""

from .cli import entry

entry()
