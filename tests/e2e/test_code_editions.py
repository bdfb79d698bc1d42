"""Code and raw images in the built editions: the PDF's fonts, text and boxes, the EPUB."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
from PIL import Image

from helpers import FIXTURES, epub_documents, epubcheck, run_cli
from qlabbook.build import load_collection
from qlabbook.typeset.document import render_document
from qlabbook.typeset.preflight import printed_images

LONG_LINE = ('    return [essay.render(profile="screen", notes="footnotes", '
             'width=text_width_pixels(collection)) for essay in collection.essays]')
ESSAY = f'''---
title: "Code in an essay"
number: 4
---

Call `load_collection(root)` first; a long identifier such as
`configuration.hyphenation_dictionary_for_the_language` is never hyphenated,
nor is `check_coverage_of_every_character`.

```python
# A comment
def build(root: Path, *, strict: bool = False) -> Collection:
    collection = load_collection(root)  # then check it
{LONG_LINE}
```

A raw image <img src="../images/wide.png" alt="A wide band" width="3000"> in the text,
a small one <img src="../images/small.png" alt="A small band" width="100">.
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("code") / "series"
    shutil.copytree(FIXTURES / "series", root)
    Image.new("RGB", (3000, 600), (200, 60, 60)).save(root / "images" / "wide.png")
    Image.new("RGB", (400, 200), (60, 60, 200)).save(root / "images" / "small.png")
    (root / "essays" / "d-code.md").write_text(ESSAY, encoding="utf-8")
    out = root / "dist"
    result = run_cli("build", root, "--out", out, "--no-cache")
    assert result.exit_code == 0, result.output
    return {"root": root, "pdf": out / "fixture-series.pdf",
            "epub": out / "fixture-series.epub", "stderr": result.stderr}


def runs_by_font(pdf: Path) -> list[tuple[str, str]]:
    """(font name, text) of every text run drawn, in content order."""
    runs: list[tuple[str, str]] = []
    for page in pypdf.PdfReader(pdf).pages:
        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
            if text and font is not None:
                runs.append((str(font.get("/BaseFont", "")).split("+")[-1], text))
        page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.slow
def test_code_is_set_in_the_embedded_mono_font_not_biolinum(built: dict[str, Any]) -> None:
    with pikepdf.open(built["pdf"]) as document:
        fonts = {str(f.BaseFont).split("+")[-1]: f for page in document.pages
                 for f in page.Resources.get("/Font", {}).values()}
        for face in ("Qlabbook-Mono", "Qlabbook-Mono-Bold", "Qlabbook-Mono-Italic"):
            assert "/FontFile2" in fonts[face].DescendantFonts[0].FontDescriptor, face
    runs = runs_by_font(built["pdf"])
    mono = "".join(text for font, text in runs if font.startswith("Qlabbook-Mono"))
    for token in ("load_collection(root)", "def", "build", "# A comment"):
        assert token in mono
    assert not any("load_collection" in text or "def build" in text
                   for font, text in runs if font.startswith("Biolinum"))


@pytest.mark.slow
def test_code_text_is_in_the_pdf_in_order_and_never_hyphenated(built: dict[str, Any]) -> None:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(built["pdf"]).pages)
    squeezed = "".join(text.replace("\u2192", "").split())  # the continuation marks out
    code = ESSAY.split("```python\n")[1].split("```")[0]
    assert "".join(code.split()) in squeezed
    for token in ("configuration.hyphenation_dictionary_for_the_language",
                  "check_coverage_of_every_character"):
        # On one line (the token is narrower than the measure): not broken, not hyphenated.
        assert token in text
    assert "\u2010" not in "".join(t for f, t in runs_by_font(built["pdf"])
                                   if f.startswith("Qlabbook-Mono"))


def essay_pages(document: Any, root: Path) -> list[Any]:
    return [page for page in document.pages
            if any(getattr(box, "element", None) is not None and box.element.tag == "pre"
                   for box in page._page_box.descendants())]


@pytest.mark.slow
def test_a_long_code_line_wraps_inside_the_text_block(built: dict[str, Any]) -> None:
    from weasyprint.formatting_structure import boxes

    document = render_document(load_collection(built["root"]), "screen")
    pages = essay_pages(document, built["root"])
    assert len(pages) == 1
    page = pages[0]._page_box
    right = page.content_box_x() + page.width
    lines = [box for box in page.descendants() if isinstance(box, boxes.LineBox)
             and box.element is not None and box.element.get("class") == "line"]
    assert lines
    for line in lines:
        for run in line.descendants():
            if isinstance(run, boxes.TextBox):
                assert run.position_x + run.width <= right + 0.5, run.text
    long_line = [line for line in lines if "text_width_pixels" in "".join(
        run.text for run in line.descendants() if isinstance(run, boxes.TextBox))
        or "essay.render" in "".join(run.text for run in line.descendants()
                                     if isinstance(run, boxes.TextBox))]
    assert len(long_line) >= 2  # wrapped onto a continuation line
    starts = [next(run for run in line.descendants() if isinstance(run, boxes.TextBox))
              .position_x for line in long_line[:2]]
    assert starts[1] > starts[0] + 10  # the continuation hangs under the line


@pytest.mark.slow
def test_a_raw_image_keeps_within_the_text_width(built: dict[str, Any]) -> None:
    document = render_document(load_collection(built["root"]), "screen")
    page = essay_pages(document, built["root"])[0]._page_box
    measure_mm = page.width / 96 * 25.4
    printed = {image.src: image for image in printed_images(document)}
    assert printed["images/wide.png"].width_mm == pytest.approx(measure_mm, abs=0.1)
    assert printed["images/small.png"].width_mm == pytest.approx(100 / 96 * 25.4, abs=0.1)


@pytest.mark.slow
@pytest.mark.external
def test_the_epub_has_highlighting_classes_and_the_code_font(built: dict[str, Any]) -> None:
    documents = epub_documents(built["epub"])
    essay = next(text for name, text in documents.items() if "Code in an essay" in text
                 and name.endswith(".xhtml") and "nav" not in name)
    assert '<code class="highlight language-python">' in essay
    assert '<span class="k">def</span> <span class="nf">build</span>' in essay
    opf = documents["EPUB/content.opf"]
    assert 'href="fonts/cmuntt.ttf" id="font1" media-type="font/ttf"' in opf
    assert epubcheck(built["epub"]) == []


@pytest.mark.slow
def test_the_wrap_arrows_are_a_picture_not_text(built: dict[str, Any]) -> None:
    """The continuation arrows are each code line's background (a picture repeated down the
    indent under the first line), so none is text in the PDF and no code block is pushed onto
    a page of its own by an invisible column of arrows."""
    from weasyprint.formatting_structure import boxes

    text = "".join(page.extract_text() for page in pypdf.PdfReader(built["pdf"]).pages)
    assert "\u2192" not in text
    document = render_document(load_collection(built["root"]), "screen")
    page = essay_pages(document, built["root"])[0]._page_box
    lines = [box for box in page.descendants() if isinstance(box, boxes.BlockBox)
             and box.element is not None and box.element.get("class") == "line"]
    assert lines and all(not box.children or not isinstance(box.children[-1], boxes.BlockBox)
                         for box in lines)  # no ::after box
    images = [layer.image for box in lines if box.background is not None
              for layer in box.background.layers if layer.image is not None]
    assert len(images) == 2 * len(lines)  # the white cover and the arrow, each line
