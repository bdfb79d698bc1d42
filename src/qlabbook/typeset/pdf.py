"""A profile's PDF from the book's laid-out parts: joined, tagged, labelled, folios stamped."""

from __future__ import annotations

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.book import BookLayout, PartStore
from qlabbook.typeset.glyphs import check_coverage
from qlabbook.typeset.join import join_parts
from qlabbook.typeset.layout import renderer_failed
from qlabbook.typeset.parts import LaidOutPart
from qlabbook.typeset.sheets import render_sheet, sheet_key, sheet_length


def render_pdf(layout: BookLayout, diagnostics: Diagnostics,
               store: PartStore | None = None) -> bytes:
    """The book's PDF as bytes: tagged, fonts embedded and subset, page labels set. What
    the parts' renderer said is the layout's (BookLayout.parts) to report."""
    check_coverage(layout.collection, diagnostics)
    if layout.failed:
        return b""  # the error ends the build before anything is written
    printed = [folio for folio in layout.folios() if folio is not None]
    try:
        blank = stored_sheet(layout, "blank", 1, store)
        sheet = stored_sheet(layout, "folios", sheet_length(max(printed, default=1)), store)
        return join_parts(layout, blank.pdf, sheet.pdf)
    except Exception as error:  # the renderer or the joining can still fail
        renderer_failed(error, diagnostics)
        return b""


def stored_sheet(layout: BookLayout, kind: str, pages: int,
                 store: PartStore | None) -> LaidOutPart:
    key = sheet_key(layout.collection, layout.profile, kind, pages)
    found = store.get(key) if store is not None else None
    if found is None:
        found = render_sheet(layout.collection, layout.profile, kind, pages)
        if store is not None:
            store.put(key, found)
    return found
