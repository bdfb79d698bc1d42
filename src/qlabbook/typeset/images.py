"""Photographs fitted once to the measure at the profile's resolution, on other threads."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

# Fitted images by (sha256 of the source, width, quality): editions rendered in one process
# (the collected book and each essay's own, and every layout of each) scale each photograph
# once.
_fitted: dict[tuple[str, int, int], Future[bytes | None]] = {}


_fitted_lock = threading.Lock()


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
