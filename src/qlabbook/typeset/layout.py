"""One part of the book laid out, settled (figures, then notes), and written as a PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from qlabbook.assets import FONT_CONFIG, PACKAGE_STYLES
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.profiles import PROFILES
from qlabbook.source.timestamp import library_clock
from qlabbook.typeset import engine
from qlabbook.typeset.document import (
    JPEG_QUALITY,
    figure_paths,
    lay_out_html,
    pdf_options,
    render_part,
    report_renderer_logs,
    stylesheet_base,
)
from qlabbook.typeset.fetch import COLLECTION_URL, STYLES_URL
from qlabbook.typeset.finish import finisher, publication_record
from qlabbook.typeset.geometry import text_width_pixels
from qlabbook.typeset.images import fit_ahead
from qlabbook.typeset.pagemap import anchor_pages, part_page_starts
from qlabbook.typeset.parts import LaidOutPart, PartJob
from qlabbook.typeset.preflight import check_image_resolution
from qlabbook.typeset.settling import resume
from qlabbook.typeset.settling.settle import settle


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
    with engine.renderer_logs() as logs:
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


# Lays a part out with CSS repairs added and figures moved (render_part's signature).
RenderPart = Callable[[PartJob, tuple[str, ...], Mapping[str, int] | None], Any]


def settled(job: PartJob, diagnostics: Diagnostics, render: RenderPart = render_part) -> Any:
    """An essay's pages settled (settle.py): figures that left a gap deferred, notes kept
    with their calls. Only this essay is laid out again, never the book."""
    if job.part.kind != "essay":
        return render(job, (), None)
    document = resume.lay_out(lambda: render(job, (), None))
    return resume.of_one_tree(settle(lambda moves, repairs, previous, changed: resume.lay_out(
        lambda: render(job, repairs, moves), previous, changed),
        document, job.collection, job.profile, diagnostics))


@dataclass(frozen=True)
class PrintInput:
    """What WeasyPrint is given for a part's final layout (after settling): the print HTML
    and its base URL, the stylesheets in cascade order (CSS, base URL; repairs last), the
    folders the virtual URLs stand for (figures are served fitted: image_fitter), the
    font configuration file, and the options of render() and of write_pdf()."""

    html: str
    base_url: str
    stylesheets: tuple[tuple[str, str | None], ...]
    folders: dict[str, Path]
    font_config: Path
    render_options: dict[str, Any]
    pdf_options: dict[str, Any]


def settled_input(job: PartJob, diagnostics: Diagnostics) -> tuple[Any, PrintInput]:
    """The part laid out and settled as lay_out_part does it (the document, to write), and
    what its final layout was made from: to run the renderer alone on the same input."""
    made: WeakKeyDictionary[Any, PrintInput] = WeakKeyDictionary()

    def render(job: PartJob, repairs: tuple[str, ...], moves: Mapping[str, int] | None) -> Any:
        html, sheets = job.html(moves), job.stylesheets()
        document = lay_out_html(job.collection, job.profile, html, sheets, repairs)
        if repairs:
            sheets = [*sheets, ("\n".join(repairs), "")]
        made[document] = PrintInput(
            html, COLLECTION_URL, tuple((css, stylesheet_base(base)) for css, base in sheets),
            {COLLECTION_URL: job.collection.root, STYLES_URL: PACKAGE_STYLES}, FONT_CONFIG,
            pdf_options(job.collection, PROFILES[job.profile]), write_options(job))
        return document

    document = settled(job, diagnostics, render)
    return document, made[document]


def written(job: PartJob, document: Any, diagnostics: Diagnostics) -> LaidOutPart:
    chosen = PROFILES[job.profile]
    collection = job.collection
    if chosen.press:
        check_image_resolution(collection, document, diagnostics, chosen.ppi)
    starts, texts, misaligned = part_page_starts(document)
    engine.remember_page_references()
    finish = finisher(collection.options.bleed_mm if chosen.press else 0,
                      collection.metadata.identifier or collection.metadata.title,
                      publication_record(collection.metadata))
    with library_clock(collection):  # subset fonts carry the edition's date
        pdf = engine.write_pdf(document, finish, write_options(job))
    return LaidOutPart(pdf, len(document.pages), anchor_pages(document), starts, texts,
                       misaligned)


def write_options(job: PartJob) -> dict[str, Any]:
    """write_pdf()'s options for the part (its finisher aside)."""
    options = pdf_options(job.collection, PROFILES[job.profile])
    if job.part.kind == "folios":  # stamped on as artifacts: nothing to tag
        options["pdf_tags"] = False
    return options
