"""What a collection may ask for in its [pdf] table: PDF profiles, trim sizes, note places."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True)
class PdfProfile:
    """What one kind of PDF is for: the reader's download or the printer's file."""

    name: str
    summary: str  # for --help
    variant: str  # WeasyPrint's pdf_variant
    ppi: int  # images with more pixels than this at their printed size are downsampled
    suffix: str  # added to the edition's file stem
    links: bool  # clickable links and contents
    cover: bool  # the cover is the first page (a printer takes the cover as its own file)
    # A printer's file: bleed and crop marks, an output intent, images checked for resolution.
    press: bool = False


PROFILES = {
    "screen": PdfProfile("screen", "the download", "pdf/ua-1", 150, "", links=True, cover=True),
    # PDF/X-4 keeps RGB images and transparency and takes an RGB output intent; PDF/X-1a
    # would need every colour converted to CMYK and a CMYK profile qlabbook cannot ship.
    "press": PdfProfile("press", "PDF/X with bleed and crop marks", "pdf/x-4", 300, "-press",
                        links=False, cover=False, press=True),
}
# The PDF a build writes unless told otherwise, and the one the EPUB's page list follows.
DEFAULT_PROFILE = "screen"

# Named trim sizes in mm; any other size is written "WxH mm" (e.g. the trade "156x234 mm").
PAGE_SIZES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4)}
CUSTOM_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*mm\s*$", re.IGNORECASE)
# Where an essay's notes go: the page foot, or a Notes section after the essay.
NotePlacement = Literal["footnotes", "endnotes"]
NOTE_PLACEMENTS: tuple[NotePlacement, ...] = get_args(NotePlacement)


def pdf_file_name(stem: str, profile: str) -> str:
    """`<stem>.pdf` for the screen edition, `<stem>-press.pdf` for the printer's."""
    return f"{stem}{PROFILES[profile].suffix}.pdf"


def page_dimensions(page_size: str) -> tuple[float, float] | None:
    """(width, height) in mm of a named size or a "WxH mm" size; None when it is neither
    or is too small to hold a page of text (under 90 x 120 mm) or larger than A3."""
    if page_size in PAGE_SIZES:
        return PAGE_SIZES[page_size]
    found = CUSTOM_SIZE.match(page_size)
    if found is None:
        return None
    width, height = float(found.group(1)), float(found.group(2))
    if not (90 <= width <= 297 and 120 <= height <= 420):
        return None
    return width, height
