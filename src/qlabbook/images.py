"""Image files: check them and read their sizes (Pillow, imported only when images are used)."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
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

# Fitted images by (sha256 of the source, width, quality): editions rendered in one process
# (the collected book and each essay's own, and every layout of each) scale each photograph
# once.
_fitted: dict[tuple[str, int, int], Future[bytes | None]] = {}
_fitted_lock = threading.Lock()


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


def fitted(data: bytes, max_width: int, quality: int) -> bytes | None:
    """fit_width(), remembered by the content of the image; a caller asking for an image
    that another thread is fitting waits for that result."""
    key = (hashlib.sha256(data).hexdigest(), max_width, quality)
    with _fitted_lock:
        future = _fitted.get(key)
        owner = future is None
        if future is None:
            future = _fitted[key] = Future()
    if owner:
        try:
            future.set_result(fit_width(data, max_width, quality))
        except BaseException as error:
            future.set_exception(error)
    return future.result()


def fit_ahead(paths: Iterable[Path], max_width: int, quality: int) -> ThreadPoolExecutor:
    """Start fitting these images on other threads (Pillow decodes, scales and encodes
    without the GIL), so they are ready, or nearly, when the renderer asks for them. The
    caller shuts the pool down."""
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                              thread_name_prefix="qlabbook-images")
    def fit(path: Path) -> bytes | None:
        return fitted(path.read_bytes(), max_width, quality)

    for path in paths:
        pool.submit(fit, path)
    return pool


def fit_width(data: bytes, max_width: int, quality: int) -> bytes | None:
    """A JPEG or PNG no wider than `max_width` pixels, or None when `data` is narrow enough
    already or is an image this should leave alone (other formats, CMYK, animations).

    The PDF renderer would decode, re-encode, decode, scale and re-encode each photograph;
    this decodes once (JPEGs at a reduced scale straight from the DCT data where that still
    leaves enough pixels), scales once and encodes once. EXIF orientation is applied first,
    so the width is the width on the page."""
    import io

    from PIL import Image, ImageOps

    try:
        opened = Image.open(io.BytesIO(data))
        image: Image.Image = opened
        kind = opened.format
        if kind not in ("JPEG", "PNG") or getattr(opened, "is_animated", False):
            return None
        if image.mode not in ("RGB", "L", "RGBA", "LA"):
            return None
        orientation = image.getexif().get(0x0112, 1)
        width = image.height if orientation in (5, 6, 7, 8) else image.width
        if width <= max_width:
            return None
        if kind == "JPEG":
            # draft() picks the smallest DCT scale that keeps at least the requested size.
            scale = max_width / width
            opened.draft(opened.mode, (round(image.width * scale), round(image.height * scale)))
        icc = image.info.get("icc_profile")
        if orientation != 1:
            image = ImageOps.exif_transpose(image)
        height = max(1, round(image.height * max_width / image.width))
        # Bicubic, as the renderer's own thumbnails: twice as fast as Lanczos, and at these
        # ratios (0.5 to 1) no difference a reader could see.
        image = image.resize((max_width, height), Image.Resampling.BICUBIC)
        out = io.BytesIO()
        if kind == "JPEG":
            image.save(out, "JPEG", quality=quality, icc_profile=icc)
        else:
            image.save(out, "PNG", icc_profile=icc)
        return out.getvalue()
    except Exception:  # leave anything Pillow cannot read to the renderer's own diagnostics
        return None
