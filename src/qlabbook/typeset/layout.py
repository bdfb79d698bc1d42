"""One part of the book laid out, settled (figures, then notes), and written as a PDF."""

from __future__ import annotations

from typing import Any

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.profiles import PROFILES
from qlabbook.source.timestamp import library_clock
from qlabbook.typeset import resume
from qlabbook.typeset.document import (
    JPEG_QUALITY,
    figure_paths,
    pdf_options,
    render_part,
    report_renderer_logs,
    weasyprint_logs,
)
from qlabbook.typeset.finish import finisher, remember_page_references
from qlabbook.typeset.folios import anchor_pages
from qlabbook.typeset.geometry import text_width_pixels
from qlabbook.typeset.images import fit_ahead
from qlabbook.typeset.pagemap import part_page_starts
from qlabbook.typeset.parts import LaidOutPart, PartJob
from qlabbook.typeset.preflight import check_image_resolution
from qlabbook.typeset.settle import settle


def renderer_failed(error: Exception, diagnostics: Diagnostics) -> None:
    detail = f": {error}" if str(error) else ""
    diagnostics.error(
        "R105", f"the PDF renderer failed ({type(error).__name__}{detail})",
        hint="a page could not hold what must go on it, such as dozens of footnotes "
        "called from one paragraph: split the paragraph or merge notes")


def lay_out_part(job: PartJob) -> LaidOutPart:
    """The part laid out and written, with what WeasyPrint said on the way. Its layout is
    freed when this returns: only the PDF's bytes and the facts read off the pages stay.
    A part that fails has no pages (and an error, which ends the build)."""
    diagnostics = Diagnostics()
    collection = job.collection
    # The figures are fitted on other cores while WeasyPrint parses and styles the part.
    pool = fit_ahead(figure_paths(collection),
                     text_width_pixels(collection, PROFILES[job.profile]), JPEG_QUALITY)
    with weasyprint_logs() as logs:
        try:
            part = written(job, settled(job, diagnostics), diagnostics)
        except Exception as error:  # layout can fail on pages that cannot hold their content
            renderer_failed(error, diagnostics)
            part = LaidOutPart(b"", 0, {}, [], {})
        finally:
            pool.shutdown(cancel_futures=True)
    report_renderer_logs(logs, diagnostics)
    part.diagnostics = diagnostics.items
    return part


def settled(job: PartJob, diagnostics: Diagnostics) -> Any:
    """An essay's pages settled (settle.py): figures that left a gap deferred, notes kept
    with their calls. Only this essay is laid out again, never the book."""
    if job.part.kind != "essay":
        return render_part(job)
    document = resume.lay_out(lambda: render_part(job))
    return resume.of_one_tree(settle(lambda moves, repairs, previous, changed: resume.lay_out(
        lambda: render_part(job, repairs, moves), previous, changed),
        document, job.collection, job.profile, diagnostics))


def written(job: PartJob, document: Any, diagnostics: Diagnostics) -> LaidOutPart:
    chosen = PROFILES[job.profile]
    collection = job.collection
    if chosen.press:
        check_image_resolution(collection, document, diagnostics, chosen.ppi)
    starts, texts, misaligned = part_page_starts(document)
    remember_page_references()
    finish = finisher(collection.options.bleed_mm if chosen.press else 0,
                      collection.metadata.identifier or collection.metadata.title)
    options = pdf_options(collection, chosen)
    if job.part.kind == "folios":  # stamped on as artifacts: nothing to tag
        options["pdf_tags"] = False
    with library_clock(collection):  # subset fonts carry the edition's date
        pdf = document.write_pdf(finisher=finish, **options)
    assert isinstance(pdf, bytes)
    return LaidOutPart(pdf, len(document.pages), anchor_pages(document), starts, texts,
                       misaligned)
