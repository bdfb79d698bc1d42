"""Posts adopted as their authors wrote them: ids HTML accepts but XML does not
(pandoc-crossref's `{#sec:intro}`) stay anchors, rewritten alike in the EPUB, the PDF's
links and bookmarks and the web edition, with every link to them."""

from __future__ import annotations

import re
from typing import Any

import pikepdf
import pytest

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
    out = root / "out"
    result = run_cli("build", root, "--out", out, "--format", "pdf", "--format", "epub",
                     "--format", "web")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.stderr == ""  # type: ignore[attr-defined]
    return {"pdf": out / "adopted-posts.pdf", "epub": out / "adopted-posts.epub",
            "web": out / "web"}


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
