"""The apparatus in every edition. Quarto's cross-references: the numbers a reference prints
are those of the captions it leads to, in the PDF (links to the labelled element's page,
across essays too), the EPUB (links into the other essay's document, EPUBCheck clean) and
the web edition. The index: its entries, in order, with the pages the marks are printed on
(checked from the PDF's own text), listed in the contents. Search, and "cite this
paragraph" with the pages the paragraph is printed on."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image
from tinyhtml5 import parse

from browser import chromium, missing_tools, nu_errors, serious_violations, served
from helpers import ace_report, epub_documents, epubcheck, needs_ace, page_texts, run_cli

QUAY = """---
title: The quay
number: 1
---

## Method {#sec-method}

The [quay]{.index} and its [harbour board]{.index} are seen by [Émile]{.index sort=Emile}.

The quay is shown in @fig-harbour and the tides in @tbl-tides; in the next essay, @fig-night.

![The quay at first light.](../images/quay.png){#fig-harbour}

| Hour | Height |
|------|--------|
| 6    | 2.1    |

: Tides at the quay. {#tbl-tides}
"""
NIGHT = """---
title: Night
number: 2
---

![The quay at night.](../images/quay.png){#fig-night}

Back to @fig-harbour and [-@tbl-tides]. At night the [quay]{.index} and the
[board]{.index term="harbour board" sub="at night"} rest.[^office]

Long after, the water """ + "climbs the steps and slips back with the moon, " * 80 + """and so
the night ends.

[^office]: The [tide tables]{.index} are kept at the office.
"""


def in_browser(test: Any) -> Any:
    """A test in Chromium, with axe and the Nu checker."""
    for mark in (pytest.mark.slow, pytest.mark.external,
                 pytest.mark.skipif(bool(missing_tools()), reason=missing_tools() or "ready")):
        test = mark(test)
    return test


def folio_of(built: Path, words: str) -> str:
    """The folio printed on the PDF's page that holds `words`."""
    return next(text for text in page_texts(built / "harbours.pdf") if words in text
                ).rsplit(" ", 1)[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crossrefs")
    (root / "essays").mkdir()
    (root / "images").mkdir()
    Image.new("RGB", (400, 300), "steelblue").save(root / "images" / "quay.png")
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Harbours"\n'
                                        'authors = ["A. Writer"]\nlanguage = "en-GB"\n')
    (root / "essays" / "01-quay.md").write_text(QUAY)
    (root / "essays" / "02-night.md").write_text(NIGHT)
    result: Any = run_cli("build", root, "--out", root / "out", "--format", "pdf",
                          "--format", "epub", "--format", "web")
    assert result.exit_code == 0, result.output
    return root / "out"


def test_pdf_references_print_the_captions_numbers_and_lead_to_their_pages(
        built: Path) -> None:
    texts = page_texts(built / "harbours.pdf")
    quay = next(i for i, text in enumerate(texts) if "The quay is shown" in text)
    night = next(i for i, text in enumerate(texts) if "Back to" in text)
    assert "shown in Figure 1 and the tides in Table 1; in the next essay, Figure 1 in " \
        "essay 2." in texts[quay]
    assert "Figure 1. The quay at first light." in texts[quay]
    assert "Table 1. Tides at the quay." in " ".join(texts[quay:night])
    assert "Figure 1. The quay at night." in texts[night]
    assert "Back to Figure 1 in essay 1 and 1 in essay 1." in texts[night]
    with pikepdf.open(built / "harbours.pdf") as pdf:
        names = dict(zip(*[iter(pdf.Root.Names.Dests.Names)] * 2, strict=True))
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        links = [(index, str(annotation.Dest)) for index, page in enumerate(pdf.pages)
                 for annotation in page.obj.get("/Annots", []) if "/Dest" in annotation]
        targets = {str(name): pages[destination[0].objgen] for name, destination in names.items()}
    assert (quay, "e2-fig-night") in links and (night, "e1-fig-harbour") in links
    assert targets["e2-fig-night"] == night and targets["e1-fig-harbour"] == quay


def test_epub_references_lead_into_the_other_essays_document(built: Path) -> None:
    documents = epub_documents(built / "harbours.epub")
    quay = next(text for name, text in documents.items() if name.endswith("01-quay.xhtml"))
    night = next(text for name, text in documents.items() if name.endswith("02-night.xhtml"))
    links = re.findall(r'<a href="([^"]+)" class="crossref">([^<]+)</a>', quay + night)
    assert links == [("#e1-fig-harbour", "Figure\u00a01"), ("#e1-tbl-tides", "Table\u00a01"),
                     ("02-night.xhtml#e2-fig-night", "Figure\u00a01 in essay 2"),
                     ("01-quay.xhtml#e1-fig-harbour", "Figure\u00a01 in essay 1"),
                     ("01-quay.xhtml#e1-tbl-tides", "1 in essay 1")]
    assert 'id="e2-fig-night"' in night
    problems = [m for m in epubcheck(built / "harbours.epub")
                if m["severity"] not in ("INFO", "USAGE")]
    assert problems == []


def test_web_pages_show_the_same_numbers(built: Path) -> None:
    html = next((built / "web" / "02-night").glob("*.html")).read_text(encoding="utf-8")
    page = parse(html, namespace_html_elements=False)
    links = [(a.get("href", ""), "".join(a.itertext())) for a in page.iter("a")
             if a.get("class") == "crossref"]
    assert [text for _, text in links] == ["Figure\u00a01 in essay 1", "1 in essay 1"]
    assert [re.sub(r"^\.\./01-quay/(index\.html)?", "", href) for href, _ in links] == [
        "#e1-fig-harbour", "#e1-tbl-tides"]
    captions = ["".join(c.itertext()) for c in page.iter("figcaption")]
    assert captions and captions[0].startswith("Figure\u00a01. The quay at night.")


def test_pdf_index_gives_the_pages_the_marks_are_printed_on(built: Path) -> None:
    texts = page_texts(built / "harbours.pdf")
    quay = next(i for i, text in enumerate(texts) if "The quay and its harbour board" in text)
    night = next(i for i, text in enumerate(texts) if "At night the quay" in text)
    folio = {i: text.rsplit(" ", 1)[-1] for i, text in enumerate(texts)}
    index = next(i for i, text in enumerate(texts) if text.startswith("Index"))
    assert texts[index].split(" ", 1)[1].rsplit(" ", 1)[0] == (
        f"E Émile, {folio[quay]} H harbour board, {folio[quay]} at night, {folio[night]} "
        f"Q quay, {folio[quay]}, {folio[night]} T tide tables, {folio[night]}n1")
    contents = next(text for text in texts if text.startswith("Contents"))
    assert re.search(rf"Index[ .]*{folio[index]}$", contents), contents
    with pikepdf.open(built / "harbours.pdf") as pdf:
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        names = dict(zip(*[iter(pdf.Root.Names.Dests.Names)] * 2, strict=True))
        targets = {str(name): pages[dest[0].objgen] for name, dest in names.items()}
        links = [str(a.Dest) for a in pdf.pages[index].obj.get("/Annots", []) if "/Dest" in a]
    assert [targets[link] for link in links] == [quay, quay, night, quay, night, night]


def test_epub_index_links_each_entry_to_its_marks_with_their_print_pages(built: Path) -> None:
    texts = page_texts(built / "harbours.pdf")
    folio = {i: text.rsplit(" ", 1)[-1] for i, text in enumerate(texts)}
    quay = folio[next(i for i, text in enumerate(texts) if "The quay and its" in text)]
    night = folio[next(i for i, text in enumerate(texts) if "At night the quay" in text)]
    documents = epub_documents(built / "harbours.epub")
    index = ET.fromstring(documents["EPUB/bookindex.xhtml"])
    ops = "{http://www.idpf.org/2007/ops}type"
    entries = [("".join(term.itertext()), [(a.get("href"), a.text) for a in li.findall(
        "{*}a")]) for li in index.iterfind(".//{*}li") for term in li.findall("{*}span")]
    assert entries == [
        ("Émile", [("01-quay.xhtml#e1-ix3", quay)]),
        ("harbour board", [("01-quay.xhtml#e1-ix2", quay)]),
        ("at night", [("02-night.xhtml#e2-ix2", night)]),
        ("quay", [("01-quay.xhtml#e1-ix1", quay), ("02-night.xhtml#e2-ix1", night)]),
        ("tide tables", [("02-night.xhtml#e2-fn1-ix1", f"{night}n1")])]  # in note 1
    assert index.find(".//{*}section").get(ops) == "index"
    assert 'id="e2-ix2"' in documents["EPUB/02-night.xhtml"]
    assert 'id="e2-fn1-ix1"' in documents["EPUB/02-night.xhtml"]
    nav = documents["EPUB/nav.xhtml"]
    assert '<a href="bookindex.xhtml#book-index">Index</a>' in nav
    assert '<a epub:type="index" href="bookindex.xhtml#book-index">Index</a>' in nav
    opf = documents["EPUB/content.opf"]
    assert opf.index('idref="credits"') < opf.index('idref="bookindex"') if \
        'idref="credits"' in opf else 'idref="bookindex"' in opf


@pytest.mark.slow
@pytest.mark.external
@needs_ace
def test_daisy_ace_finds_no_violation_in_the_apparatus(built: Path, tmp_path: Path) -> None:
    report = ace_report(built / "harbours.epub", tmp_path / "ace")
    violations = [(a["earl:testSubject"]["url"], b["earl:test"]["earl:impact"],
                   b["earl:test"]["dct:title"])
                  for a in report["assertions"] for b in a.get("assertions", [])]
    assert not [v for v in violations if v[1] in ("critical", "serious", "moderate")], violations


@in_browser
def test_web_index_is_reached_from_the_series_page_and_leads_to_the_marks(
        built: Path) -> None:
    night, web = folio_of(built, "At night the quay"), built / "web"
    with chromium() as browser:
        page = browser.new_page()
        page.goto((web / "index.html").as_uri())
        page.click("text=Index of terms")
        assert page.url == (web / "book-index" / "index.html").as_uri()
        assert page.inner_text("h1") == "Index"
        assert serious_violations(page) == []
        page.click(f"li:has-text('at night') >> text=p.\u00a0{night}")
        assert page.url == (web / "02-night" / "index.html").as_uri() + "#e2-ix2"
        assert page.evaluate("document.getElementById('e2-ix2').textContent") == "board"
    assert nu_errors([web / "book-index" / "index.html", web / "index.html"]) == []


@in_browser
def test_search_finds_the_last_essays_words_from_the_folder_and_over_http(
        built: Path) -> None:
    night, web = folio_of(built, "At night the quay"), built / "web"
    with chromium() as browser, served(web, "/harbours/") as address:
        for start in ((web / "index.html").as_uri(), address + "index.html"):
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(start)
            page.click("text=Search")
            page.fill("#search-words", "QUAY res")  # case aside, a word's beginning
            page.press("#search-words", "Enter")
            assert page.inner_text("#search-status") == "1 paragraph"
            result = page.locator("#search-results a")
            assert result.inner_text() == f"Essay 2: Night, p.\u00a0{night}"
            assert "the quay and the board rest" in page.inner_text("#search-results p")
            assert serious_violations(page) == []
            result.click()
            assert page.url.endswith("/02-night/index.html#e2-p1")
            page.go_back()
            page.fill("#search-words", "emile")  # accents aside
            page.press("#search-words", "Enter")
            assert page.inner_text("#search-status") == "1 paragraph"
            assert errors == []
        page = browser.new_page(java_script_enabled=False)
        page.goto((web / "search" / "index.html").as_uri())
        assert not page.is_visible("#search-form")
        page.click("text=index of terms")
        assert page.url.endswith("/book-index/index.html")
    assert nu_errors([web / "search" / "index.html"]) == []
    data = (web / "search" / "paragraphs.js").stat().st_size
    texts = page_texts(built / "harbours.pdf")
    assert data < 2 * sum(len(text) for text in texts)  # the words, not their markup


@in_browser
def test_a_paragraph_is_cited_with_the_pages_it_is_printed_on_and_its_number(
        built: Path) -> None:
    one = folio_of(built, "At night the quay")
    first, last = folio_of(built, "Long after, the water"), folio_of(built, "so the night ends")
    assert first != last
    essay = built / "web" / "02-night" / "index.html"
    with chromium() as browser:
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(essay.as_uri())
        page.click("#e2-p1 .cite-paragraph")
        dialog = page.locator("#cite-paragraph")
        assert dialog.is_visible()
        assert dialog.locator(".cite-place").inner_text() == f"p.\u00a0{one}, para.\u00a01"
        assert dialog.locator(".citation").first.inner_text() == \
            f"(Writer, n.d., p. {one}, para. 1)"
        # An author-date citation needs its entry: the essay's, as "Cite this essay" has it.
        assert dialog.locator(".cite-reference").inner_text() == \
            page.locator(".cite-this .citation").inner_text()
        assert dialog.locator(".cite-link a").get_attribute("href") == essay.as_uri() + "#e2-p1"
        assert serious_violations(page) == []
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
            "Cite paragraph 1"
        page.click("#e2-p2 .cite-paragraph")  # a paragraph printed across pages
        assert dialog.locator(".citation").first.inner_text() == \
            f"(Writer, n.d., pp. {first}\u2013{last}, para. 2)"
        page.click("#cite-paragraph >> text=Copy")  # the citation, its entry, the link
        assert dialog.locator(".cite-status").inner_text() == "Copied."
        assert page.evaluate("navigator.clipboard.readText()").split("\n") == [
            f"(Writer, n.d., pp. {first}\u2013{last}, para. 2)",
            page.locator(".cite-this .citation").inner_text(), essay.as_uri() + "#e2-p2"]
        page.click("#cite-paragraph >> text=Close")
        assert not dialog.is_visible()
        assert page.locator("#e2-p2").inner_text().endswith("so the night ends.")
        assert errors == []
    assert nu_errors([essay]) == []


@in_browser
def test_a_tables_caption_is_set_above_it_across_the_column(built: Path) -> None:
    """A narrow table's caption is not squeezed to its cells' width (the table is a block,
    so that a wide one scrolls)."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto((built / "web" / "01-quay" / "index.html").as_uri())
        caption = page.locator("table caption").bounding_box()
        cells = page.locator("table tr").first.bounding_box()
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                             "'table caption')).lineHeight)")
    assert caption is not None and cells is not None
    assert caption["y"] + caption["height"] <= cells["y"]
    assert caption["width"] > cells["width"] and caption["height"] < 1.5 * line
