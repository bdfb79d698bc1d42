"""A profile's PDF from the book's laid-out parts: joined, tagged, labelled, folios stamped."""

from __future__ import annotations

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.book import BookLayout
from qlabbook.typeset.glyphs import check_coverage
from qlabbook.typeset.join import PartPdfs, join_parts
from qlabbook.typeset.layout import renderer_failed


def render_pdf(layout: BookLayout, diagnostics: Diagnostics,
               pdfs: PartPdfs | None = None) -> bytes:
    """The book's PDF as bytes: tagged, fonts embedded and subset, page labels set. What
    the parts' renderer said is the layout's (BookLayout.parts) to report. `pdfs` opens
    each part's PDF (OpenedParts keeps them open between builds)."""
    check_coverage(layout.collection, diagnostics)
    if layout.failed:
        return b""  # the error ends the build before anything is written
    blank, *folio_sheets = layout.sheets
    try:
        return join_parts(layout, blank.pdf, [sheet.pdf for sheet in folio_sheets], pdfs)
    except Exception as error:  # the joining can still fail
        renderer_failed(error, diagnostics)
        return b""
