"""Reading a runbook: bytes to text with spans, Markdown to a document tree, annotations, mojibake."""
