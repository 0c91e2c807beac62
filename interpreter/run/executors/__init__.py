"""Executors: one per runnable block kind (shell, sql, container target)."""
