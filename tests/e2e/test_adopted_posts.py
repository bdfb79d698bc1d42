"""Posts adopted as their authors wrote them: ids HTML accepts but XML does not
(pandoc-crossref's `{#sec:intro}`) stay anchors, rewritten alike in the EPUB, the PDF's
links and bookmarks and the web edition, with every link to them. Images without alt text
are warnings at their lines, and the EPUB's and the PDF's accessibility claims leave out
what they make false; images in notes are shown in the notes."""

from __future__ import annotations

import re
from typing import Any

import pikepdf
import pytest
from PIL import Image

from helpers import epub_documents, epubcheck, run_cli

FIRST = """---
title: First
number: 1
---

# Main {#section:main-start}

Read [the details](#sec:details), [the start](#section:main-start) or [the raw](#fig:1.2).

## Details {#sec:details}

Text of the details.

<h2 id="fig:1.2">Raw heading</h2>

More text.
"""

SECOND = """---
title: Second
number: 2
---

See [the first essay's details](01-first.md#sec:details).
"""

# Written as blogs write them: a figure and an inline image without alt text, and
# images in a note (inline, and alone in the note's second paragraph).
PICTURES = """---
title: Pictures
number: 3
---

A figure without a description:

![](../images/square.png)

An inline ![](../images/square.png) image, and a note.[^pic]

[^pic]: A note showing ![a red square](../images/square.png) inline.

    ![a lone red square](../images/square.png "A caption in the note")
"""
WARNINGS = [
    "essays/03-pictures.md:8: warning: image '../images/square.png' has no alt text, so the "
    "EPUB and the PDF do not claim a text alternative for every image [I103]",
    "essays/03-pictures.md:10: warning: image '../images/square.png' has no alt text, so the "
    "EPUB and the PDF do not claim a text alternative for every image [I103]",
    "essays/03-pictures.md:8: warning: 2 images have no text alternative, so the EPUB does "
    "not claim one for every image (nor conformance to EPUB Accessibility) [E101]",
]

CONFIG = """[collection]
title = "Adopted Posts"
authors = ["Ada Author"]
language = "en-GB"
identifier = "urn:uuid:5f1c0f6e-2b2a-4d3e-9f10-7c9b8a6d5e41"
date = 2021-06-01
"""

IDS = ["e1-section-main-start", "e1-sec-details", "e1-fig-1.2"]


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("adopted")
    (root / "essays").mkdir()
    (root / "qlabbook.toml").write_text(CONFIG)
    (root / "essays" / "01-first.md").write_text(FIRST)
    (root / "essays" / "02-second.md").write_text(SECOND)
    (root / "essays" / "03-pictures.md").write_text(PICTURES)
    (root / "images").mkdir()
    Image.new("RGB", (400, 300), (200, 40, 40)).save(root / "images" / "square.png")
    out = root / "out"
    result = run_cli("build", root, "--out", out, "--format", "pdf", "--format", "epub",
                     "--format", "web")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    warnings = [line for line in result.stderr.splitlines()  # type: ignore[attr-defined]
                if not line.startswith("    hint:")]
    assert sorted(warnings) == sorted(WARNINGS)
    return {"root": root, "pdf": out / "adopted-posts.pdf",
            "epub": out / "adopted-posts.epub", "web": out / "web"}


@pytest.mark.slow
def test_epub_keeps_the_anchors_rewritten_with_their_links(adopted: dict[str, Any]) -> None:
    documents = epub_documents(adopted["epub"])
    first, second = documents["EPUB/01-first.xhtml"], documents["EPUB/02-second.xhtml"]
    for anchor in IDS:
        assert f'id="{anchor}"' in first
        assert f'href="#{anchor}"' in first
    assert re.search(r'href="01-first\.xhtml#e1-sec-details"', second)
    assert ":" not in "".join(re.findall(r'\sid="([^"]*)"', first))


@pytest.mark.slow
def test_pdf_links_and_bookmarks_reach_the_anchors(adopted: dict[str, Any]) -> None:
    with pikepdf.open(adopted["pdf"]) as pdf:
        names = list(pdf.Root.Names.Dests.Names)
        destinations = {str(n): place(d) for n, d in zip(names[::2], names[1::2], strict=True)}
        assert set(IDS) <= set(destinations)
        links = {str(a.Dest) for page in pdf.pages for a in page.get("/Annots", [])
                 if "/Dest" in a}
        assert set(IDS) <= links
        with pdf.open_outline() as outline:
            bookmarks = {item.title: place(item.destination) for item in walk(outline.root)}
        # Each heading's bookmark leads where its anchor's destination does.
        for title, anchor in zip(("Main", "Details", "Raw heading"), IDS, strict=True):
            assert bookmarks[title] == destinations[anchor]


def place(destination: Any) -> tuple[Any, float]:
    """A destination's page and height on it."""
    return destination[0].objgen, round(float(destination[3]))


def walk(items: list[Any]) -> list[Any]:
    """Every bookmark of an outline, depth first."""
    return [found for item in items for found in [item, *walk(item.children)]]


@pytest.mark.slow
def test_web_pages_keep_the_anchors(adopted: dict[str, Any]) -> None:
    pages = {p.parent.name: p.read_text() for p in adopted["web"].glob("*/index.html")}
    first = next(text for text in pages.values() if "Raw heading" in text)
    second = next(text for text in pages.values() if "first essay" in text)
    for anchor in IDS:
        assert f'id="{anchor}"' in first and f'href="#{anchor}"' in first
    assert re.search(r'href="[^"]*#e1-sec-details"', second)


@pytest.mark.slow
@pytest.mark.external
def test_adopted_epub_passes_epubcheck(adopted: dict[str, Any]) -> None:
    assert epubcheck(adopted["epub"]) == []


@pytest.mark.slow
def test_epub_claims_no_text_alternative_it_lacks(adopted: dict[str, Any]) -> None:
    package = epub_documents(adopted["epub"])["EPUB/content.opf"]
    features = re.findall(r'property="schema:accessibilityFeature">([^<]*)<', package)
    assert "tableOfContents" in features and "alternativeText" not in features
    assert "dcterms:conformsTo" not in package
    assert re.findall(r'property="schema:accessModeSufficient">([^<]*)<', package) == [
        "textual,visual"]
    assert "text description" not in package


@pytest.mark.slow
def test_images_in_a_note_are_shown_in_the_note(adopted: dict[str, Any]) -> None:
    xhtml = epub_documents(adopted["epub"])["EPUB/03-pictures.xhtml"]
    note = re.search(r'<aside class="note" id="e3-fn1".*?</aside>', xhtml, re.DOTALL)
    assert note is not None
    assert re.findall(r'<img alt="([^"]*)" src="images/[^"]+"', note.group(0)) == [
        "a red square", "a lone red square"]
    assert "A caption in the note" in note.group(0)
    assert 'id="e3-fig' not in note.group(0)  # figure ids are the body's
    web = (adopted["web"] / "03-pictures" / "index.html").read_text()
    aside = re.search(r'<aside[^>]*>.*?</aside>', web, re.DOTALL)
    assert aside is not None and 'alt="a red square"' in aside.group(0)


@pytest.mark.slow
def test_pdf_claims_pdf_ua_only_when_every_image_is_described(
        adopted: dict[str, Any]) -> None:
    with pikepdf.open(adopted["pdf"]) as pdf:
        assert "pdfuaid:part" not in str(pdf.open_metadata())
        assert "/StructTreeRoot" in pdf.Root  # tagged all the same
        # The figure, the inline image and the note's two are each drawn.
        assert sum(image_draws(page) for page in pdf.pages) == 4


def image_draws(page: Any) -> int:
    """How many times a page draws an image (directly or inside a form it draws)."""
    images = {name for name, x in page.Resources.get("/XObject", {}).items()
              if x.get("/Subtype") == "/Image"}
    forms = [x for x in page.Resources.get("/XObject", {}).values()
             if x.get("/Subtype") == "/Form"]
    drawn = sum(1 for operands, operator in pikepdf.parse_content_stream(page)
                if str(operator) == "Do" and str(operands[0]) in images)
    return drawn + sum(image_draws(pikepdf.Page(form)) if "/Resources" in form else 0
                       for form in forms)


@pytest.mark.slow
def test_strict_makes_a_missing_alt_text_an_error(adopted: dict[str, Any],
                                                  tmp_path: Any) -> None:
    result = run_cli("build", adopted["root"], "--out", tmp_path, "--format", "epub",
                     "--strict")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert WARNINGS[0] in result.stderr  # type: ignore[attr-defined]


WIDE = """---
title: Wide
number: 1
---

A first paragraph, long enough to be set justified across the whole of the text block so
that its lines reach the block's right edge, which is what the pictures must keep to here.

<img src="../images/wide.png" alt="a wide picture" width="2000"> opens an indented paragraph.

![a small square](../images/square.png) opens another, written in Markdown.
"""


@pytest.mark.slow
def test_a_raw_image_opening_a_paragraph_keeps_to_the_text_block(tmp_path: Any) -> None:
    import pymupdf

    (tmp_path / "essays").mkdir()
    (tmp_path / "qlabbook.toml").write_text(CONFIG)
    (tmp_path / "essays" / "01-wide.md").write_text(WIDE)
    (tmp_path / "images").mkdir()
    Image.new("RGB", (2000, 400), (40, 40, 200)).save(tmp_path / "images" / "wide.png")
    Image.new("RGB", (40, 40), (200, 40, 40)).save(tmp_path / "images" / "square.png")
    result = run_cli("build", tmp_path, "--out", tmp_path / "out", "--format", "pdf",
                     "--format", "epub")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    with pymupdf.open(tmp_path / "out" / "adopted-posts.pdf") as pdf:
        page = next(p for p in pdf if p.get_images())
        left = min(block[0] for block in page.get_text("blocks"))
        right = max(block[2] for block in page.get_text("blocks"))
        boxes = sorted((box for image in page.get_images() for box in
                        page.get_image_rects(image[0])), key=lambda box: box.y0)
    wide, square = boxes
    assert abs(wide.x0 - left) < 0.5 and abs(wide.x1 - right) < 0.5  # the measure, not 12 pt past
    assert square.x0 > left + 5  # Markdown's image keeps the paragraph's indent
    text = epub_documents(tmp_path / "out" / "adopted-posts.epub")["EPUB/01-wide.xhtml"]
    assert re.findall(r'<p[^>]*class="opens-with-image"[^>]*><img[^>]*alt="([^"]+)"', text) == [
        "a wide picture"]
    assert "data-qlab-raw" not in text


CROSSREFS = """---
title: Crossrefs
number: 1
---

As @fig:square shows, and [@tbl:counts] counts.

![A red square](../images/square.png){#fig:square}

| a | b |
|---|---|
| 1 | 2 |

: Counts {#tbl:counts}
"""


@pytest.mark.slow
def test_crossref_references_link_to_their_numbered_element_in_every_edition(
        tmp_path: Any) -> None:
    import pymupdf

    (tmp_path / "essays").mkdir()
    (tmp_path / "qlabbook.toml").write_text(CONFIG)
    (tmp_path / "essays" / "01-crossrefs.md").write_text(CROSSREFS)
    (tmp_path / "images").mkdir()
    Image.new("RGB", (400, 300), (200, 40, 40)).save(tmp_path / "images" / "square.png")
    out = tmp_path / "out"
    result = run_cli("build", tmp_path, "--out", out, "--format", "pdf", "--format", "epub",
                     "--format", "web")
    assert result.exit_code == 0 and result.stderr == "", result.output  # type: ignore[attr-defined]
    text = epub_documents(out / "adopted-posts.epub")["EPUB/01-crossrefs.xhtml"]
    assert re.findall(r'<a href="#([^"]+)" class="crossref">([^<]+)</a>', text) == [
        ("e1-fig-square", "fig.\u00a01"), ("e1-tbl-counts", "tbl.\u00a01")]
    assert 'id="e1-fig-square"' in text and 'id="e1-tbl-counts"' in text
    web = next((out / "web").rglob("*crossrefs/index.html")).read_text()
    assert 'href="#e1-fig-square"' in web and 'id="e1-fig-square"' in web
    with pymupdf.open(out / "adopted-posts.pdf") as pdf:
        page = next(p for p in pdf if "As fig." in p.get_text())
        assert "As fig.\u00a01 shows, and tbl.\u00a01 counts." in page.get_text()
        assert {link.get("nameddest") for link in page.get_links()} >= {
            "e1-fig-square", "e1-tbl-counts"}
        assert any("Figure\u00a01" in p.get_text() or "Figure 1" in p.get_text() for p in pdf)
    assert epubcheck(out / "adopted-posts.epub") == []
