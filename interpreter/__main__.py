"""`python -m interpreter` runs the `runbook` command."""

from .cli import main

main(prog_name="runbook")
