"""Templates and assets of `runbook site`, shipped in the wheel as `interpreter.site_files`."""
