"""The EPUB's cover image: the collection's own ([pdf] cover) or one drawn from its metadata.
(The screen PDF sets its cover in HTML and CSS: see assets/templates/print.html.)"""

from __future__ import annotations

import io
import itertools
import textwrap
from pathlib import Path
from typing import Any

from qlabbook.assets import (
    BOOK_FONT,
    BOOK_ITALIC_FONT,
    FALLBACK_FONT,
    characters_of,
    edition_line,
)
from qlabbook.source.model import Collection

WIDTH, HEIGHT = 1600, 2400
PAPER, INK, ACCENT = (246, 243, 236), (28, 28, 30), (88, 96, 112)


def cover_jpeg(collection: Collection) -> bytes:
    if collection.options.cover:
        return supplied_cover_jpeg(collection)
    from PIL import Image, ImageDraw, ImageFont

    meta = collection.metadata
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(str(BOOK_FONT), 128)
    small_font = ImageFont.truetype(str(BOOK_FONT), 56)
    italic_font = ImageFont.truetype(str(BOOK_ITALIC_FONT), 68)
    margin, y = 150, 760
    draw.rectangle((margin, 560, WIDTH - margin, 568), fill=ACCENT)
    if edition_line(meta):
        draw.text((margin, 620), edition_line(meta).upper(), font=small_font, fill=ACCENT)
    for line in textwrap.wrap(meta.title, 20):
        draw_text(draw, (margin, y), line, title_font, INK)
        y += 150
    y += 40
    for line in textwrap.wrap(meta.subtitle, 34):
        draw_text(draw, (margin, y), line, italic_font, INK)
        y += 86
    if meta.authors or meta.publisher:
        draw_text(draw, (margin, HEIGHT - 300), ", ".join(meta.authors) or meta.publisher,
                  small_font, ACCENT)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def draw_text(draw: Any, xy: tuple[int, int], text: str, font: Any,
              fill: tuple[int, int, int]) -> None:
    """Text in `font`, with runs of characters it lacks in the shipped fallback font at the
    same size, as the PDF does: never an empty box on the cover."""
    from PIL import ImageFont

    covered = characters_of(Path(font.path))
    fallback = ImageFont.truetype(str(FALLBACK_FONT), font.size)
    x, y = xy
    for has_glyphs, run in itertools.groupby(text, lambda c: ord(c) in covered or c == " "):
        chosen = font if has_glyphs else fallback
        piece = "".join(run)
        draw.text((x, y), piece, font=chosen, fill=fill)
        x += int(draw.textlength(piece, font=chosen))


def supplied_cover_jpeg(collection: Collection) -> bytes:
    """The supplied cover as a JPEG no larger than the drawn one (EPUB readers show covers
    small; a print-resolution file only makes the book heavier)."""
    from PIL import Image

    with Image.open(collection.root / collection.options.cover) as image:
        picture = image.convert("RGB")
    picture.thumbnail((WIDTH, HEIGHT))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()
