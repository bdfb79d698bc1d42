"""The EPUB's cover image: the collection's own ([pdf] cover) or one drawn from its metadata.
(The screen PDF sets its cover in HTML and CSS: see assets/templates/print.html.)"""

from __future__ import annotations

import io
import itertools
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
# The screen PDF's cover (print.css, .cover-art): its colours, and its measures in mm of an
# A4 page drawn at this width. Sizes in points become pixels at the same scale.
BACKGROUND, PAPER, GOLD = (47, 58, 74), (246, 243, 236), (201, 185, 143)
PX_PER_MM = WIDTH / 210
PX_PER_PT = PX_PER_MM * 25.4 / 72
SIDE = round(WIDTH * 0.14)  # padding: 22% 14% 0 (percentages of the width)
RULE_Y = round(WIDTH * 0.22)


def cover_jpeg(collection: Collection) -> bytes:
    """The cover the screen PDF opens with, as a picture: series in small caps under a gold
    rule, the title, the subtitle in italic, the authors at the foot."""
    if collection.options.cover:
        return supplied_cover_jpeg(collection)
    from PIL import Image, ImageDraw, ImageFont

    meta = collection.metadata
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    small = ImageFont.truetype(str(BOOK_FONT), round(12 * PX_PER_PT))
    title_font = ImageFont.truetype(str(BOOK_FONT), round(34 * PX_PER_PT))
    italic = ImageFont.truetype(str(BOOK_ITALIC_FONT), round(16 * PX_PER_PT))
    measure = WIDTH - 2 * SIDE
    draw.rectangle((SIDE, RULE_Y, WIDTH - SIDE, RULE_Y + round(0.8 * PX_PER_PT)), fill=GOLD)
    y = RULE_Y + round(6 * PX_PER_MM)
    if edition_line(meta):
        draw_text(draw, (SIDE, y), edition_line(meta), small, GOLD, small_caps=0.1)
    y += round(12 * 1.4 * PX_PER_PT + 10 * PX_PER_MM)
    for line in wrapped(draw, meta.title, title_font, measure):
        draw_text(draw, (SIDE, y), line, title_font, PAPER)
        y += round(34 * 1.12 * PX_PER_PT)
    y += round(6 * PX_PER_MM)
    for line in wrapped(draw, meta.subtitle, italic, measure):
        draw_text(draw, (SIDE, y), line, italic, PAPER)
        y += round(16 * 1.3 * PX_PER_PT)
    if meta.authors or meta.publisher:
        bottom = HEIGHT - round(30 * PX_PER_MM) - round(12 * 1.4 * PX_PER_PT)
        for line in wrapped(draw, ", ".join(meta.authors) or meta.publisher, small, measure):
            draw_text(draw, (SIDE, bottom), line, small, GOLD, small_caps=0.08)
            bottom += round(12 * 1.4 * PX_PER_PT)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def wrapped(draw: Any, text: str, font: Any, width: int) -> list[str]:
    """`text` in lines no wider than `width` pixels, broken at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def draw_text(draw: Any, xy: tuple[int, int], text: str, font: Any,
              fill: tuple[int, int, int], small_caps: float | None = None) -> None:
    """Text in `font`, with runs of characters it lacks in the shipped fallback font at the
    same size, as the PDF does: never an empty box on the cover. `small_caps` sets the
    font's small capitals with that letter-spacing (in em), one character at a time."""
    from PIL import ImageFont

    covered = characters_of(Path(font.path))
    fallback = ImageFont.truetype(str(FALLBACK_FONT), font.size)
    features = ["smcp"] if small_caps is not None else None
    x, y = xy
    for has_glyphs, run in itertools.groupby(text, lambda c: ord(c) in covered or c == " "):
        chosen = font if has_glyphs else fallback
        piece = "".join(run)
        for part in (piece if small_caps is not None else [piece]):
            draw.text((x, y), part, font=chosen, fill=fill, features=features)
            x += draw.textlength(part, font=chosen, features=features)
            x += font.size * (small_caps or 0)


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
