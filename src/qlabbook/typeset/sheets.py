"""The pages the parts do not make: the blank left-hand page an essay may need before it, and
the folios stamped on the joined book, drawn by the same stylesheets as the parts' pages."""

from __future__ import annotations

from qlabbook.source.fingerprint import Hasher, tool_fingerprint
from qlabbook.source.model import Collection
from qlabbook.source.profiles import PROFILES
from qlabbook.source.timestamp import build_time
from qlabbook.typeset.parts import LaidOutPart, print_stylesheets

# As specific as print.css's rules for left and right pages, and later, so they win.
NO_FURNITURE = ("@page :left { @top-left { content: none; } @bottom-left { content: none; } }"
                "@page :right { @top-right { content: none; } @bottom-right { content: none; } }")
NO_HEADS = ("@page :left { @top-left { content: none; } }"
            "@page :right { @top-right { content: none; } }")
# Folios are drawn over pages that already have a background (and, for press, marks).
NO_MARKS = "@page { marks: none; background: none; }"

SHEET_PAGES = 64  # folio sheets grow by this many pages, so a longer book rarely needs a new one


def sheet_key(collection: Collection, profile: str, kind: str, pages: int) -> str:
    hasher = Hasher()
    hasher.add("tool", tool_fingerprint())
    hasher.add("kind", kind)
    hasher.add("pages", str(pages))
    hasher.add("profile", profile)
    hasher.add("time", build_time(collection).isoformat())
    for css, _ in print_stylesheets(collection, profile):
        hasher.add("css", css)
    return hasher.hexdigest()


def sheet_length(folios: int) -> int:
    return max(SHEET_PAGES, -(-folios // SHEET_PAGES) * SHEET_PAGES)


def render_sheet(collection: Collection, profile: str, kind: str, pages: int) -> LaidOutPart:
    """A blank page ("blank"), or `pages` pages that print only their folios 1, 2, 3 ...
    ("folios"), as a PDF the size of the book's pages."""
    from qlabbook.source.timestamp import library_clock
    from qlabbook.typeset.document import lay_out_html, pdf_options
    from qlabbook.typeset.finish import finisher

    chosen = PROFILES[profile]
    if kind == "blank":
        html, rules, tagged = "<html><body></body></html>", NO_FURNITURE, True
    else:
        body = "".join('<div style="break-before: page"></div>' for _ in range(pages))
        html, rules, tagged = f"<html><body>{body}</body></html>", NO_HEADS + NO_MARKS, False
    html = html.replace("<html>", f'<html lang="{collection.metadata.language}">')
    document = lay_out_html(collection, profile, html,
                            print_stylesheets(collection, profile, rules), ())
    finish = finisher(collection.options.bleed_mm if chosen.press else 0,
                      collection.metadata.identifier or collection.metadata.title)
    with library_clock(collection):
        pdf = document.write_pdf(finisher=finish,
                                 **{**pdf_options(collection, chosen), "pdf_tags": tagged})
    assert isinstance(pdf, bytes)
    return LaidOutPart(pdf, len(document.pages), {}, [], {})
