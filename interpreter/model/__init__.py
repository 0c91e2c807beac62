"""The runbook model: what a runbook means, with source spans; and the table of block kinds."""
