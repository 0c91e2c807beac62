"""Images a runbook shows, as the site may publish them: real images from the runbooks' folder only.

A runbook's `![alt](path)` names any file, and the site is published: so the file must be inside
the folder the site is built from (symlinks resolved: no `/proc/self/environ`, no `../../.ssh`),
a regular file of at most 10 MiB, and an image by its first bytes, whatever its name says (an
`.html` or `.svg` "image" would be a page running script in the site's origin when opened).
Raster images are copied into `media/` under a name made of their hash and their real type. An
SVG is never written as a file: it is shown through a `data:` URL in an `<img>`, where browsers
run none of its script and load nothing it names, and there is no file to open on its own.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import RunbookError, UnsafeDataError
from ..policy.paths import IMAGE_LIMIT, confined, read_regular, shown

__all__ = ["SVG_LIMIT", "Image", "image_file", "site_image", "sniff"]

SVG_LIMIT = 1 << 20
"""An SVG travels inside each page that shows it (base64, a third larger): 1 MiB at most."""

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"\x00\x00\x01\x00", "ico"),
)


def sniff(data: bytes) -> str | None:
    """The image type of `data` by its first bytes (`png`, `jpg`, `gif`, `webp`, `avif`, `bmp`,
    `ico`, `svg`), or None when it is not one of those."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "avif"
    head = data[:4096].lstrip().lower()
    # Markup with an <svg> element near its start. Anything taken for SVG is only ever shown in
    # an <img> (see above), where even an HTML page is inert: a wrong guess shows a broken image.
    if head.startswith(b"<") and b"<svg" in head:
        return "svg"
    return None


@dataclass(frozen=True, slots=True)
class Image:
    """An image the site may show."""

    file: Path
    """The file it was read from, symlinks resolved (inside the site's folder)."""
    name: str | None
    """Its file in the site (`media/HASH.png`), or None for an SVG shown inline."""
    data: bytes
    """Its bytes, read once (what was checked is what is published)."""
    src: str
    """What the page's `<img src>` holds: the file's site path, or the SVG's `data:` URL."""


def site_image(root: Path, page_folder: Path, src: str) -> Image | None:
    """The image `src` names from a runbook in `page_folder`, as the site may publish it; None
    when there is no such file (a broken link is shown as a link; `validate` reports it).

    Raises:
        RunbookError: it is not a relative path to a real image inside `root`, or it is too large.
    """
    path = unquote(urlsplit(src).path)
    if not path or path.startswith("/"):
        raise RunbookError(f"image {shown(src)}: not a path relative to the runbook")
    try:
        return image_file(root, page_folder / path)
    except RunbookError as error:
        raise RunbookError(f"image {shown(src)}{error.message}") from None


def image_file(root: Path, file: Path) -> Image | None:
    """The image in `file`, as the site may publish it (a copy made before is checked again with
    this before it is copied again); None when there is no such file.

    Raises:
        RunbookError: `file` is outside `root`, not a regular file, too large or not an image;
            the message goes on from the image's name (` is outside …`).
    """
    try:
        file = confined(root, file, "image")
    except UnsafeDataError:
        raise RunbookError(f" is outside the folder the site is built from ({root})") from None
    try:
        data = read_regular(file, IMAGE_LIMIT, "an image")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RunbookError(f": cannot be read ({exc.strerror})") from None
    except RunbookError as error:
        raise RunbookError(f": {error.message.split(': ', 1)[-1]}") from None
    kind = sniff(data)
    if kind is None:
        raise RunbookError(": not an image (PNG, JPEG, GIF, WebP, AVIF, BMP, ICO or SVG by its content)")
    if kind == "svg":
        if len(data) > SVG_LIMIT:
            raise RunbookError(": an SVG over 1 MiB")
        return Image(file, None, data, "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii"))
    name = f"media/{hashlib.sha256(data).hexdigest()[:16]}.{kind}"
    return Image(file, name, data, name)
