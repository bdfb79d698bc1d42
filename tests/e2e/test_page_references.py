"""The page form of a cross-reference: `[@fig-x, page]` reads "Figure 1 on p. 14" and
`[-@fig-x, page]` "p. 14", where 14 is the folio printed on the page that holds the labelled
element, in the PDF (checked from its own text), and the same words in the EPUB and on the
web. Essays are laid out again until the pages they print stay put, also after an edit
moves the pages of the essays that follow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tinyhtml5 import parse

from helpers import epub_documents, epubcheck, page_texts, run_cli

WORDS = ("The harbour board met on the quay at first light and the tide was already turning "
         "along the wall, so the minutes were written in haste and read aloud twice. ")


def paragraphs(count: int) -> str:
    return "\n\n".join(WORDS * 4 for _ in range(count))


def quay(filler: int) -> str:
    return f"""---
title: The quay
number: 1
---

Ahead, the plan: [@fig-plan, page], and the tides of the next essay on
[-@tbl-tides, page]. Its method is [@sec-method, page].

{paragraphs(filler)}

![The plan of the quay.](../images/quay.png){{#fig-plan}}

{paragraphs(4)}
"""


NIGHT = f"""---
title: Night
number: 2
---

Back to [@fig-plan, page] of the first essay.

{paragraphs(3)}

## Method {{#sec-method}}

{paragraphs(5)}

| Hour | Height |
|------|--------|
| 6    | 2.1    |

: Tides at the quay. {{#tbl-tides}}

{paragraphs(2)}
"""


def build(root: Path, *formats: str) -> None:
    options = [part for name in formats for part in ("--format", name)]
    result: Any = run_cli("build", root, "--out", root / "out", "--strict", *options)
    assert result.exit_code == 0, result.output  # --strict: no page left unsettled (R106)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    (root / "essays").mkdir()
    (root / "images").mkdir()
    Image.new("RGB", (400, 300), "steelblue").save(root / "images" / "quay.png")
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Harbours"\n'
                                        'authors = ["A. Writer"]\nlanguage = "en-GB"\n')
    (root / "essays" / "01-quay.md").write_text(quay(filler=9))
    (root / "essays" / "02-night.md").write_text(NIGHT)
    build(root, "pdf", "epub", "web")
    return root


def folio_of(texts: list[str], words: str) -> str:
    """The folio printed at the foot of the page that holds `words`."""
    return next(text for text in texts if words in text).rsplit(" ", 1)[-1]


def printed_references(texts: list[str]) -> dict[str, str]:
    return {"plan": folio_of(texts, "Figure 1. The plan of the quay."),
            "tides": folio_of(texts, "Table 1. Tides at the quay."),
            "method": folio_of(texts, "Method The harbour board met")}


@pytest.mark.slow
def test_the_pdf_prints_the_pages_its_own_pages_give(collection: Path) -> None:
    texts = page_texts(collection / "out" / "harbours.pdf")
    folios = printed_references(texts)
    assert folios["plan"] != next(text for text in texts if "Ahead, the plan" in text
                                  ).rsplit(" ", 1)[-1]  # the figure is pages later
    assert f"Ahead, the plan: Figure 1 on p. {folios['plan']}, and the tides of the next " \
        f"essay on p. {folios['tides']}. Its method is Section 1 in essay 2 on p. " \
        f"{folios['method']}." in " ".join(texts)
    assert f"Back to Figure 1 in essay 1 on p. {folios['plan']} of the first essay." in \
        " ".join(texts)


@pytest.mark.slow
def test_the_epub_and_the_web_read_the_same_pages(collection: Path) -> None:
    folios = printed_references(page_texts(collection / "out" / "harbours.pdf"))
    documents = epub_documents(collection / "out" / "harbours.epub")
    first = next(text for name, text in documents.items() if name.endswith("01-quay.xhtml"))
    links = re.findall(r'<a href="([^"]+)" class="crossref">([^<]+)</a>', first)
    assert links == [("#e1-fig-plan", f"Figure\u00a01 on p.\u00a0{folios['plan']}"),
                     ("02-night.xhtml#e2-tbl-tides", f"p.\u00a0{folios['tides']}"),
                     ("02-night.xhtml#e2-sec-method",
                      f"Section\u00a01 in essay 2 on p.\u00a0{folios['method']}")]
    assert "data-page-of" not in "".join(documents.values())
    nav = next(text for name, text in documents.items() if name.endswith("nav.xhtml"))
    assert 'epub:type="page-list"' in nav  # the text still matches the PDF's, page by page
    assert [m for m in epubcheck(collection / "out" / "harbours.epub")
            if m["severity"] not in ("INFO", "USAGE")] == []
    html = (collection / "out" / "web" / "02-night" / "index.html").read_text(encoding="utf-8")
    page = parse(html, namespace_html_elements=False)
    shown = ["".join(a.itertext()) for a in page.iter("a") if a.get("class") == "crossref"]
    assert shown == [f"Figure\u00a01 in essay 1 on p.\u00a0{folios['plan']}"]


@pytest.mark.slow
def test_an_edit_that_moves_the_pages_moves_the_references(collection: Path) -> None:
    before = printed_references(page_texts(collection / "out" / "harbours.pdf"))
    (collection / "essays" / "01-quay.md").write_text(quay(filler=30))  # pages longer
    build(collection, "pdf")
    texts = page_texts(collection / "out" / "harbours.pdf")
    after = printed_references(texts)
    assert int(after["tides"]) > int(before["tides"]) and int(after["plan"]) > int(
        before["plan"])
    assert f"Ahead, the plan: Figure 1 on p. {after['plan']}, and the tides of the next " \
        f"essay on p. {after['tides']}." in " ".join(texts)
    assert f"Back to Figure 1 in essay 1 on p. {after['plan']} " in " ".join(texts)


def test_a_page_form_of_several_labels_is_an_error_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "essays").mkdir()
    (tmp_path / "qlabbook.toml").write_text('[collection]\ntitle = "T"\n')
    (tmp_path / "essays" / "01-a.md").write_text(
        "---\ntitle: A\nnumber: 1\n---\n\n## One {#sec-one}\n\n## Two {#sec-two}\n\n"
        "See [@sec-one; @sec-two, page].\n")
    result: Any = run_cli("build", tmp_path, "--out", tmp_path / "out", "--format", "epub")
    assert result.exit_code == 1
    assert "essays/01-a.md:10: error: [@sec-one; @sec-two, page] asks for the page of " \
        "several labels [M210]" in result.output
    assert not (tmp_path / "out" / "t.epub").exists()
