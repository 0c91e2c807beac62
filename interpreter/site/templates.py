"""The site's Jinja2 templates and static assets, read from the package (checkout or wheel)."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from .. import __version__
from ..templates import names as _names
from ..templates import read as _read

__all__ = ["assets", "environment", "fingerprint"]


@cache
def environment() -> Any:
    """A Jinja2 environment over the packaged templates, autoescaping everything. Each template is
    compiled once a process, and its compiled code kept in the user's cache folder for the next
    build (compiling them all cost a build 20 ms)."""
    import jinja2  # lazy: only the site renders HTML

    def load(name: str) -> str | None:
        return _read("templates", name) if name in _names("templates") else None

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )


def _bytecode_cache() -> Any:
    """Jinja's file cache of compiled templates (keyed by each template's source; written by
    renaming into place), in `templates/` of the cache folder; a damaged entry is compiled again."""
    import jinja2

    from ..validate.cache import cache_root

    root = cache_root()
    if root is None:
        return None
    folder = root / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class Forgiving(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # cut short, or not Jinja's: compile from the source
                bucket.reset()

    return Forgiving(str(folder))


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    # The code panels take their background from site.css, in both themes.
    lines = [
        line for line in dark.splitlines() if not line.startswith(".highlight  {") and "pre {" not in line
    ]
    light = "\n".join(line for line in light.splitlines() if "pre {" not in line)
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n" + "\n".join(lines) + "\n}\n"


@cache
def assets() -> dict[str, str]:
    """Static files by name, as written into `DIR/assets/`."""
    files = {name: _read("assets", name) for name in _names("assets")}
    files["pygments.css"] = _pygments_css()
    return files


@cache
def fingerprint() -> str:
    """Changes whenever any template, asset or the program's version does: every page depends on it,
    and on the libraries that render it (their own `__version__`: importlib.metadata costs 7 ms)."""
    import importlib

    digest = hashlib.sha256()
    for name in _names("templates"):
        digest.update(name.encode() + b"\0" + _read("templates", name).encode())
    for name, text in sorted(assets().items()):
        digest.update(name.encode() + b"\0" + text.encode())
    digest.update(f"runbook={__version__}".encode())  # the footer names it, and the pages are its
    for package in ("nh3", "pygments", "markdown_it", "jinja2"):
        version = getattr(importlib.import_module(package), "__version__", "")
        digest.update(f"{package}={version}".encode())
    return digest.hexdigest()
