"""Typeset stage: the print HTML laid out by WeasyPrint into the screen and press PDFs.

The book is laid out in parts, each alone (and cached), then joined into one PDF:

    parts.py       the parts (front matter, each essay, back matter, folio sheets), their
                   jobs and print stylesheets, and what a laid-out part keeps
    book.py        every part of the books laid out or taken from the store; page labels
    layout.py      one part laid out, settled and written as a PDF
    settling/      figures moved below the text after them, notes kept with their calls,
                   each new layout resumed from the first page a change can reach
    document.py    the renderer's input: print HTML, stylesheets, fonts, PDF options
    html.py        the print HTML (with formulas.py and imagesize.py); geometry.py the page
    fetch.py       the files the renderer may load; images.py figures fitted to the text
    engine.py      the one module that speaks to WeasyPrint and pydyf
    finish.py      a part's PDF finished: bleed boxes, a steady id, plain text spans
    pagemap.py     where each page starts in the text units the EPUB shares; anchors' pages
    folios.py      the folios essays open on, /PageLabels, folios stamped on the book
    join.py        the parts' PDFs joined with pikepdf; fontmerge.py one font per face
    pdf.py         a profile's PDF from the laid-out book
    glyphs.py      characters the shipped fonts lack; preflight.py soft photographs

The entry points the build calls are named below. Each is imported when first asked for:
importing the stage stays cheap (`qlabbook --help`), and WeasyPrint loads only to lay out."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qlabbook.typeset.book import (
        BookLayout,
        PartStore,
        Runner,
        book_page_map,
        lay_out_books,
        lay_out_here,
    )
    from qlabbook.typeset.join import OpenedParts, PartPdfs
    from qlabbook.typeset.layout import lay_out_part
    from qlabbook.typeset.parts import LaidOutPart, PartJob
    from qlabbook.typeset.pdf import render_pdf

__all__ = ["BookLayout", "LaidOutPart", "OpenedParts", "PartJob", "PartPdfs", "PartStore",
           "Runner", "book_page_map", "lay_out_books", "lay_out_here", "lay_out_part",
           "render_pdf"]
HOMES = ("book", "layout", "pdf", "join", "parts")  # the modules that define them


def __getattr__(name: str) -> Any:
    if name in __all__:
        for home in HOMES:
            module = import_module(f"qlabbook.typeset.{home}")
            if name in vars(module):
                return vars(module)[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
