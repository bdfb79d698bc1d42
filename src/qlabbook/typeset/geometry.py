"""Page geometry: trim size, margins for a 60-70 character measure, bleed and marks."""

from __future__ import annotations

from qlabbook.source.model import Collection
from qlabbook.source.profiles import PdfProfile, page_dimensions

# Crop marks sit outside the bleed: WeasyPrint draws them across the outer half of the
# CSS bleed area, so that area is the printer's bleed plus room for the marks.
MARK_ROOM_MM = 9.0


MM = 72 / 25.4  # PDF points per millimetre


# (inner, top, outer, bottom) margins in mm for the named sizes. The measure is kept near
# 65 characters: on A4 that needs a wide outer margin, which also gives a calm, open page.
NAMED_MARGINS = {
    "A4": (27.0, 28.0, 56.0, 42.0),
    "A5": (16.0, 18.0, 22.0, 26.0),
    "Letter": (28.0, 26.0, 58.0, 38.0),
}


def geometry(page_size: str) -> tuple[float, float, float, float, float, float]:
    """(width, height, inner, top, outer, bottom) in mm. Sizes without a table entry keep
    a measure of at most 127 mm (about 65 characters) and the margin progression
    inner < top < outer < bottom."""
    dimensions = page_dimensions(page_size)
    assert dimensions is not None, page_size  # checked when qlabbook.toml was read
    width, height = dimensions
    if page_size in NAMED_MARGINS:
        return (width, height, *NAMED_MARGINS[page_size])
    measure = min(127.0, width * 0.72)
    inner = round((width - measure) * 0.4, 1)
    outer = round(width - measure - inner, 1)
    return width, height, inner, round(inner * 1.1, 1), outer, round(outer * 1.2, 1)


def page_rule(page_size: str, profile: PdfProfile, bleed_mm: float) -> str:
    """The @page size, margins and (press) bleed and crop marks, and the sinks that depend
    on the page height."""
    width, height, inner, top, outer, bottom = geometry(page_size)
    rule = (f"@page {{ size: {width}mm {height}mm; "
            f"margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}"
            f"@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm; }}"
            f"@page :right {{ margin-left: {inner}mm; margin-right: {outer}mm; }}"
            # The imprint fills its page's text block and sets its lines at the foot; titles
            # start about a third of the way down (percentages would follow the width).
            f".imprint {{ height: {height - top - bottom - 1:.1f}mm; }}"
            f".opening {{ padding-top: {(height - top - bottom) * 0.22:.1f}mm; }}"
            f".title-page {{ padding-top: {(height - top - bottom) * 0.3:.1f}mm; }}"
            f".cover {{ height: {height}mm; }}")
    if profile.press:
        # A page background is what WeasyPrint paints the marks with.
        rule += (f"@page {{ bleed: {bleed_mm + MARK_ROOM_MM}mm; marks: crop; "
                 "background: white; }")
    return rule


def text_width_pixels(collection: Collection, profile: PdfProfile) -> int:
    """Figures fill the measure: the most pixels an image needs at the profile's ppi."""
    width, _, inner, _, outer, _ = geometry(collection.options.page_size)
    return int((width - inner - outer) / 25.4 * profile.ppi)
