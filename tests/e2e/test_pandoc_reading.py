"""An essay written for pandoc (a `%` title block opens it) is read as pandoc reads it: a
list or quotation with no blank line before it stays the paragraph's text, letter and roman
lists keep their type and start in the EPUB and print their markers in the PDF, and raw TeX
is printed as code with a warning at its line. The EPUB holds every word of pandoc's plain
text in order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    build_one_essay,
    epub_documents,
    missing_in_order,
    page_texts,
    pandoc_plain,
    run_cli,
    visible_text,
    words,
)

pytestmark = [pytest.mark.slow]

ESSAY = r"""% Reading as pandoc
% Ada Author

Here's one with a bullet.
* criminey, still the paragraph.

A quotation needs a blank line too.
> so this stays text

The samples were taken in order:

a.  gather the samples
b.  weigh them

(ii) the second step
(iii) the third step

C)  upper letters from C
D)  and on

B. Williams is no list item.

- a list item
  - and a list inside it, with no blank line

See \cite[22-23]{smith.1899} on the method.

\begin{tabular}{|l|l|}
Animal & Number \\
Dog    & 2      \\
\end{tabular}

The end of the essay.
"""

CONFIG = """[collection]
title = "Pandoc Reading"
language = "en-GB"
identifier = "urn:uuid:8b0f3c1e-5d2a-4c7e-9f61-0d3e2a1b4c55"
"""

WARNINGS = [
    "essays/reading.md:26: warning: raw LaTeX \\cite[22-23]{smith.1899} cannot be typeset "
    "outside LaTeX (pandoc leaves it out): it is printed as code [M404]",
    "essays/reading.md:28: warning: raw LaTeX \\begin{tabular}{|l|l|} cannot be typeset "
    "outside LaTeX (pandoc leaves it out): it is printed as code [M404]",
]
# pandoc's plain writer prints list markers as text ("ii. the second step"); the editions
# draw them (CSS markers), so they are not the text's words.
MARKER = re.compile(r"^ *\(?(?:[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+)[.)] +", re.MULTILINE)


@pytest.fixture(scope="module")
def reading_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("reading")
    out, warnings = build_one_essay(root, CONFIG + '\n[essays]\norder = ["reading.md"]\n',
                                    "reading.md", ESSAY)
    essay = root / "essays" / "reading.md"
    xhtml = next(text for name, text in epub_documents(out / "pandoc-reading.epub").items()
                 if name.endswith("reading.xhtml"))
    return {"warnings": warnings, "plain": MARKER.sub("", pandoc_plain(essay)), "xhtml": xhtml,
            "pdf": " ".join(page_texts(out / "pandoc-reading.pdf"))}


def test_raw_tex_is_code_with_a_warning_at_its_line(reading_build: dict[str, Any]) -> None:
    assert reading_build["warnings"] == WARNINGS
    assert '<code class="raw-tex">\\cite[22-23]{smith.1899}</code>' in reading_build["xhtml"]
    assert '<pre class="raw-tex">' in reading_build["xhtml"]


def test_epub_has_every_word_of_pandocs_plain_text(reading_build: dict[str, Any]) -> None:
    plain = words(reading_build["plain"])
    assert len(plain) > 50
    assert missing_in_order(plain, visible_text(reading_build["xhtml"])) == []


def test_blocks_are_read_as_pandoc_reads_them(reading_build: dict[str, Any]) -> None:
    xhtml = reading_build["xhtml"]
    assert re.search(r"<p[^>]*>Here’s one with a bullet.\n\* criminey", xhtml)
    assert "&gt; so this stays text</p>" in xhtml and "<blockquote" not in xhtml
    assert '<ol class="lower-alpha" type="a">' in xhtml
    assert '<ol class="lower-roman two-parens" start="2" type="i">' in xhtml
    assert '<ol class="upper-alpha" start="3" type="A">' in xhtml
    assert re.search(r"<p[^>]*>B. Williams is no list item.</p>", xhtml)
    assert xhtml.count("<ul>") == 2  # the list and the one inside it


def test_pdf_prints_letter_and_roman_markers(reading_build: dict[str, Any]) -> None:
    pdf = reading_build["pdf"]
    for marker in ("a.", "b.", "(ii)", "(iii)", "C.", "D."):
        assert re.search(rf"(?<![\w.(]){re.escape(marker)}", pdf), marker
    assert missing_in_order(words(reading_build["plain"]), pdf) == []


def test_commonmark_collections_keep_commonmarks_reading(tmp_path: Path) -> None:
    (tmp_path / "essays").mkdir()
    (tmp_path / "qlabbook.toml").write_text(CONFIG)
    (tmp_path / "essays" / "01-plain.md").write_text(
        "---\ntitle: Plain\nnumber: 1\n---\n\nHere's one with a bullet.\n* criminey.\n\n"
        "a.  not a list\n")
    result = run_cli("build", tmp_path, "--out", tmp_path / "out", "--format", "epub")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    xhtml = epub_documents(tmp_path / "out" / "pandoc-reading.epub")["EPUB/01-plain.xhtml"]
    assert "<li>criminey.</li>" in xhtml and "a.  not a list" in xhtml
