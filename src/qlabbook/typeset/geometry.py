"""Page geometry: trim size, margins for a 60-70 character measure, bleed and marks."""

from __future__ import annotations

from dataclasses import dataclass

from qlabbook.source.model import Collection
from qlabbook.source.profiles import PdfProfile, page_dimensions

# Crop marks sit outside the bleed: WeasyPrint draws them across the outer half of the
# CSS bleed area, so that area is the printer's bleed plus room for the marks.
MARK_ROOM_MM = 9.0


MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class TypeArea:
    """How one trim size is set: the text's size and leading, and the margins in mm."""

    size_pt: float
    leading: float  # line height, as a multiple of the size
    inner: float
    top: float
    outer: float
    bottom: float


# Type size, leading and (inner, top, outer, bottom) margins for the named sizes, chosen
# together for a measure of 60-70 characters of Libertine (about 65 on average): 12 pt on
# a 118 mm measure for the large pages, 10.5 pt on 102 mm for A5. The outer and bottom
# margins are the widest, as in a book.
TYPE_AREAS = {
    "A4": TypeArea(12.0, 1.4, 30.0, 30.0, 62.0, 44.0),
    "A5": TypeArea(10.5, 1.38, 18.0, 18.0, 28.0, 26.0),
    "Letter": TypeArea(12.0, 1.4, 32.0, 28.0, 65.9, 40.0),
}
# Millimetres of measure per point of type for about 65 characters of Libertine a line.
MEASURE_PER_PT = 9.8
SMALLEST_PT, LARGEST_PT = 9.0, 12.0


def type_area(page_size: str) -> TypeArea:
    """The table's entry, or for a size without one: 10.5 pt on pages narrower than
    170 mm and 12 pt on wider ones, on a measure of about 65 characters of that size
    (smaller type on a narrow page, down to 9 pt), with the margin progression
    inner < top < outer < bottom."""
    if page_size in TYPE_AREAS:
        return TYPE_AREAS[page_size]
    dimensions = page_dimensions(page_size)
    assert dimensions is not None, page_size  # checked when qlabbook.toml was read
    width, _ = dimensions
    size = 10.5 if width < 170 else LARGEST_PT
    room = width * 0.74
    size = max(SMALLEST_PT, min(size, room / MEASURE_PER_PT))
    measure = min(room, size * MEASURE_PER_PT)
    inner = round((width - measure) * 0.4, 1)
    outer = round(width - measure - inner, 1)
    return TypeArea(round(size, 1), 1.4, inner, round(inner * 1.1, 1), outer,
                    round(outer * 1.2, 1))


def geometry(page_size: str) -> tuple[float, float, float, float, float, float]:
    """(width, height, inner, top, outer, bottom) in mm."""
    dimensions = page_dimensions(page_size)
    assert dimensions is not None, page_size  # checked when qlabbook.toml was read
    area = type_area(page_size)
    return (*dimensions, area.inner, area.top, area.outer, area.bottom)


def page_rule(page_size: str, profile: PdfProfile, bleed_mm: float) -> str:
    """The @page size, margins and (press) bleed and crop marks, and the sinks that depend
    on the page height."""
    width, height, inner, top, outer, bottom = geometry(page_size)
    area = type_area(page_size)
    rule = (f"html {{ font-size: {area.size_pt}pt; line-height: {area.leading}; }}"
            f"@page {{ size: {width}mm {height}mm; "
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
