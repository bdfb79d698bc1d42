"""The book laid out once per profile, then settled: figures, then notes."""

from __future__ import annotations

from typing import Any

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.source.profiles import DEFAULT_PROFILE, PROFILES
from qlabbook.typeset.document import (
    JPEG_QUALITY,
    figure_paths,
    render_document,
    report_renderer_logs,
    weasyprint_logs,
)
from qlabbook.typeset.figures import place_figures
from qlabbook.typeset.geometry import text_width_pixels
from qlabbook.typeset.images import fit_ahead
from qlabbook.typeset.notes import keep_notes_with_calls


def renderer_failed(error: Exception, diagnostics: Diagnostics) -> None:
    detail = f": {error}" if str(error) else ""
    diagnostics.error(
        "R105", f"the PDF renderer failed ({type(error).__name__}{detail})",
        hint="a page could not hold what must go on it, such as dozens of footnotes "
        "called from one paragraph: split the paragraph or merge notes")


def laid_out(collection: Collection, diagnostics: Diagnostics,
             profile: str = DEFAULT_PROFILE) -> Any:
    """lay_out, with what WeasyPrint said on the way: the layout a build makes once and
    shares between a PDF and, for the screen profile, the EPUB's page list. None (and an
    error) when the layout fails."""
    # The figures are fitted on other cores while WeasyPrint parses and styles the book.
    pool = fit_ahead(figure_paths(collection),
                     text_width_pixels(collection, PROFILES[profile]), JPEG_QUALITY)
    with weasyprint_logs() as logs:
        try:
            document = lay_out(collection, profile, diagnostics)
        except Exception as error:  # layout can fail on pages that cannot hold their content
            renderer_failed(error, diagnostics)
            document = None
        finally:
            pool.shutdown(cancel_futures=True)
    report_renderer_logs(logs, diagnostics)
    return document


def lay_out(collection: Collection, profile: str, diagnostics: Diagnostics) -> Any:
    """The book laid out, then settled: figures that left a gap deferred, then notes kept
    with their calls (in that order: moving a figure changes what a note repair names)."""
    document, moves = place_figures(collection, profile, render_document(collection, profile))
    if collection.options.notes == "footnotes":
        document = keep_notes_with_calls(collection, profile, document, diagnostics, moves)
    return document
