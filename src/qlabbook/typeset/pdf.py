"""A profile's PDF written from its layout: tagged, fonts embedded, labels and boxes set."""

from __future__ import annotations

from typing import Any

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.source.profiles import DEFAULT_PROFILE, PROFILES
from qlabbook.source.timestamp import library_clock
from qlabbook.typeset.document import pdf_options, report_renderer_logs, weasyprint_logs
from qlabbook.typeset.finish import finisher, remember_page_references
from qlabbook.typeset.folios import folio_labels
from qlabbook.typeset.glyphs import check_coverage
from qlabbook.typeset.layout import laid_out, renderer_failed
from qlabbook.typeset.preflight import check_image_resolution


def render_pdf(collection: Collection, diagnostics: Diagnostics,
               profile: str = DEFAULT_PROFILE, document: Any = None) -> bytes:
    """One profile's PDF as bytes: tagged, fonts embedded and subset, page labels set;
    written from `document` (the profile's laid_out) when the build has laid it out."""
    check_coverage(collection, diagnostics)
    chosen = PROFILES[profile]
    remember_page_references()
    if document is None:
        document = laid_out(collection, diagnostics, profile)
        if document is None:
            return b""  # the error ends the build before anything is written
    with weasyprint_logs() as logs:
        try:
            if chosen.press:
                check_image_resolution(collection, document, diagnostics, chosen.ppi)
            labels = folio_labels(document)
            finish = finisher(labels,
                              collection.options.bleed_mm if chosen.press else 0,
                              collection.metadata.identifier or collection.metadata.title)
            with library_clock(collection):  # subset fonts carry the edition's date
                pdf = document.write_pdf(finisher=finish, **pdf_options(collection, chosen))
        except Exception as error:  # the renderer can still fail writing the pages
            renderer_failed(error, diagnostics)
            return b""  # the error ends the build before anything is written
    report_renderer_logs(logs, diagnostics)
    assert isinstance(pdf, bytes)
    return pdf
