"""Typesetting rules checked on WeasyPrint's layout of the typesetting fixture."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from helpers import FIXTURES, REPOSITORY
from qlabbook.build import load_collection
from qlabbook.source import ids
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.typeset.book import lay_out_books
from qlabbook.typeset.document import render_document
from qlabbook.typeset.geometry import geometry
from qlabbook.typeset.layout import settled
from qlabbook.typeset.parts import essay_jobs
from qlabbook.typeset.preflight import printed_images
from qlabbook.typeset.settling.notes import misplaced_notes
from qlabbook.typeset.settling.settle import settle


@pytest.fixture(scope="module")
def collection() -> Collection:
    return load_collection(FIXTURES / "typesetting")


def build_layout(root: Any) -> Any:
    """The essays' press pages as the build lays them out, each essay on its own (figures
    placed, notes with their calls), in one list."""
    diagnostics = Diagnostics()
    pages = [page for job in essay_jobs(load_collection(root), "press")
             for page in settled(job, diagnostics).pages]
    assert diagnostics.items == []
    return SimpleNamespace(pages=pages)


@pytest.fixture(scope="module")
def laid_out() -> Any:
    return build_layout(FIXTURES / "typesetting")


@pytest.fixture(scope="module")
def repository_layout() -> Any:
    return build_layout(REPOSITORY)


BOTH = pytest.mark.parametrize("layout", ["laid_out", "repository_layout"])


def text_boxes(box: Any) -> Iterator[Any]:
    """Boxes of the page's text, leaving out the footnote area and the margin boxes."""
    from weasyprint.formatting_structure import boxes

    yield box
    if isinstance(box, boxes.FootnoteAreaBox | boxes.MarginBox):
        return
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.FootnoteAreaBox | boxes.MarginBox):
            yield from text_boxes(child)


def element_places(document: Any) -> dict[Any, tuple[str, tuple[int, ...]]]:
    """Each element of the documents the pages were laid out from -> its essay and its path
    of child indices there: the same for an element in every layout of its essay, as a
    settled essay keeps the first pages of an earlier layout (resume.py)."""
    places: dict[Any, tuple[str, tuple[int, ...]]] = {}
    for root in dict.fromkeys(page._page_box.children[0].element for page in document.pages):
        essay = next((e.get("id") for e in root.iter() if ids.ESSAY_ANCHOR.match(
            e.get("id") or "")), "")
        stack: list[tuple[Any, tuple[int, ...]]] = [(root, ())]
        while stack:
            element, path = stack.pop()
            places[element] = (essay, path)
            stack.extend((child, (*path, index)) for index, child in enumerate(element))
    return places


class Pieces(dict[tuple[str, tuple[int, ...]], list[tuple[int, Any]]]):
    """Each element of the essays' text (by its place) -> the (page, box) pieces it was
    laid out in; looked up by an element of any layout of its essay."""

    def __init__(self, document: Any) -> None:
        super().__init__()
        self.places = element_places(document)

    def of(self, element: Any) -> list[tuple[int, Any]]:
        return self.get(self.places[element], [])


def parts(document: Any) -> Pieces:
    from weasyprint.formatting_structure import boxes

    found = Pieces(document)
    for index, page in enumerate(document.pages):
        for box in text_boxes(page._page_box):
            if isinstance(box, boxes.BlockBox | boxes.TableBox) and box.element is not None:
                found.setdefault(found.places[box.element], []).append((index, box))
    return found


def essay_blocks(document: Any) -> list[Any]:
    """The blocks of every essay's text, from the HTML of the last layout of each part the
    pages were laid out from."""
    places = element_places(document)
    roots = {places[root][0]: root for root in dict.fromkeys(
        page._page_box.children[0].element for page in document.pages)}
    return [child for root in roots.values() for body in root.iter("div")
            if body.get("class") == "essay-body" for child in body]


@pytest.mark.slow
def test_weasyprint_still_moves_a_note_away_and_the_repair_puts_it_back(
        collection: Collection) -> None:
    # If this first assertion fails, WeasyPrint has fixed its orphans-time note reporting
    # and the note repairs of settle.py can go.
    raw = render_document(collection, "press")
    assert [name for name, _, _ in misplaced_notes(raw)] == ["e1-fn5"]
    diagnostics = Diagnostics()
    repaired = settle(lambda moves, repairs, *_: render_document(collection, "press", repairs,
                                                             moves),
                      raw, collection, "press", diagnostics)
    assert misplaced_notes(repaired) == [] and diagnostics.items == []


@pytest.mark.slow
@BOTH
def test_no_widows_or_orphans(layout: str, request: pytest.FixtureRequest) -> None:
    from weasyprint.formatting_structure import boxes

    laid_out = request.getfixturevalue(layout)
    split = 0
    found = parts(laid_out)
    for element in essay_blocks(laid_out):
        pieces = found.of(element)
        if element.tag != "p" or len({page for page, _ in pieces}) < 2:
            continue
        split += 1
        for page, box in pieces:
            lines = [c for c in box.children if isinstance(c, boxes.LineBox)]
            assert len(lines) >= 2, ((element.text or "")[:40], page, len(lines))
    assert split >= 1  # paragraphs do split across pages


@pytest.mark.slow
@BOTH
def test_headings_are_never_alone_at_a_page_foot(layout: str,
                                                 request: pytest.FixtureRequest) -> None:
    laid_out = request.getfixturevalue(layout)
    found = parts(laid_out)
    blocks = essay_blocks(laid_out)
    headings = [i for i, b in enumerate(blocks) if b.tag in ("h2", "h3")]
    assert headings
    for index in headings:
        heading_page = found.of(blocks[index])[0][0]
        next_page = found.of(blocks[index + 1])[0][0]
        assert heading_page == next_page, blocks[index].get("id")


@pytest.mark.slow
@BOTH
def test_figures_stay_whole_with_their_captions(layout: str,
                                                request: pytest.FixtureRequest) -> None:
    laid_out = request.getfixturevalue(layout)
    found = parts(laid_out)
    figures = [b for b in essay_blocks(laid_out) if b.tag == "figure"]
    assert len(figures) >= 2  # pictures (and a quotation in the fixture)
    for figure in figures:
        assert len({page for page, _ in found.of(figure)}) == 1, figure.get("id")
        caption = figure.find("figcaption")
        assert caption is not None and found.of(caption)[0][0] == found.of(figure)[0][0]


@pytest.mark.slow
def test_tables_stay_inside_the_text_block(laid_out: Any) -> None:
    from weasyprint.formatting_structure import boxes

    width, _, inner, _, outer, _ = geometry("156x234 mm")
    measure = (width - inner - outer) / 25.4 * 96  # CSS px
    tables = 0
    for page in laid_out.pages:
        content_left = page._page_box.content_box_x()
        for box in text_boxes(page._page_box):
            if isinstance(box, boxes.TableBox):
                tables += 1
                assert box.border_width() <= measure + 0.5
                for cell in text_boxes(box):
                    if isinstance(cell, boxes.LineBox):
                        for run in cell.children:
                            assert run.position_x + run.width <= content_left + measure + 0.5
    assert tables == 2  # the table is split across two pages, its header repeated


@pytest.mark.slow
def test_images_fit_the_text_block_and_are_never_upscaled(laid_out: Any) -> None:
    width, _, inner, _, outer, _ = geometry("156x234 mm")
    printed = {image.src: image for image in printed_images(laid_out)}
    assert printed["images/harbour.jpg"].width_mm == pytest.approx(width - inner - outer,
                                                                   abs=0.1)
    # 240 px at the CSS pixel (1/96 in) is 63.5 mm: its own size, not stretched to fit.
    assert printed["images/thumbnail.png"].width_mm == pytest.approx(63.5, abs=0.1)
    assert round(printed["images/thumbnail.png"].ppi) == 96


@pytest.mark.slow
def test_folio_labels_for_the_epub_page_list(collection: Collection) -> None:
    [book] = lay_out_books([(collection, "screen")], None)
    labels = book.labels()
    assert labels[:7] == ["Cover", "Inside cover", "i", "ii", "iii", "iv", "1"]
    assert labels[6:] == [str(n) for n in range(1, len(labels) - 5)]


@pytest.mark.slow
def test_a_figure_that_does_not_fit_lets_the_next_paragraph_fill_the_page(
        laid_out: Any) -> None:
    found = parts(laid_out)
    blocks = essay_blocks(laid_out)
    [harbour] = [b for b in blocks if b.get("id") == "e2-fig1"]
    before = blocks[blocks.index(harbour) - 1]
    # The paragraph written after the picture now comes before it, on the opening page.
    assert "".join(before.itertext()).startswith("The thumbnail is small")
    [first_paragraph] = [b for b in blocks if "".join(b.itertext()).startswith(
        "The harbour photograph")]
    assert found.of(before)[0][0] == found.of(first_paragraph)[0][0]
    assert found.of(harbour)[0][0] == found.of(before)[0][0] + 1


def test_defer_figures_moves_past_text_but_not_past_headings_or_figures() -> None:
    from qlabbook.typeset.html import defer_figures

    html = ('<p>a</p><figure class="figure" id="f1"><img src="x.png" alt="x"></figure>'
            '<p>b</p><p>c</p><h2>H</h2><p>d</p>')
    assert defer_figures(html, {"f1": 1}).startswith('<p>a</p><p>b</p><figure')
    assert defer_figures(html, {"f1": 5}).startswith('<p>a</p><p>b</p><p>c</p><figure')
    two = html.replace("<p>b</p>", '<figure class="figure" id="f2"></figure>')
    assert defer_figures(two, {"f1": 2}) == defer_figures(two, {})


@pytest.mark.slow
def test_folio_labels_match_the_laid_out_pages(collection: Collection) -> None:
    [book] = lay_out_books([(collection, "screen")], None)
    labels, pages = book.labels(), book.anchor_pages()
    assert labels[pages["e1"]] == "1" and labels[pages["e2"]] == "9"
    assert labels[pages["picture-credits"]] == "11"
    assert labels[pages["e1-fn5"]] == labels[pages["e1-fnref5"]]  # the repaired layout
