"""The repository's own series: the edition a reader downloads."""

from __future__ import annotations

import re
from typing import Any

import pikepdf
import pypdf
import pytest

from helpers import epub_documents, epubcheck, page_texts


@pytest.mark.slow
def test_builds_without_any_message(repository_build: dict[str, Any]) -> None:
    result = repository_build["result"]
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


@pytest.mark.slow
@pytest.mark.external
def test_epubcheck_reports_nothing(repository_build: dict[str, Any]) -> None:
    assert epubcheck(repository_build["epub"]) == []


@pytest.mark.slow
def test_epub_has_every_note_and_figure(repository_build: dict[str, Any]) -> None:
    docs = epub_documents(repository_build["epub"])
    essay = docs["EPUB/01-mental-health-and-persistent-pain-an-introduction.xhtml"]
    assert len(re.findall(r'epub:type="noteref"', essay)) == 10
    assert len(re.findall(r'epub:type="footnote"', essay)) == 10
    assert essay.count("<figure") == 2
    assert "Photo: Alastair Fyfe" in essay
    assert "by 2025.<a class=\"noteref\"" in essay  # the call sits where the seed had "2025.1"


@pytest.mark.slow
def test_every_note_is_printed_on_the_page_of_its_call(
        repository_build: dict[str, Any]) -> None:
    texts = page_texts(repository_build["pdf"])
    calls = {1: "by 2025.", 2: "anxiety or depression.", 3: "than those without.",
             4: "exercise advice.", 5: "explained to them.", 6: "like the opportunity.",
             7: "attending primary care.", 8: "£8 billion a year.", 9: "dying young.",
             10: "developing mental health problems."}
    for number, call in calls.items():
        [page] = [t for t in texts if call in t]
        assert f"Reference {number} of the original essay" in page, number


def drawn_images(pdf_path: Any) -> list[tuple[int, int, int]]:
    """(page number, width, height) of every image a page's content actually draws."""
    drawn = []
    with pikepdf.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Do":
                    xobject = page.resources.XObject[operands[0]]
                    if xobject.get("/Subtype") == "/Image":
                        drawn.append((number, int(xobject.Width), int(xobject.Height)))
    return drawn


@pytest.mark.slow
def test_figures_keep_their_captions_and_credits(repository_build: dict[str, Any]) -> None:
    texts = page_texts(repository_build["pdf"])
    drawn = drawn_images(repository_build["pdf"])
    assert len(drawn) == 2
    for (page, _, _), caption in zip(drawn, ["Q Lab workshop in Birmingham, February 2019",
                                             "The Q Lab in Birmingham on 14th February 2019"],
                                     strict=True):
        assert f"{caption}. Photo: Alastair Fyfe." in texts[page - 1]


@pytest.mark.slow
def test_images_are_downsampled_for_the_screen(repository_build: dict[str, Any]) -> None:
    # 2400 px across A4's 118 mm text block is about 520 ppi; the screen PDF needs 150, so
    # 696 px (the press PDF's 300 ppi is checked in test_pdf_profiles).
    assert [(w, h) for _, w, h in drawn_images(repository_build["pdf"])] == [(696, 464)] * 2


@pytest.mark.slow
def test_contents_lists_the_essay_and_the_credits_at_their_folios(
        repository_build: dict[str, Any]) -> None:
    # A collected edition has a contents page even while the series has one essay.
    labels = list(pypdf.PdfReader(repository_build["pdf"]).page_labels)
    texts = page_texts(repository_build["pdf"])
    [contents] = [t for t in texts if t.startswith("Contents")]
    entries = {title: re.search(re.escape(title) + r"\s*(?:\. ?){3,}(\d+)", contents)
               for title in ("Mental health and persistent pain: an introduction",
                             "Picture credits")}
    assert all(entries.values()), contents
    opening = labels[next(i for i, t in enumerate(texts) if "Essay 1" in t and "Contents" not in t)]
    credits = labels[next(i for i, t in enumerate(texts) if t.startswith("Picture credits"))]
    printed = {title: found.group(1) for title, found in entries.items() if found}
    assert printed == {"Mental health and persistent pain: an introduction": opening,
                       "Picture credits": credits}
    assert opening == "1"
