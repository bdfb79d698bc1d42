"""Per-essay editions (`--essays`) and the index: an essay with index marks gets an index of
its own in its PDF and its EPUB, holding its terms only, with the page numbers printed on
that edition's pages (not the collected book's), checked from the PDF's own text; an essay
without marks gets none. Its EPUB passes EPUBCheck with nothing to report."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli

QUAY = """---
title: The quay
number: 1
---

The [quay]{.index} and its [harbour board]{.index} are seen by [Émile]{.index sort=Emile}.
"""
NIGHT = """---
title: Night
number: 2
---

At night the quay rests. Nothing here is indexed.
"""
FILLER = " ".join(["The light turns over the water and the harbour sleeps below it."] * 11)
# Several pages: a term on the first, one on every page after (a range), more on the last.
LIGHTHOUSE = """---
title: The lighthouse
number: 3
---

The [lighthouse]{{.index}} stands at the end of the mole.

{paragraphs}

Its [keeper]{{.index}} walks to the [quay]{{.index}} at dawn, and the [keeper's
house]{{.index term="keeper" sub="house of"}} is dark.
""".format(paragraphs="\n\n".join(f"[Beam]{{.index term=beam}} number {n}: {FILLER}"
                                  for n in range(1, 13)))
STEMS = ("01-quay", "02-night", "03-lighthouse")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("essay-index") / "harbours"
    (root / "essays").mkdir(parents=True)
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Harbours"\n'
                                        'authors = ["A. Writer"]\nlanguage = "en-GB"\n')
    for stem, text in zip(STEMS, (QUAY, NIGHT, LIGHTHOUSE), strict=True):
        (root / "essays" / f"{stem}.md").write_text(text)
    result: Any = run_cli("build", root, "--out", root / "out", "--essays", "--no-cache")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return root / "out"


def folios(texts: list[str], words: str) -> list[str]:
    """The folio printed on each page (its text's last word) that holds `words`."""
    return [text.rsplit(" ", 1)[-1] for text in texts if words in text]


def printed_index(texts: list[str]) -> str:
    """The index pages' text, without the heading and the folios."""
    pages = [text for text in texts if text.startswith("Index ")]
    return " ".join(text.removeprefix("Index ").rsplit(" ", 1)[0] for text in pages)


def locators(texts: list[str]) -> list[str]:
    """What each of the PDF index's locators reads, in order: "5", "1\u20135"."""
    return re.findall(r"\d+(?:\u2013\d+)?", printed_index(texts))


def epub_index(path: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each entry and subentry of the EPUB's index: its term, and its locators' links and
    words."""
    index = ET.fromstring(epub_documents(path)["EPUB/bookindex.xhtml"])
    return [("".join(term.itertext()), [(a.get("href", ""), a.text or "")
                                        for a in li.findall("{*}a")])
            for li in index.iterfind(".//{*}li") for term in li.findall("{*}span")]


def outline(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf, pdf.open_outline() as found:
        return [item.title for item in found.root]


@pytest.mark.slow
def test_an_essays_pdf_indexes_its_own_terms_at_its_own_pages(built: Path) -> None:
    texts = page_texts(built / "essays" / "03-lighthouse.pdf")
    first = folios(texts, "The lighthouse stands")
    beams = [folios(texts, f"Beam number {n}:")[0] for n in range(1, 13)]
    [keeper] = folios(texts, "Its keeper walks")
    assert first == ["1"] and beams[0] == "1" and int(keeper) >= 5
    # Its beams run over every page from the first to the last that holds one.
    assert sorted(set(map(int, beams))) == list(range(1, int(beams[-1]) + 1))
    assert printed_index(texts) == (
        f"B beam, 1\u2013{beams[-1]} K keeper, {keeper} house of, {keeper} "
        f"L lighthouse, 1 Q quay, {keeper}")
    # The collected book prints the same essay from another page on, and merges its quay
    # with the first essay's.
    collected = page_texts(built / "harbours.pdf")
    assert folios(collected, "Its keeper walks") != [keeper]
    assert "Q quay, 1, " in printed_index(collected)
    assert outline(built / "essays" / "03-lighthouse.pdf") == ["The lighthouse", "Index"]


@pytest.mark.slow
def test_the_pdf_index_links_lead_to_the_pages_of_the_marks(built: Path) -> None:
    path = built / "essays" / "03-lighthouse.pdf"
    texts = page_texts(path)
    index = next(i for i, text in enumerate(texts) if text.startswith("Index "))
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        names = dict(zip(*[iter(pdf.Root.Names.Dests.Names)] * 2, strict=True))
        targets = {str(name): pages[dest[0].objgen] for name, dest in names.items()}
        links = [str(a.Dest) for a in pdf.pages[index].obj.get("/Annots", []) if "/Dest" in a]
    shown = [texts[targets[link]].rsplit(" ", 1)[-1] for link in links]
    # One link for each locator, a range's to its first page.
    assert shown == [locator.split("\u2013")[0] for locator in locators(texts)]
    assert all(link.startswith("e3-") for link in links)


@pytest.mark.slow
def test_the_first_essays_index_holds_its_terms_only(built: Path) -> None:
    texts = page_texts(built / "essays" / "01-quay.pdf")
    assert printed_index(texts) == "E Émile, 1 H harbour board, 1 Q quay, 1"
    assert [term for term, _ in epub_index(built / "essays" / "01-quay.epub")] == [
        "Émile", "harbour board", "quay"]


@pytest.mark.slow
def test_an_essays_epub_index_links_its_marks_with_its_pdfs_pages(built: Path) -> None:
    texts = page_texts(built / "essays" / "03-lighthouse.pdf")
    path = built / "essays" / "03-lighthouse.epub"
    entries = epub_index(path)
    assert [term for term, _ in entries] == ["beam", "keeper", "house of", "lighthouse",
                                             "quay"]
    # The locators read what the PDF's index prints, and lead into this book's one essay.
    assert [text for _, found in entries for _, text in found] == locators(texts)
    documents = epub_documents(path)
    for _, found in entries:
        for href, _ in found:
            name, anchor = href.split("#")
            assert name == "03-lighthouse.xhtml" and f'id="{anchor}"' in documents[
                f"EPUB/{name}"]
    nav = documents["EPUB/nav.xhtml"]
    assert '<a epub:type="index" href="bookindex.xhtml#book-index">Index</a>' in nav
    assert 'idref="bookindex"' in documents["EPUB/content.opf"]


@pytest.mark.slow
def test_an_essay_without_marks_has_no_index(built: Path) -> None:
    texts = page_texts(built / "essays" / "02-night.pdf")
    assert not any(text.startswith("Index") for text in texts)
    assert outline(built / "essays" / "02-night.pdf") == ["Night"]
    documents = epub_documents(built / "essays" / "02-night.epub")
    assert "EPUB/bookindex.xhtml" not in documents
    assert "Index" not in documents["EPUB/nav.xhtml"]
    assert "bookindex" not in documents["EPUB/content.opf"]


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("stem", STEMS)
def test_the_essays_epubs_pass_epubcheck(built: Path, stem: str) -> None:
    assert epubcheck(built / "essays" / f"{stem}.epub") == []
