"""Image files: check them and read their sizes (Pillow, imported only when images are used)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Limits on what an essay may bring in. A photograph printed full page at 300 ppi on A4 is
# about 9 megapixels; 60 megapixels leaves room for any camera while refusing files built to
# exhaust memory (Pillow's own guard, about 179 megapixels, would come too late).
MAX_PIXELS = 60_000_000
MAX_SIDE = 20_000  # pixels along either side
MAX_FILE_BYTES = 50 * 1024 * 1024

MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}
# What the PDF and the EPUB can both carry (EPUB core media types, less SVG which would
# bring scripts and external references with it).
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class ImageCheck:
    """A usable image's size, or why it cannot be used (`code` and `problem` set)."""

    width: int = 0
    height: int = 0
    code: str = ""
    problem: str = ""


def check_image(path: Path) -> ImageCheck:
    """Open the image with Pillow, refusing non-images, bombs and absurd sizes before
    decoding, then decode it once so truncated files are caught here and not mid-render."""
    import warnings

    from PIL import Image

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return ImageCheck(code="I106", problem=f"is {size // 2**20} MB, above the limit of "
                          f"{MAX_FILE_BYTES // 2**20} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                kind = image.format or ""
                if kind not in FORMATS:
                    return ImageCheck(code="I104", problem="cannot be used: it is a "
                                      f"{kind or 'unknown'} file, not JPEG, PNG, GIF or WebP")
                if MEDIA_TYPES.get(path.suffix.lower()) != FORMATS[kind]:
                    return ImageCheck(code="I104", problem=f"is a {kind} file with a "
                                      f"{path.suffix or 'missing'} extension")
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    return too_large(width, height)
                load_whole(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        return ImageCheck(code="I106", problem=f"has {pixels.group(1) if pixels else 'too many'}"
                          f" pixels, above the limit of {MAX_PIXELS // 1_000_000} megapixels")
    except Exception:  # Pillow raises many types for broken or hostile files
        return ImageCheck(code="I104", problem="cannot be read as an image")
    if width < 1 or height < 1:
        return ImageCheck(code="I104", problem="cannot be read as an image")
    return ImageCheck(width, height)


def load_whole(image: Any) -> None:
    """Decode every pixel, failing on a truncated file even though WeasyPrint tells Pillow
    to accept those (a global setting, restored afterwards)."""
    from PIL import ImageFile

    accepting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    if image.format == "JPEG":
        # Every byte of the JPEG is still read and entropy-decoded, so a truncated file
        # fails as before; only the pixels come out at an eighth of the size, three times
        # faster (the PDF and EPUB take the file's own bytes, not these pixels).
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting


def too_large(width: int, height: int) -> ImageCheck:
    return ImageCheck(code="I106", problem=f"is {width}×{height} pixels, above the limit of "
                      f"{MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} pixels a side")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels, or None when the file cannot be used as an image."""
    checked = check_image(path)
    return None if checked.code else (checked.width, checked.height)


SAFE_PATH = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")
UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")


def portable_path(src: str) -> str:
    """Where an edition keeps an image: at its collection path, where that is a URL path as
    written and a file name every reader opens (EPUBCheck refuses a space, RSC-020, and warns
    of one in a name, PKG-010; a space breaks a srcset); else with each other run of
    characters a hyphen, and a digest of the path, so that two images never meet."""
    if SAFE_PATH.fullmatch(src):
        return src
    *folders, name = src.split("/")
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(src.encode("utf-8")).hexdigest()[:8]
    safe = [UNSAFE_RUN.sub("-", part).strip("-") or "_" for part in folders]
    written = UNSAFE_RUN.sub("-", stem if dot else name).strip("-") or "image"
    return "/".join([*safe, f"{written}-{digest}{dot}{UNSAFE_RUN.sub('', suffix).lower()}"])
