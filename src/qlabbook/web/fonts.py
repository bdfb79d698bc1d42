"""The shipped fonts as WOFF2 subsets: only the characters the site's pages use, compressed
with Brotli, so a page loads the book's type in a few tens of kilobytes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from qlabbook.assets import (
    BOOK_FONT,
    BOOK_ITALIC_FONT,
    CAPTION_FONT,
    CODE_BOLD_FONT,
    CODE_FONT,
    CODE_ITALIC_FONT,
    FONTS,
)
from qlabbook.web.paths import FONTS_FOLDER

# Always in a subset: what the templates print themselves (numbers, arrows, punctuation).
ALWAYS = frozenset(map(ord, "0123456789.,:;!?()[]/–—‘’“”·…↩↑ "))


@dataclass(frozen=True)
class WebFont:
    family: str
    style: str
    weight: int
    source: Path


# What web.css asks for: the book's face in four styles, Biolinum for the headings and
# captions, the code font only on pages with code.
WEB_FONTS = (
    WebFont("Linux Libertine", "normal", 400, BOOK_FONT),
    WebFont("Linux Libertine", "italic", 400, BOOK_ITALIC_FONT),
    WebFont("Linux Libertine", "normal", 700, FONTS / "LinLibertine_RB.otf"),
    WebFont("Linux Libertine", "italic", 700, FONTS / "LinLibertine_RBI.otf"),
    WebFont("Linux Biolinum", "normal", 400, CAPTION_FONT),
    WebFont("Linux Biolinum", "normal", 700, FONTS / "LinBiolinum_RB.otf"),
    WebFont("CMU Typewriter Text", "normal", 400, CODE_FONT),
    WebFont("CMU Typewriter Text", "normal", 700, CODE_BOLD_FONT),
    WebFont("CMU Typewriter Text", "italic", 400, CODE_ITALIC_FONT),
)


@cache
def woff2_subset(source: Path, characters: frozenset[int]) -> bytes:
    """`source` cut down to `characters` (and the glyphs its features reach from them),
    as WOFF2. Cached: `serve` rebuilds with the same text in most files."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # ligatures, old-style figures, small caps, kerning
    options.name_IDs = ["*"]  # the licence and copyright names stay with the font
    options.name_languages = ["*"]
    options.notdef_outline = True
    # Tables of the font tools that made them, which browsers never read.
    options.drop_tables = [*options.drop_tables, "DSIG", "FFTM", "BDF", "TeX"]
    with TTFont(source, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(characters))
        subsetter.subset(font)
        out = io.BytesIO()
        font.flavor = "woff2"
        font.save(out, reorderTables=False)
    return out.getvalue()


def font_file_name(font: WebFont, data: bytes) -> str:
    """A name that changes with the subset, so a browser never keeps a stale one."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{FONTS_FOLDER}/{font.source.stem}.{digest}.woff2"


def web_fonts(characters: set[int], code_characters: set[int]) -> tuple[str, dict[str, bytes]]:
    """@font-face rules (URLs relative to the stylesheet's folder) and the font files."""
    rules, files = [], {}
    for font in WEB_FONTS:
        code = font.family.startswith("CMU")
        wanted = frozenset((code_characters if code else characters) | ALWAYS)
        if code and not code_characters:
            continue
        data = woff2_subset(font.source, wanted)
        name = font_file_name(font, data)
        files[name] = data
        rules.append(f'@font-face {{ font-family: "{font.family}"; font-style: {font.style}; '
                     f'font-weight: {font.weight}; font-display: swap; '
                     f'src: url("../{name}") format("woff2"); }}')
    return "\n".join(rules) + "\n", files
