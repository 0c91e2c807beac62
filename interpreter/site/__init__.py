"""`runbook site`: the runbooks as a static docs site, built from the Markdown the interpreter runs."""

from __future__ import annotations

from .build import SiteReport, build_site
from .history import runs_for_site

__all__ = ["SiteReport", "build_site", "runs_for_site"]
