"""The one module that speaks to WeasyPrint and pydyf: their API and what qlabbook reads of
their internals (page boxes, the pagination it resumes, pydyf's page references, the
renderer's logger), pinned in the lock file. The rest of the stage calls these functions.

WeasyPrint is imported inside the functions: `qlabbook --help` must not load it."""

from __future__ import annotations

import copy
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Literal, NamedTuple

RENDERER_LOGGER = "weasyprint"


class RendererLogs(logging.Handler):
    """WeasyPrint reports missing resources as log records: keep them as diagnostics."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # How fonts get subset is the machine's business, not a problem in the content;
        # missing glyphs are reported, with their place in the sources, by glyphs.py in this stage.
        # An image without alt text is reported at its line by the Markdown stage [I103].
        if not message.startswith(("Using fontTools instead of HarfBuzz-Subset",
                                   ".notdef glyph rendered")) and \
                not message.endswith("has no required alt description"):
            self.messages.append(message)


@contextmanager
def renderer_logs() -> Iterator[RendererLogs]:
    """What WeasyPrint logs inside the block, collected and kept off the root logger."""
    logger = logging.getLogger(RENDERER_LOGGER)
    collector = RendererLogs()
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


# Laying out -------------------------------------------------------------------------------

def font_configuration() -> Any:
    """A new WeasyPrint font configuration (Fontconfig reads its settings now)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def stylesheet(css: str, base_url: str | None, fonts: Any, fetcher: Any) -> Any:
    """`css` parsed by WeasyPrint with the document's font configuration and URL fetcher."""
    from weasyprint import CSS

    return CSS(string=css, base_url=base_url, font_config=fonts, url_fetcher=fetcher)


def render(html: str, base_url: str, fetcher: Any, stylesheets: list[Any], fonts: Any,
           options: dict[str, Any]) -> Any:
    """`html` laid out by WeasyPrint: a weasyprint.Document, its pages and what write_pdf
    (below) writes of them."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=fonts, **options)


def write_pdf(document: Any, finisher: Callable[[Any, Any], None],
              options: dict[str, Any]) -> bytes:
    """The laid-out document's PDF; `finisher` is given the pydyf PDF before it is written."""
    pdf = document.write_pdf(finisher=finisher, **options)
    assert isinstance(pdf, bytes)
    return pdf


def add_metadata_packet(document: Any, pdf: Any) -> None:
    """WeasyPrint writes an XMP packet (title, authors, description, dates) only into a PDF
    that claims a standard (PDF/UA, PDF/X): one that claims none gets the same packet,
    without a claim, so that every PDF carries its record."""
    if "Metadata" not in pdf.catalog:
        document.metadata.include_in_pdf(pdf, "", None, None, compress=True)


@cache
def fetcher_class() -> type[Any]:
    """A WeasyPrint URL fetcher that gives only what its `serve` function serves."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ServingFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self, serve: Callable[[str], tuple[bytes, str]]) -> None:
            super().__init__(allowed_protocols=("file",))
            self.serve = serve

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, media_type = self.serve(url)
            return URLFetcherResponse(url, data, {"Content-Type": media_type})

    return ServingFetcher


def url_fetcher(serve: Callable[[str], tuple[bytes, str]]) -> Any:
    """A URL fetcher for WeasyPrint: `serve` gives a URL's bytes and media type, or raises
    ValueError (no network; WeasyPrint reports the refusal as a log record)."""
    return fetcher_class()(serve)


# The laid-out pages' boxes ----------------------------------------------------------------
# Every read of a WeasyPrint box's attributes is here (tests/unit/test_code_shape.py checks
# that no other module of the stage makes one): a box is passed around as an opaque value.

Box = Any  # a box of a laid-out page (weasyprint.formatting_structure.boxes)

# What qlabbook tells boxes apart by: the page-foot notes' area, a page margin's box (running
# heads, folios), a block, a line, a run of text, an image (a replaced box), anything else.
BoxKind = Literal["footnotes", "margin", "block", "line", "text", "image", "other"]


@cache
def box_classes() -> tuple[tuple[type[Any], BoxKind], ...]:
    """WeasyPrint's box classes with their kinds, the footnote area (a block box) first."""
    from weasyprint.formatting_structure import boxes

    return ((boxes.FootnoteAreaBox, "footnotes"), (boxes.MarginBox, "margin"),
            (boxes.BlockBox, "block"), (boxes.LineBox, "line"), (boxes.TextBox, "text"),
            (boxes.ReplacedBox, "image"))


def box_kind(box: Box) -> BoxKind:
    return next((kind for cls, kind in box_classes() if isinstance(box, cls)), "other")


def box_children(box: Box) -> tuple[Box, ...]:
    """The boxes inside `box`, in order (none for text and images)."""
    return tuple(getattr(box, "children", ()))


def box_tag(box: Box) -> str:
    """The tag of the element the box was made for ("p", "figure"; "p::before" for
    generated content); "" for a box of no element."""
    return str(box.element_tag or "")


def box_element(box: Box) -> ET.Element | None:
    """The element of the laid-out HTML the box was made for (None for a page's own box)."""
    element: ET.Element | None = box.element
    return element


def box_text(box: Box) -> str:
    """The text a text box prints; "" for every other box."""
    return str(box.text) if box_kind(box) == "text" else ""


def box_top(box: Box) -> float:
    """Where the box's margin edge starts down the page, in CSS pixels."""
    return float(box.position_y)


def box_height(box: Box) -> float:
    """The box's height with its padding, borders and margins, in CSS pixels."""
    return float(box.margin_height())


def box_bottom(box: Box) -> float:
    return float(box.position_y + box.margin_height())


def box_width(box: Box) -> float:
    """The box's content width, in CSS pixels."""
    return float(box.width or 0)


def image_pixels(box: Box) -> int | None:
    """How many pixels across the raster image an image box shows has; None for vector
    images and other boxes."""
    pixels = getattr(getattr(box, "replacement", None), "width", None)
    return pixels if isinstance(pixels, int) else None


def point_boxes_at(page: Any, elements: dict[int, ET.Element]) -> None:
    """Each box of the page made for an element whose id() is in `elements` now points at
    that element instead."""
    for box in page_boxes(page):
        if box.element is not None and id(box.element) in elements:
            box.element = elements[id(box.element)]


def page_box(page: Any) -> Box:
    """A laid-out page's box, the root of everything printed on it."""
    return page._page_box


def page_boxes(page: Any) -> Iterator[Box]:
    """Every box of a laid-out page, the page's own first, in document order."""
    yield from page._page_box.descendants()


def flow_boxes(page: Any) -> Iterator[Box]:
    """The page's box and the boxes of its text flow, in document order: not its page-foot
    notes, not its margin boxes."""
    def inside(box: Box) -> Iterator[Box]:
        yield box
        for child in box_children(box):
            if box_kind(child) not in ("footnotes", "margin"):
                yield from inside(child)

    yield from inside(page._page_box)


class TextBlock(NamedTuple):
    """A page's text block (its page box's content area), in CSS pixels down the page."""

    top: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


def text_block(page: Any) -> TextBlock:
    box = page._page_box
    return TextBlock(box.content_box_y(), box.height)


def notes_top(page: Any) -> float | None:
    """Where the page's page-foot notes start, in CSS pixels down the page; None when the
    page has none."""
    return min((child.position_y for child in page._page_box.children
                if box_kind(child) == "footnotes" and child.children), default=None)


def root_element(page: Any) -> ET.Element:
    """The document's root element (<html>) the page's boxes were made from."""
    root: ET.Element = page._page_box.children[0].element
    return root


# Pagination, as resume.py takes it up again ----------------------------------------------

class Pagination:
    """One pass of WeasyPrint's pagination (its layout context), as far as resume.py reads
    and sets it: the state each page starts from (the context's page_maker entries)."""

    def __init__(self, context: Any, html: Any) -> None:
        self.context = context
        self.html = html

    def carried_over(self) -> bool:
        """Whether the page just made carries something into the next (a note moved on,
        a float broken across)."""
        return bool(self.context.reported_footnotes or self.context.broken_out_of_flow)

    def page_starts(self) -> list[Any]:
        """The state each page of this pass started from."""
        starts: list[Any] = self.context.page_maker
        return starts

    def seed(self, starts: list[Any], pages: list[tuple[Any, tuple[Any, ...]]],
             count: int) -> list[Any]:
        """Start this pass at page `count` from an earlier pass's `starts` there; its first
        `count` pages are the earlier pass's `pages` (each as bare_page gave it), their page
        types styled in this layout (their margin boxes are made anew)."""
        from weasyprint.layout.page import set_page_type_computed_styles

        seeded = []
        for index, (resume_at, next_page, right_page, state, _) in enumerate(
                starts[:count + 1]):
            remake = {"content_changed": index == count, "pages_wanted": False,
                      "anchors": [], "content_lookups": []}
            seeded.append((copy.deepcopy(resume_at), copy.deepcopy(next_page), right_page,
                           copy.deepcopy(state), remake))
        kept = []
        for page, children in pages[:count]:
            fresh = page.copy()
            fresh.children = children
            kept.append(fresh)
        for page_type in dict.fromkeys(page.page_type for page in kept):
            set_page_type_computed_styles(page_type, self.html, self.context.style_for)
        self.context.page_maker = seeded  # last: a failure above leaves the pass as it began
        return kept


def bare_page(page: Any) -> tuple[Any, tuple[Any, ...]]:
    """A page box as pagination makes it, before its margin boxes are added (its children
    then), to be seeded into a later pass."""
    return page, page.children


# Pages: given the pages already made (a seed), the pages of one pass.
Paginate = Callable[[Callable[[list[Any]], Iterator[Any]], Pagination, list[Any]],
                    Iterator[Any]]
# Margins: given how to make a page's margin boxes and the page's index, its margin boxes.
Margins = Callable[[Callable[[], Iterator[Any]], int], Iterator[Any]]


def hook_pagination(paginate: Paginate, margins: Margins) -> None:
    """Route WeasyPrint's pagination (weasyprint.layout.make_all_pages) through `paginate`
    and the making of each page's margin boxes through `margins`, once per process."""
    import weasyprint.layout as layout

    if getattr(layout.make_all_pages, "qlabbook", False):
        return
    original = layout.make_all_pages
    original_margins = layout.make_margin_boxes

    def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
        yield from paginate(lambda seed: original(context, root_box, html, seed),
                            Pagination(context, html), pages)

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Iterator[Any]:
        yield from margins(lambda: original_margins(context, page, state),
                           context.current_page - 1)

    make_all_pages.qlabbook = True  # type: ignore[attr-defined]
    layout.make_all_pages = make_all_pages
    layout.make_margin_boxes = make_margin_boxes


# pydyf, as WeasyPrint's finisher is given it ---------------------------------------------

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


def pdf_array(values: Iterable[Any]) -> Any:
    """A PDF array object for a pydyf dictionary."""
    import pydyf

    return pydyf.Array(values)
