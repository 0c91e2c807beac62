"""The templates and assets shipped with the package: the top-level `site/` folder, checkout or wheel."""

from __future__ import annotations

from importlib import resources

__all__ = ["names", "read"]

PACKAGE = "interpreter.site_files"
"""The import name `site/` ships under (pyproject maps it), so a checkout and a wheel read the same files."""


def read(folder: str, name: str) -> str:
    """The text of `site/FOLDER/NAME`. Raises FileNotFoundError when it is not shipped."""
    return resources.files(PACKAGE).joinpath(folder, name).read_text("utf-8")


def names(folder: str) -> list[str]:
    """The files in `site/FOLDER`, sorted."""
    return sorted(p.name for p in resources.files(PACKAGE).joinpath(folder).iterdir() if p.is_file())
