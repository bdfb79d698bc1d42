"""A profile's PDF from the book's laid-out parts: joined, tagged, labelled, folios stamped."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.book import BookLayout
from qlabbook.typeset.glyphs import check_coverage
from qlabbook.typeset.join import join_parts, open_pdf
from qlabbook.typeset.layout import renderer_failed

if TYPE_CHECKING:
    from pikepdf import Pdf


def render_pdf(layout: BookLayout, diagnostics: Diagnostics,
               opened: Callable[[bytes], Pdf] = open_pdf) -> bytes:
    """The book's PDF as bytes: tagged, fonts embedded and subset, page labels set. What
    the parts' renderer said is the layout's (BookLayout.parts) to report. `opened` opens
    each part's PDF (OpenedParts keeps them open between builds)."""
    check_coverage(layout.collection, diagnostics)
    if layout.failed:
        return b""  # the error ends the build before anything is written
    blank, *folio_sheets = layout.sheets
    try:
        return join_parts(layout, blank.pdf, [sheet.pdf for sheet in folio_sheets], opened)
    except Exception as error:  # the joining can still fail
        renderer_failed(error, diagnostics)
        return b""
