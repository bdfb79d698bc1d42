"""Block structure through both renderers: a collection written with CommonMark's lists,
fences and quotations builds, the EPUB keeps the structure and passes EPUBCheck, the PDF
numbers an ordered list from its start and prints the code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli

XHTML = "{http://www.w3.org/1999/xhtml}"
ESSAY = """---
title: "Blocks"
number: 1
---

Steps to follow:

3. third step
4. fourth step

- outer item
  - nested two spaces in
    ```python
    print("fenced in a list")
    ````
  - lazy line
continues here

> First quotation.

> Second quotation.
>
> ~~~
> quoted code
> ~~~
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("blocks")
    (root / "essays").mkdir()
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Blocks"\n', encoding="utf-8")
    (root / "essays" / "01-blocks.md").write_text(ESSAY, encoding="utf-8")
    result = run_cli("build", root, "--out", root / "out")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "warning" not in result.output  # type: ignore[attr-defined]
    return root / "out"


def essay_xhtml(out: Path) -> str:
    documents = epub_documents(out / "blocks.epub")
    return next(text for name, text in documents.items() if "Blocks" in text
                and "<ol start" in text)


@pytest.mark.slow
def test_epub_keeps_nesting_fences_quotations_and_start(built: Path) -> None:
    xhtml = essay_xhtml(built)
    body = ET.fromstring(xhtml.encode("utf-8")).find(f"{XHTML}body")
    assert body is not None
    assert body.find(f".//{XHTML}ol").get("start") == "3"  # type: ignore[union-attr]
    nested = body.find(f".//{XHTML}ul/{XHTML}li/{XHTML}ul/{XHTML}li")
    assert nested is not None and (nested.text or "").strip() == "nested two spaces in"
    code = nested.find(f"{XHTML}pre/{XHTML}code")
    assert code is not None and "language-python" in code.get("class", "")
    assert "".join(code.itertext()) == 'print("fenced in a list")\n'
    assert re.search(r"<li>lazy line\s+continues here</li>", xhtml)
    quotes = body.findall(f".//{XHTML}blockquote")
    assert len(quotes) == 2
    assert "".join(quotes[1].find(f"{XHTML}pre").itertext()) == "quoted code\n"  # type: ignore[union-attr]
    assert "```" not in xhtml and "~~~" not in xhtml


@pytest.mark.slow
def test_pdf_numbers_the_list_from_its_start_and_prints_the_code(built: Path) -> None:
    text = " ".join(page_texts(built / "blocks.pdf"))
    # pypdf extracts the list markers after the page's text, in order.
    assert "third step fourth step" in text
    assert "3. 4. \u2022" in text and "1. 2. \u2022" not in text
    assert 'print("fenced in a list")' in text
    assert "quoted code" in text and "```" not in text


@pytest.mark.slow
@pytest.mark.external
def test_epub_passes_epubcheck(built: Path) -> None:
    problems = [m for m in epubcheck(built / "blocks.epub")
                if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
    assert problems == []
