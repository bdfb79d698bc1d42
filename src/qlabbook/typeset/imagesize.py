"""Sizes that raw HTML gives images (`<img width=... height=...>`), as print CSS.

WeasyPrint ignores HTML's presentational attributes, so a width the author wrote is made a
style here: the image takes that width, never more than the text block, and its height
follows the picture's own proportions.
"""

from __future__ import annotations

import re
from pathlib import Path

IMG_TAG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\s(src|width|height)="([^"]*)"')


def sized_images(html: str, root: Path) -> str:
    """`html` with every image that has a width or height attribute given a CSS width."""

    def size(match: re.Match[str]) -> str:
        tag = match.group(0)
        attributes = dict(ATTRIBUTE.findall(tag))
        width = css_width(attributes, root)
        if width is None:
            return tag
        style = f' style="width: {width}px; max-width: 100%; height: auto"'
        head, end = (tag[:-2].rstrip(), " />") if tag.endswith("/>") else (tag[:-1], ">")
        return head + style + end

    return IMG_TAG.sub(size, html)


def css_width(attributes: dict[str, str], root: Path) -> int | None:
    """The width in CSS pixels the attributes ask for: `width`, or `height` times the
    picture's proportions (the sanitizer lets only whole numbers through)."""
    if attributes.get("width", "").isdigit():
        return int(attributes["width"])
    if not attributes.get("height", "").isdigit() or "src" not in attributes:
        return None
    from PIL import Image

    try:
        with Image.open(root / attributes["src"]) as image:  # reads the header only
            pixels_wide, pixels_high = image.size
    except (OSError, ValueError):
        return None
    return round(int(attributes["height"]) * pixels_wide / max(pixels_high, 1))
