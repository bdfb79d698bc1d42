"""The book laid out in parts and joined is the book laid out whole, page by page, and keeps
what the PDF promises: tags, outline, labels, links across parts, folios as artifacts."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from helpers import FIXTURES, page_texts
from qlabbook.build import BuildRequest, build, load_collection
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.document import render_document
from qlabbook.typeset.settling.settle import settle

pytestmark = pytest.mark.slow


def whole_book(root: Path, profile: str, out: Path) -> Path:
    """The book as one WeasyPrint document, settled as a whole, the way it was laid out
    before it was laid out in parts: the reference."""
    collection = load_collection(root)
    document = settle(lambda moves, repairs, *_: render_document(collection, profile, repairs,
                                                             moves),
                      render_document(collection, profile), collection, profile,
                      Diagnostics())
    out.write_bytes(document.write_pdf())
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("parts")
    root = folder / "typesetting"
    shutil.copytree(FIXTURES / "typesetting", root)
    build(BuildRequest(root, formats=("pdf",), out=folder / "dist", jobs=2, essays=False,
                       profiles=("screen",)))
    [joined] = (folder / "dist").glob("*.pdf")
    return {"root": root, "joined": joined,
            "whole": whole_book(root, "screen", folder / "whole.pdf")}


def words(text: str, numbers: bool = True) -> Counter[str]:
    """The page's words; without `numbers`, no page numbers and no leader dots."""
    return Counter(word for word in text.split()
                   if numbers or not (word.isdigit() or set(word) == {"."}))


def content(page: Any) -> bytes:
    streams = page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
    return b"".join(stream.read_bytes() for stream in streams)


def test_every_page_prints_what_the_whole_book_printed_there(books: dict[str, Any]) -> None:
    joined, whole = page_texts(books["joined"]), page_texts(books["whole"])
    assert len(joined) == len(whole) > 12
    with pikepdf.open(books["joined"]) as pdf:
        labels = [pikepdf.Page(page).label for page in pdf.pages]
    first_essay = labels.index("1")
    # Every page has the same words, folios included, in the same place in the book. The
    # reference's contents and picture credits have no page numbers (it is given none).
    for index, label in enumerate(labels):
        numbers = not any(title in whole[index] for title in ("Contents", "Picture credits"))
        assert words(joined[index], numbers) == words(whole[index], numbers), f"page {label}"
    assert first_essay > 3


def test_one_structure_tree_holds_every_part_in_reading_order(books: dict[str, Any]) -> None:
    with pikepdf.open(books["joined"]) as pdf:
        root = pdf.Root.StructTreeRoot
        [document] = list(root.K)
        assert document.S == "/Document" and document.P.objgen == root.objgen
        # A Part for the front matter, each essay and the picture credits, in order.
        parts = list(document.K)
        assert len(parts) == 2 + len(load_collection(books["root"]).essays)
        assert all(part.S == "/Part" and part.P.objgen == document.objgen for part in parts)
        assert all(kid.P.objgen == part.objgen for part in parts for kid in part.K)
        def tags(element: Any) -> set[str]:
            kids = element.get("/K", [])
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            return {str(element.get("/S"))} | {tag for kid in kids
                                               if isinstance(kid, pikepdf.Dictionary)
                                               for tag in tags(kid)}

        assert {"/H1", "/P"} <= tags(parts[1])  # the first essay's title and text
        # Every page's and link's entry in the parent tree is its own, and within range.
        nums = list(root.ParentTree.Nums)
        keys = [int(key) for key in nums[::2]]
        assert keys == sorted(set(keys)) and int(root.ParentTreeNextKey) == keys[-1] + 1
        used = [int(page.StructParents) for page in pdf.pages if "/StructParents" in page]
        used += [int(annotation.StructParent) for page in pdf.pages
                 for annotation in page.get("/Annots", []) if "/StructParent" in annotation]
        assert len(used) == len(set(used)) and set(used) <= set(keys)
        # Marked content points at elements whose pages are the book's own pages, and
        # each page's marked content at the element holding it: most runs of text are
        # held by their paragraph (or heading, item, link), not by a Span of their own.
        pages = {page.objgen for page in pdf.pages}
        held: list[str] = []
        for value in nums[1::2]:
            for mcid, element in enumerate(value if isinstance(value, pikepdf.Array) else []):
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                assert mcid in [int(kid) for kid in kids if isinstance(kid, int)]
                assert element.Pg.objgen in pages
                held.append(str(element.S))
            if isinstance(value, pikepdf.Dictionary) and "/Pg" in value:
                assert value.Pg.objgen in pages
        assert len(held) > 100 and held.count("/Span") < len(held) / 4


def test_links_between_parts_go_to_named_destinations_in_the_book(
        books: dict[str, Any]) -> None:
    with pikepdf.open(books["joined"]) as pdf:
        names = list(pdf.Root.Names.Dests.Names)
        destinations = dict(zip((str(n) for n in names[::2]), names[1::2], strict=True))
        assert [str(n) for n in names[::2]] == sorted(str(n) for n in names[::2])
        pages = [page.objgen for page in pdf.pages]
        internal = []
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                action = annotation.get("/A")
                assert action is None or not str(action.URI).startswith("qlabbook-part:")
                if "/Dest" in annotation:
                    internal.append(str(annotation.Dest))
        # The contents (in the front matter) link to every essay, which are other parts.
        assert {"e1", "e2"} <= set(internal)
        for name in internal:
            assert destinations[name][0].objgen in pages, name
        labels = [pikepdf.Page(page).label for page in pdf.pages]
        essay = destinations["e2"][0].objgen
        assert labels[pages.index(essay)] == "9"


def test_folios_are_artifacts_drawn_on_essay_pages_only(books: dict[str, Any]) -> None:
    texts = page_texts(books["joined"])
    with pikepdf.open(books["joined"]) as pdf:
        labels = [pikepdf.Page(page).label for page in pdf.pages]
        for page, label, text in zip(pdf.pages, labels, texts, strict=True):
            folios = [str(name) for name in page.Resources.get("/XObject", {})
                      if name.startswith("/QlabbookFolio")]
            stamped = f"/QlabbookFolio{label}".encode() in content(page)
            if label.isdigit() and text:  # an essay's or the credits' page
                assert stamped and f"/QlabbookFolio{label}" in folios
                assert text.split()[-1] == label or label in text.split()
            elif not label.isdigit():
                assert not stamped
        assert b"/Artifact BMC q /QlabbookFolio1 Do Q EMC" in content(
            pdf.pages[labels.index("1")])


def test_outline_and_labels_cover_the_whole_book(books: dict[str, Any]) -> None:
    with pikepdf.open(books["joined"]) as pdf:
        labels = [pikepdf.Page(page).label for page in pdf.pages]
        assert labels[:3] == ["Cover", "Inside cover", "i"]
        first = labels.index("1")
        assert labels[first:] == [str(n) for n in range(1, len(labels) - first + 1)]
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        pages = [page.objgen for page in pdf.pages]
        assert titles[0] == "Contents" and titles[-1] == "Picture credits"
        with pdf.open_outline() as outline:
            for item in outline.root:
                assert item.destination[0].objgen in pages


@pytest.mark.parametrize("profile", ["screen", "press"])
def test_a_folio_sheet_from_65_prints_what_one_sheet_from_1_prints_there(profile: str) -> None:
    """Folio sheets cover 64 folios each, from their first: the second sheet's pages draw
    65, 66, ... where one long sheet counting from 1 draws them, on the same sides."""
    import fitz

    from qlabbook.typeset.document import lay_out_html
    from qlabbook.typeset.layout import lay_out_part
    from qlabbook.typeset.parts import (
        NO_HEADS,
        NO_MARKS,
        SHEET_PAGES,
        print_stylesheets,
        sheet_jobs,
    )

    collection = load_collection(FIXTURES / "typesetting")
    first, second = sheet_jobs(collection, profile, SHEET_PAGES + 1)[1:]
    assert (first.part.name, second.part.name) == ("1", str(SHEET_PAGES + 1))
    body = '<div style="break-before: page"></div>' * (2 * SHEET_PAGES)
    long_sheet = lay_out_html(collection, profile, f"<html><body>{body}</body></html>",
                              print_stylesheets(collection, profile, NO_HEADS + NO_MARKS), ())

    def words(pdf: bytes, pages: range) -> list[list[tuple[float, float, str]]]:
        with fitz.open(stream=pdf, filetype="pdf") as opened:
            return [[(round(w[0], 1), round(w[1], 1), w[4])
                     for w in opened[index].get_text("words")] for index in pages]

    laid = lay_out_part(second)
    assert laid.pages == SHEET_PAGES
    expected = words(long_sheet.write_pdf(), range(SHEET_PAGES, 2 * SHEET_PAGES))
    assert words(laid.pdf, range(SHEET_PAGES)) == expected
    assert [page[0][2] for page in expected[:2]] == ["65", "66"]
