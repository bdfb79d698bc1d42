"""Image files: sizes for the model (Pillow, imported only when images are used)."""

from __future__ import annotations

from pathlib import Path


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels, or None when the file is not an image Pillow can read."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.verify()
            return image.size
    except Exception:  # Pillow raises many types for broken or hostile files
        return None


MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}
