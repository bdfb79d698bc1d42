"""Folios and page labels: the folio each essay opens on (printed in the contents), the
pages' labels as /PageLabels ranges, and the folios stamped on the joined book from the
folio sheets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qlabbook.assets import credited_figures
from qlabbook.markdown.backindex import has_index
from qlabbook.source.model import Collection
from qlabbook.typeset.parts import BACK_MATTER, BACK_SECTIONS, SHEET_PAGES, LaidOutPart, PartJob

if TYPE_CHECKING:
    from pikepdf import Pdf

COVER_LABELS = ("Cover", "Inside cover")


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
    made by BookLayout.labels: a prefix for each cover page, then a roman and an arabic range."""
    ranges: list[tuple[int, dict[str, str]]] = []
    previous = ""
    for index, label in enumerate(labels):
        kind = "D" if label.isdigit() else label if label in COVER_LABELS else "r"
        if kind != previous:
            ranges.append((index, {"P": label} if label in COVER_LABELS else {"S": kind}))
        previous = kind
    return ranges


def page_labels(labels: list[str]) -> Any:
    """The book's /PageLabels number tree, from every page's label (label_ranges)."""
    from pikepdf import Array, Dictionary, Name, String

    nums = Array()
    for index, entry in label_ranges(labels):
        nums.append(index)
        nums.append(Dictionary({f"/{key}": String(value) if key == "P" else Name(f"/{value}")
                                for key, value in entry.items()}))
    return Dictionary(Nums=nums)


def opening_folios(parts: list[LaidOutPart]) -> list[int]:
    """The folio each essay opens on, then that of the page after the essays: arabic
    numbering starts at 1 on the first essay's opening page, and every essay opens on a
    right-hand (odd) page, after a blank left-hand one if need be."""
    folios, folio = [], 1
    for part in parts:
        folio += folio % 2 == 0
        folios.append(folio)
        folio += part.pages
    return [*folios, folio]


def essay_folios(collection: Collection, jobs: list[PartJob],
                 parts: list[LaidOutPart]) -> dict[str, str]:
    """The folio of each essay's opening page, of each figure's, index mark's and
    cross-reference label's page, of its References and of the back matter's first page
    (opening_folios)."""
    folios: dict[str, str] = {}
    *openings, after = opening_folios(parts)
    for job, part, folio in zip(jobs, parts, openings, strict=True):
        folios[job.part.name] = str(folio)
        essay = job.collection.essays[0]
        for figure in essay.figures:
            if figure.anchor in part.anchors:
                folios[figure.anchor] = str(folio + part.anchors[figure.anchor])
        if essay.references in part.anchors:  # its References, in the contents
            folios[essay.references] = str(folio + part.anchors[essay.references])
        # The index's page numbers, and the pages page-form cross-references read.
        for target in [mark.target for mark in essay.index_marks] + [
                label.target for label in essay.labels]:
            if target in part.anchors:
                folios[target] = str(folio + part.anchors[target])
    if credited_figures(collection) or has_index(collection):
        folios[BACK_MATTER] = str(after + (after % 2 == 0))
    if credited_figures(collection):
        folios["picture-credits"] = folios[BACK_MATTER]
    return folios


def back_folios(folios: Mapping[str, str], back: LaidOutPart) -> dict[str, str]:
    """The folios of the back matter's sections (the picture credits, the index) once it
    is laid out: the contents give them."""
    first = int(folios[BACK_MATTER])
    return {anchor: str(first + back.anchors[anchor]) for anchor in BACK_SECTIONS
            if anchor in back.anchors}


def stamp_folios(book: Pdf, folios: list[int | None], sheets: list[Pdf]) -> None:
    """Each folio drawn from the folio sheets' page of that number, over the page's own
    content and marked as an artifact (page furniture, not text to read aloud)."""
    from pikepdf import Dictionary, Name

    forms: dict[int, Any] = {}
    for page, folio in zip(book.pages, folios, strict=True):
        if folio is None:
            continue
        if folio not in forms:
            sheet, page_index = divmod(folio - 1, SHEET_PAGES)
            forms[folio] = book.copy_foreign(sheets[sheet].pages[page_index].as_form_xobject())
        # Named after the folio, not at random (pikepdf's way), so the bytes are the same
        # each build; pages of a part share one resource dictionary, where names differ.
        name = Name(f"/QlabbookFolio{folio}")
        resources = page.obj.Resources
        if "/XObject" not in resources:
            resources.XObject = Dictionary()
        resources.XObject[name] = forms[folio]
        page.contents_add(book.make_stream(b"q\n"), prepend=True)
        page.contents_add(book.make_stream(
            b"\nQ\n/Artifact BMC q " + str(name).encode() + b" Do Q EMC\n"))
