"""Write stage for print: the print HTML through WeasyPrint to screen and press PDFs."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qlabbook.errors import Diagnostics
from qlabbook.model import Collection, page_dimensions
from qlabbook.render import PACKAGE_STYLES, render_print_html, stylesheet


@dataclass(frozen=True)
class PdfProfile:
    """What one kind of PDF is for: the reader's download or the printer's file."""

    name: str
    variant: str  # WeasyPrint's pdf_variant
    ppi: int  # images with more pixels than this at their printed size are downsampled
    suffix: str  # added to the collection's slug in the file name
    links: bool  # clickable links and contents
    cover: bool  # the cover is the first page (a printer takes the cover as its own file)


PROFILES = {
    "screen": PdfProfile("screen", "pdf/ua-1", 150, "", links=True, cover=True),
    # PDF/X-4 keeps RGB images and transparency and takes an RGB output intent; PDF/X-1a
    # would need every colour converted to CMYK and a CMYK profile qlabbook cannot ship.
    "press": PdfProfile("press", "pdf/x-4", 300, "-press", links=False, cover=False),
}
LOW_PPI = 150  # below this, a photograph looks soft in print
JPEG_QUALITY = 88  # photographs scaled for a profile are saved at this quality
# Crop marks sit outside the bleed: WeasyPrint draws them across the outer half of the
# CSS bleed area, so that area is the printer's bleed plus room for the marks.
MARK_ROOM_MM = 9.0
MM = 72 / 25.4  # PDF points per millimetre

# (inner, top, outer, bottom) margins in mm for the named sizes. The measure is kept near
# 65 characters: on A4 that needs a wide outer margin, which also gives a calm, open page.
NAMED_MARGINS = {
    "A4": (27.0, 28.0, 56.0, 42.0),
    "A5": (16.0, 18.0, 22.0, 26.0),
    "Letter": (28.0, 26.0, 58.0, 38.0),
}


def pdf_file_name(slug: str, profile: str) -> str:
    """`<slug>.pdf` for the screen edition, `<slug>-press.pdf` for the printer's."""
    return f"{slug}{PROFILES[profile].suffix}.pdf"


def geometry(page_size: str) -> tuple[float, float, float, float, float, float]:
    """(width, height, inner, top, outer, bottom) in mm. Sizes without a table entry keep
    a measure of at most 127 mm (about 65 characters) and the margin progression
    inner < top < outer < bottom."""
    dimensions = page_dimensions(page_size)
    assert dimensions is not None, page_size  # checked when qlabbook.toml was read
    width, height = dimensions
    if page_size in NAMED_MARGINS:
        return (width, height, *NAMED_MARGINS[page_size])
    measure = min(127.0, width * 0.72)
    inner = round((width - measure) * 0.4, 1)
    outer = round(width - measure - inner, 1)
    return width, height, inner, round(inner * 1.1, 1), outer, round(outer * 1.2, 1)


def page_rule(page_size: str, profile: PdfProfile, bleed_mm: float) -> str:
    """The @page size, margins and (press) bleed and crop marks, and the sinks that depend
    on the page height."""
    width, height, inner, top, outer, bottom = geometry(page_size)
    rule = (f"@page {{ size: {width}mm {height}mm; "
            f"margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}"
            f"@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm; }}"
            f"@page :right {{ margin-left: {inner}mm; margin-right: {outer}mm; }}"
            # The imprint fills its page's text block and sets its lines at the foot; titles
            # start about a third of the way down (percentages would follow the width).
            f".imprint {{ height: {height - top - bottom - 1:.1f}mm; }}"
            f".opening {{ padding-top: {(height - top - bottom) * 0.22:.1f}mm; }}"
            f".title-page {{ padding-top: {(height - top - bottom) * 0.3:.1f}mm; }}"
            f".cover {{ height: {height}mm; }}")
    if profile.name == "press":
        # A page background is what WeasyPrint paints the marks with.
        rule += (f"@page {{ bleed: {bleed_mm + MARK_ROOM_MM}mm; marks: crop; "
                 "background: white; }")
    return rule


class LogCollector(logging.Handler):
    """WeasyPrint reports missing resources as log records: keep them as diagnostics."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # How fonts get subset is the machine's business, not a problem in the content;
        # missing glyphs are reported, with their place in the sources, by glyphs.py.
        if not message.startswith(("Using fontTools instead of HarfBuzz-Subset",
                                   ".notdef glyph rendered")):
            self.messages.append(message)


@contextmanager
def weasyprint_logs() -> Iterator[LogCollector]:
    logger = logging.getLogger("weasyprint")
    collector = LogCollector()
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


def use_shipped_fonts_only() -> None:
    """Hide the machine's fonts from the renderer: Pango would otherwise fill in characters
    that the shipped fonts lack from whatever this machine has installed."""
    os.environ["FONTCONFIG_FILE"] = str(PACKAGE_STYLES / "fonts" / "fonts.conf")


def render_document(collection: Collection, profile: str = "screen",
                    repairs: tuple[str, ...] = (), moves: Mapping[str, int] | None = None) -> Any:
    """Lay the edition out with WeasyPrint: a weasyprint.Document, pages and all.
    `repairs` are CSS rules added last (see keep_notes_with_calls), `moves` figures to
    defer (see place_figures)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from qlabbook.fetch import COLLECTION_URL, STYLES_URL, LocalOnlyFetcher

    chosen = PROFILES[profile]
    fetcher = LocalOnlyFetcher({COLLECTION_URL: collection.root, STYLES_URL: PACKAGE_STYLES},
                               images=image_fitter(collection, chosen))
    use_shipped_fonts_only()  # read when the font configuration below is created
    fonts = FontConfiguration()  # shared by every stylesheet and the document, or @font-face fails
    sheets = [CSS(string=(PACKAGE_STYLES / "print.css").read_text(encoding="utf-8"),
                  base_url=STYLES_URL, font_config=fonts, url_fetcher=fetcher),
              CSS(string=page_rule(collection.options.page_size, chosen,
                                   collection.options.bleed_mm), font_config=fonts)]
    own = stylesheet(collection, "print.css")
    if own is not None:
        sheets.append(CSS(string=own.read_text(encoding="utf-8"),
                          base_url=COLLECTION_URL + "styles/", font_config=fonts,
                          url_fetcher=fetcher))
    if repairs:
        sheets.append(CSS(string="\n".join(repairs), font_config=fonts))
    html = render_print_html(collection, profile=chosen.name, links=chosen.links,
                             cover=chosen.cover, moves=moves)
    # Image options act while images load, so they go to render(), not write_pdf(). Images
    # arrive fitted to the text width (image_fitter); without a JPEG quality or optimisation
    # WeasyPrint embeds those bytes as they are and only scales images printed smaller.
    return HTML(string=html, base_url=COLLECTION_URL, url_fetcher=fetcher).render(
        stylesheets=sheets, font_config=fonts, **pdf_options(collection, chosen))


def text_width_pixels(collection: Collection, profile: PdfProfile) -> int:
    """Figures fill the measure: the most pixels an image needs at the profile's ppi."""
    width, _, inner, _, outer, _ = geometry(collection.options.page_size)
    return int((width - inner - outer) / 25.4 * profile.ppi)


def figure_paths(collection: Collection) -> list[Path]:
    return [(collection.root / src).resolve() for src in collection.images]


def image_fitter(collection: Collection,
                 profile: PdfProfile) -> Callable[[Path, bytes], bytes | None]:
    """The essays' figures scaled once to the profile's ppi at the text width. Other
    images (a supplied cover fills the page) are left to WeasyPrint's own scaling."""
    from qlabbook.images import fitted

    pixels = text_width_pixels(collection, profile)
    figures = set(figure_paths(collection))
    return lambda path, data: fitted(data, pixels, JPEG_QUALITY) if path in figures else None


def pdf_options(collection: Collection, profile: PdfProfile) -> dict[str, Any]:
    identifier = collection.metadata.identifier or collection.metadata.title
    options: dict[str, Any] = {
        "pdf_tags": True, "dpi": profile.ppi,
        "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode(),
        "pdf_variant": profile.variant}
    if profile.name == "press":
        options["output_intent"] = "srgb"  # written as the GTS_PDFX output intent
    return options


def remember_page_references() -> None:
    """pydyf builds the tuple of every page's reference anew each time it is read, and
    WeasyPrint's tagging reads it once per tagged box: time grows with pages × boxes. Keep
    the tuple until a page is added. Only pydyf's PDF class changes, and only if its
    page_references is still the plain property this expects."""
    import pydyf

    current = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(current, property) or current.fget is None or \
            getattr(current.fget, "remembers", False):
        return
    build = current.fget

    def page_references(pdf: Any) -> tuple[bytes, ...]:
        count = len(pdf.pages["Kids"])
        remembered = pdf.__dict__.get("_qlabbook_page_references")
        if remembered is None or remembered[0] != count:
            remembered = (count, build(pdf))
            pdf.__dict__["_qlabbook_page_references"] = remembered
        references: tuple[bytes, ...] = remembered[1]
        return references

    page_references.remembers = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)


def render_pdf(collection: Collection, diagnostics: Diagnostics,
               profile: str = "screen", document: Any = None) -> bytes:
    """One profile's PDF as bytes: tagged, fonts embedded and subset, page labels set;
    written from `document` (the profile's laid_out) when the build has laid it out."""
    from qlabbook.glyphs import check_coverage

    check_coverage(collection, diagnostics)
    chosen = PROFILES[profile]
    remember_page_references()
    if document is None:
        document = laid_out(collection, diagnostics, profile)
        if document is None:
            return b""  # the error ends the build before anything is written
    with weasyprint_logs() as logs:
        try:
            if chosen.name == "press":
                check_image_resolution(collection, document, diagnostics)
            labels = folio_labels(document)
            finish = finisher(labels,
                              collection.options.bleed_mm if chosen.name == "press" else 0,
                              collection.metadata.identifier or collection.metadata.title)
            pdf = document.write_pdf(finisher=finish, **pdf_options(collection, chosen))
        except Exception as error:  # the renderer can still fail writing the pages
            renderer_failed(error, diagnostics)
            return b""  # the error ends the build before anything is written
    for message in logs.messages:
        diagnostics.warning("R101", f"PDF renderer: {message}")
    assert isinstance(pdf, bytes)
    return pdf


# -- footnotes -----------------------------------------------------------------------------

NOTE_ID = re.compile(r"^(e\d+)-fn(\d+)$")
ESSAY_ID = re.compile(r"^e\d+$")
MAX_REPAIRS = 8


def anchor_pages(document: Any) -> dict[str, int]:
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, index)
    return pages


def misplaced_notes(document: Any) -> list[tuple[str, int, int]]:
    """(note id, page of its call, page of the note) for every page-foot note printed on
    another page than its first call (page indexes from 0)."""
    pages = anchor_pages(document)
    found = []
    for name, note_page in pages.items():
        match = NOTE_ID.match(name)
        call_page = pages.get(f"{match.group(1)}-fnref{match.group(2)}") if match else None
        if call_page is not None and call_page != note_page:
            found.append((name, call_page, note_page))
    return sorted(found, key=lambda item: item[1])


def last_text_block(document: Any, page: int) -> Any:
    """The element of the last block of essay text laid out on a page."""
    from weasyprint.formatting_structure import boxes

    last = None
    for box in document.pages[page]._page_box.descendants():
        if isinstance(box, boxes.FootnoteAreaBox):
            break  # the footnote area follows the page's text
        if isinstance(box, boxes.BlockBox) and box.element is not None \
                and box.element_tag in BREAKABLE_BLOCKS:
            last = box.element
    return last


BREAKABLE_BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "figure", "blockquote", "table",
                    "pre", "dd", "dt"}


HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


def css_path(root: Any, target: Any) -> str | None:
    """A selector for `target` from its essay section: #e1 > :nth-child(2) > :nth-child(7).
    A heading just before it goes with it, so the page does not end with a lone heading."""
    parents = {child: parent for parent in root.iter() for child in parent}
    while target in parents:
        siblings = list(parents[target])
        index = siblings.index(target)
        if index == 0 or siblings[index - 1].tag not in HEADINGS:
            break
        target = siblings[index - 1]
    steps = []
    element = target
    while element in parents:
        parent = parents[element]
        steps.append(f":nth-child({list(parent).index(element) + 1})")
        if ESSAY_ID.match(parent.get("id", "")) and "essay" in parent.get("class", ""):
            return f"#{parent.get('id')} > " + " > ".join(reversed(steps))
        element = parent
    return None


def renderer_failed(error: Exception, diagnostics: Diagnostics) -> None:
    detail = f": {error}" if str(error) else ""
    diagnostics.error(
        "R105", f"the PDF renderer failed ({type(error).__name__}{detail})",
        hint="a page could not hold what must go on it, such as dozens of footnotes "
        "called from one paragraph: split the paragraph or merge notes")


def laid_out(collection: Collection, diagnostics: Diagnostics, profile: str = "screen") -> Any:
    """lay_out, with what WeasyPrint said on the way: the layout a build makes once and
    shares between a PDF and, for the screen profile, the EPUB's page list. None (and an
    error) when the layout fails."""
    from qlabbook.images import fit_ahead

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
    for message in logs.messages:
        diagnostics.warning("R101", f"PDF renderer: {message}")
    return document


def lay_out(collection: Collection, profile: str, diagnostics: Diagnostics) -> Any:
    """The book laid out, then settled: figures that left a gap deferred, then notes kept
    with their calls (in that order: moving a figure changes what a note repair names)."""
    document, moves = place_figures(collection, profile, render_document(collection, profile))
    if collection.options.notes == "footnotes":
        document = keep_notes_with_calls(collection, profile, document, diagnostics, moves)
    return document


# -- figures -------------------------------------------------------------------------------

GAP_SHARE = 0.25  # a page whose text stops this far above its foot has a gap worth filling
MAX_FIGURE_MOVES = 6


def flow_boxes(box: Any) -> Iterator[Any]:
    """The boxes of a page's text flow: not its footnotes, not its margin boxes."""
    from weasyprint.formatting_structure import boxes

    yield box
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.FootnoteAreaBox | boxes.MarginBox):
            yield from flow_boxes(child)


def text_bottom_gap(page: Any) -> float:
    """How much of the page's text block (less its notes) is left empty at the foot, as a
    share of the text block's height."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box
    top = page_box.content_box_y()
    bottom = top + page_box.height
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox) and child.children:
            bottom = min(bottom, child.position_y)
    used = max((b.position_y + b.margin_height() for b in flow_boxes(page_box)
                if isinstance(b, boxes.LineBox | boxes.ReplacedBox)), default=top)
    return float(max(0.0, bottom - used) / page_box.height)


def figures_to_defer(document: Any, tried: set[str]) -> list[str]:
    """For each essay, the id of the first figure not yet tried that opens a page after a
    page left with a gap, when text follows it that could fill that gap."""
    from weasyprint.formatting_structure import boxes

    found: dict[str, str] = {}
    for index in range(1, len(document.pages)):
        first = next((b for b in flow_boxes(document.pages[index]._page_box)
                      if isinstance(b, boxes.BlockBox) and b.element_tag in
                      BREAKABLE_BLOCKS), None)
        if first is None or first.element_tag != "figure":
            continue
        figure_id = str(first.element.get("id", ""))
        if "figure" not in first.element.get("class", "") or not figure_id or \
                figure_id in tried:
            continue
        if text_bottom_gap(document.pages[index - 1]) > GAP_SHARE:
            found.setdefault(figure_id.split("-", 1)[0], figure_id)
    return list(found.values())


def essay_gaps(document: Any) -> dict[str, list[float]]:
    """Each page's text_bottom_gap(), listed under the anchor (e1, e2, ...) of its essay."""
    found: dict[str, list[float]] = {}
    essay = ""
    for page in document.pages:
        essay = next((name for name in page.anchors if ESSAY_ID.match(name)), essay)
        found.setdefault(essay, []).append(round(text_bottom_gap(page), 3))
    return found


def place_figures(collection: Collection, profile: str,
                  document: Any) -> tuple[Any, dict[str, int]]:
    """WeasyPrint moves a figure that does not fit to the next page and leaves the rest of
    the page empty. Move such a figure below the next paragraph instead (a float to the
    next page's top, as a typesetter would), until the gap is gone. Every essay opens on
    a new right-hand page, so one layout tries a move in every essay at once; a move that
    leaves its essay's pages as they were is dropped."""
    moves: dict[str, int] = {}
    tried: set[str] = set()
    for _ in range(MAX_FIGURE_MOVES):
        candidates = figures_to_defer(document, tried)
        if not candidates:
            break
        moved = {**moves, **{f: moves.get(f, 0) + 1 for f in candidates}}
        attempt = render_document(collection, profile, moves=moved)
        before, after = essay_gaps(document), essay_gaps(attempt)
        kept = []
        for figure_id in candidates:
            essay = figure_id.split("-", 1)[0]
            if before.get(essay) == after.get(essay):
                tried.add(figure_id)  # it cannot go further down (a heading or figure follows)
            else:
                kept.append(figure_id)
        if kept:
            document = attempt
            moves = {**moves, **{f: moved[f] for f in kept}}
    return document, moves


def note_repairs(document: Any, misplaced: list[tuple[str, int, int]]) -> list[str]:
    """A rule for the first misplaced note of each essay. Every essay opens on a new
    right-hand page, so a repair in one cannot move the lines or notes of another: one
    layout checks a repair in every essay at once, instead of one layout per repair."""
    rules = []
    essays: set[str] = set()
    for name, call_page, _ in misplaced:
        essay = name.split("-", 1)[0]
        if essay in essays:
            continue
        essays.add(essay)
        block = last_text_block(document, call_page)
        root = document.pages[call_page]._page_box.children[0].element  # <html>
        rule = css_path(root, block) if block is not None and root is not None else None
        if rule is not None:
            rules.append(f"{rule} {{ break-before: page; }}")
    return rules


def keep_notes_with_calls(collection: Collection, profile: str, document: Any,
                          diagnostics: Diagnostics,
                          moves: Mapping[str, int] | None = None) -> Any:
    """WeasyPrint 70 makes room for a paragraph's first line at a page foot (its orphans
    check) by moving the page's last note to the next page, away from its call in an
    earlier paragraph. Where that happened, start that paragraph on the next page (it
    had at most two lines on this one) and lay the book out again."""
    repairs: list[str] = []
    for _ in range(MAX_REPAIRS):
        misplaced = misplaced_notes(document)
        if not misplaced:
            return document
        added = [rule for rule in note_repairs(document, misplaced) if rule not in repairs]
        if not added:
            break
        repairs += added
        document = render_document(collection, profile, tuple(repairs), moves)
    for name, call_page, note_page in misplaced_notes(document):
        essay = next(e for e in collection.essays if name.startswith(f"{e.anchor}-"))
        number = name.rsplit("fn", 1)[1]
        diagnostics.warning(
            "R102", f"note {number} is printed on page {note_page + 1} of the {profile} PDF, "
            f"its call on page {call_page + 1}", essay.source.path, None,
            "shorten the note or the paragraph that calls it")
    return document


# -- page labels ---------------------------------------------------------------------------

COVER_LABELS = ("Cover", "Inside cover")


def folio_labels(document: Any) -> list[str]:
    """The label of every page of a rendered document, as printed and as in /PageLabels:
    "Cover" and "Inside cover", roman numerals from the title page, arabic numerals from
    the first essay's opening page (which is page 1)."""
    pages = anchor_pages(document)
    title = pages.get("title-page", 0)
    main = pages.get("main-matter", len(document.pages))
    labels = []
    for index in range(len(document.pages)):
        if index < title:
            labels.append(COVER_LABELS[min(index, 1)])
        elif index < main:
            labels.append(roman(index - title + 1))
        else:
            labels.append(str(index - main + 1))
    return labels


def folio_map(collection: Collection, diagnostics: Diagnostics,
              profile: str = "screen") -> tuple[list[str], dict[str, int]]:
    """The pagination the built PDF has: every page's label (folio_labels) and the index of
    the page each element id starts on (e.g. "e1", "e1-next-steps", "e1-fn3"). For an
    EPUB page-list drawn from the screen PDF."""
    document = lay_out(collection, profile, diagnostics)
    return folio_labels(document), anchor_pages(document)


def roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    text = ""
    for value, numeral in numerals:
        count, number = divmod(number, value)
        text += numeral * count
    return text


def label_ranges(labels: list[str]) -> list[tuple[int, dict[str, str]]]:
    """/PageLabels number-tree entries (first page index, label dictionary) for labels
    made by folio_labels: a prefix for each cover page, then a roman and an arabic range."""
    ranges: list[tuple[int, dict[str, str]]] = []
    previous = ""
    for index, label in enumerate(labels):
        kind = "D" if label.isdigit() else label if label in COVER_LABELS else "r"
        if kind != previous:
            ranges.append((index, {"P": label} if label in COVER_LABELS else {"S": kind}))
        previous = kind
    return ranges


# -- finishing -----------------------------------------------------------------------------

def finisher(labels: list[str], bleed_mm: float, identifier: str) -> Callable[[Any, Any], None]:
    """Post-process WeasyPrint's PDF before it is written: page labels, the exact bleed box,
    and a document id that does not change between builds."""
    import pydyf

    def finish(document: Any, pdf: Any) -> None:
        nums = pydyf.Array()
        for index, entry in label_ranges(labels):
            nums.append(index)
            nums.append(pydyf.Dictionary({
                key: (pydyf.String(value) if key == "P" else f"/{value}")
                for key, value in entry.items()}))
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
        if bleed_mm:
            set_bleed_boxes(pdf, bleed_mm * MM)
        steady_document_id(pdf, identifier)

    return finish


def pdf_pages(pdf: Any) -> Iterator[Any]:
    for number in pdf.pages["Kids"][::3]:
        yield pdf.objects[number]


def set_bleed_boxes(pdf: Any, bleed: float) -> None:
    """WeasyPrint puts the BleedBox at most 10 pt outside the TrimBox; the printer's bleed
    is exactly the configured width (the crop marks lie beyond it)."""
    import pydyf

    for page in pdf_pages(pdf):
        left, top, right, bottom = (float(v) for v in page["TrimBox"])
        page["BleedBox"] = pydyf.Array([round(left - bleed, 3), round(top - bleed, 3),
                                        round(right + bleed, 3), round(bottom + bleed, 3)])


XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def steady_document_id(pdf: Any, identifier: str) -> None:
    """PDF/X-4 metadata gets a random xmpMM:DocumentID; derive it from the collection's
    identifier so that rebuilds are byte-identical."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        return
    number = reference.split()[0] if isinstance(reference, bytes) else str(reference).split()[0]
    stream = pdf.objects[int(number)]
    steady = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, identifier)}".encode()
    stream.stream = [XMP_DOCUMENT_ID.sub(steady, bytes(part) if not isinstance(part, bytes)
                                         else part) for part in stream.stream]


# -- images --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrintedImage:
    src: str  # collection-relative path
    page: int  # 0-based page index
    pixels: int  # across
    width_mm: float

    @property
    def ppi(self) -> float:
        return self.pixels / (self.width_mm / 25.4)


def printed_images(document: Any) -> list[PrintedImage]:
    """Every raster image laid out in the document, with its printed width."""
    from weasyprint.formatting_structure import boxes

    found = []
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.ReplacedBox) or not box.width:
                continue
            pixels = getattr(box.replacement, "width", None)
            src = box.element.get("src") if box.element is not None else None
            if isinstance(pixels, int) and src:
                found.append(PrintedImage(src, index, pixels, box.width / 96 * 25.4))
    return found


def check_image_resolution(collection: Collection, document: Any,
                           diagnostics: Diagnostics) -> None:
    """Warn about photographs that will print soft (below 150 ppi) in the press PDF."""
    for image in printed_images(document):
        if image.ppi >= LOW_PPI:
            continue
        essay = next((e for e in collection.essays for f in e.figures if f.src == image.src),
                     None)
        path = essay.source.path if essay else None
        line = essay.source.line_of(Path(image.src).name) if essay else None
        needed = math.ceil(image.width_mm / 25.4 * PROFILES["press"].ppi)
        diagnostics.warning(
            "I105", f"image {image.src!r} prints at {image.ppi:.0f} ppi in the press PDF "
            f"(below {LOW_PPI})", path, line,
            f"supply it at least {needed} pixels wide for its {image.width_mm:.0f} mm "
            "printed width")
