"""The step graph and what is planned from it: graph JSON, unit selection, listings, dry run, diagrams."""
