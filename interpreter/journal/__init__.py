"""The timeline of a run: events, the journal files, and the stores that keep them (folder, PostgreSQL)."""
