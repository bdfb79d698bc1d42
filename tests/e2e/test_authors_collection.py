"""A collection written as authors write it (tests/fixtures/authors: Jekyll YAML with a time
and zone, Hugo TOML, a pandoc title block, a `.markdown` file, a file without front matter,
and in the bodies every construct of the source format) builds as it is: the EPUB passes
EPUBCheck, no Markdown syntax survives as text in the EPUB or the PDF, the notes keep their
lists, quotations and code in both, and every word of pandoc's plain-text rendering of each
essay appears, in order, in that essay's EPUB document and in the PDF."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    FIXTURES,
    epub_documents,
    epubcheck,
    missing_in_order,
    page_texts,
    pandoc_plain,
    run_cli,
    visible_text,
    words,
)

pytest.importorskip("pypandoc")

pytestmark = [pytest.mark.slow]

# File name -> the EPUB document the build writes for it (series order from qlabbook.toml).
ESSAYS = {
    "2019-05-14-listening.md": "EPUB/listening.xhtml",
    "notes-in-practice.md": "EPUB/notes-in-practice.xhtml",
    "tables-and-math.markdown": "EPUB/tables-and-math.xhtml",
    "afterword.md": "EPUB/afterword.xhtml",
}

# The one slip in the essays: a reference link to a photograph, which is not an essay.
WARNINGS = [
    "essays/tables-and-math.markdown:64: warning: link to '../images/workshop.jpg', which is not "
    "an essay of this collection: its text is kept [M203]",
]

# Markdown syntax that must never reach a reader as text.
SYNTAX = ["[^", "^[", ":::", "~~", "$$", "```", "~~~", "{#", "{.", "Table:", "](", "![",
          "\\$", "+++", "[folder]", "[bin]", "[Zotero]", "[z]", "<!--", "-->", "\\*"]
REFERENCE_LEFTOVER = re.compile(r"\[[^\]\s][^\]]*\]\[[^\]]*\]")
# pandoc's rule for inline math: `$` + non-space ... non-space + `$` not followed by a digit.
DOLLAR_MATH = re.compile(r"\$[^\s$](?:[^$]*[^\s$])?\$(?!\d)")


def syntax_left(text: str) -> list[str]:
    left = [s for s in SYNTAX if s in text]
    left += REFERENCE_LEFTOVER.findall(text) + DOLLAR_MATH.findall(text)
    left += re.findall(r"\S*\\\s", text)  # a hard line break's backslash
    return left


@pytest.fixture(scope="module")
def authors_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("authors") / "authors"
    shutil.copytree(FIXTURES / "authors", root)
    out = root / "out"
    result = run_cli("build", root, "--out", out, "--no-cache")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    diagnostics = [line for line in result.stderr.splitlines()  # type: ignore[attr-defined]
                   if ": warning:" in line or ": error:" in line]
    assert diagnostics == WARNINGS
    documents = epub_documents(out / "listening-lab.epub")
    return {"epub": out / "listening-lab.epub", "pdf": out / "listening-lab.pdf",
            "documents": documents, "pages": page_texts(out / "listening-lab.pdf")}


@pytest.mark.external
def test_epub_passes_epubcheck(authors_build: dict[str, Any]) -> None:
    assert epubcheck(authors_build["epub"]) == []


def test_no_markdown_syntax_survives_in_the_epub(authors_build: dict[str, Any]) -> None:
    for name in ESSAYS.values():
        text = visible_text(authors_build["documents"][name])
        assert syntax_left(text) == [], name


def test_no_markdown_syntax_survives_in_the_pdf(authors_build: dict[str, Any]) -> None:
    text = " ".join(authors_build["pages"])
    assert syntax_left(text) == []


def test_notes_keep_their_blocks_in_the_epub(authors_build: dict[str, Any]) -> None:
    documents = authors_build["documents"]
    plan = re.search(r'<aside class="note" id="e1-fn1".*?</aside>',
                     documents[ESSAYS["2019-05-14-listening.md"]], re.DOTALL)
    assert plan is not None
    for block in ("<ol>", "<blockquote>", "<pre><code"):
        assert block in plan.group(0), block
    assert "1,12" in plan.group(0)
    where = re.search(r'<aside class="note" id="e2-fn1".*?</aside>',
                      documents[ESSAYS["notes-in-practice.md"]], re.DOTALL)
    assert where is not None
    # The unindented second line stays in the note; [text][ref] and [text] resolve in it.
    assert "The facilitator decides" in where.group(0)
    assert 'href="https://www.zotero.org/"' in where.group(0)
    assert "<ul>" in where.group(0)
    assert re.search(r"<pre><code>(<span class=\"line\">)?ls shared/", where.group(0))


def test_the_constructs_reach_the_epub_as_elements(authors_build: dict[str, Any]) -> None:
    documents = authors_build["documents"]
    listening = documents[ESSAYS["2019-05-14-listening.md"]]
    assert '<ol start="2">' in listening
    assert listening.count("<blockquote>") == 3  # two quotations stay two; one in a note
    assert re.search(r"<li>by the pharmacy, and\s+by the hospital", listening)
    assert re.search(r'<h2 [^>]*id="e1-heard"', listening) and 'href="#e1-heard"' in listening
    notes = documents[ESSAYS["notes-in-practice.md"]]
    assert '<span class="k">def</span>' in notes  # Pygments highlighting
    assert "closed by a longer one." in notes and "ls -l notes/" in notes
    assert re.search(r'<li>\s*<p id="e\d+-p\d+">A list item with code inside it:</p>\s*<pre>',
                     notes)
    assert re.search(r'<blockquote>.*?<pre><code>(<span class="line">)?grep -r', notes, re.DOTALL)
    assert "<del>weekly</del>" in notes
    tables = documents[ESSAYS["tables-and-math.markdown"]]
    assert "<caption>Replies by month, 2019</caption>" in tables
    assert '<td class="align-right">54</td>' in tables
    assert re.search(r"<dt>(<span [^>]*/>)?Workshop</dt>", tables)
    assert "<dd>A definition written pandoc\u2019s compact way.</dd>" in tables
    assert re.search(r'<div class="aside">\s*<h2[^>]*>Why the pilot is left out</h2>', tables)
    assert re.search(r'<div class="small">\s*<p id="e\d+-p\d+">Its replies', tables)
    assert re.search(r'<td>Main<a class="noteref"', tables)  # a call in a table cell
    assert re.search(r'<aside class="note" id="e3-fn3".*?<table>.*?</aside>', tables, re.DOTALL)
    assert re.search(r'<figure [^>]*><img alt="The February workshop"', tables)
    assert tables.count("<math") == 4  # two in the text, two in a table
    assert 'alttext="r = \\frac{n}{w}"' in tables
    assert "$5 for the first session and $10 for the second" in tables
    assert re.search(r"paying\s+\$20 for the pair", tables)
    assert re.search(r'the protocol</a><a class="noteref"', tables)  # no link in a link
    afterword = documents[ESSAYS["afterword.md"]]
    assert afterword.count(">Afterword</h1>") == 1  # the file's `# Afterword` is its title
    assert "a backslash<br />" in afterword and "<!--" not in afterword
    assert "Write *stars* as stars and snake_case_names as they are." in afterword
    assert re.search(r'<blockquote>\s*<p id="e\d+-p\d+">Three things we learned:</p>\s*<ol>',
                     afterword)


def test_notes_keep_their_blocks_in_the_pdf(authors_build: dict[str, Any]) -> None:
    pages = authors_build["pages"]
    # WeasyPrint paints a list's outside markers after the page's other text, so pypdf
    # reads them at the end of the page: each note's markers are looked for between the
    # note's first words and the page's end, its blocks' words in order from there.
    plan = next(p for p in pages if "1 The plan was written in January" in p)
    plan = plan[plan.index("1 The plan was written in January"):]
    for words_in_order in ("the monthly newsletter the online forum, which nobody used",
                           "One participant put it plainly: I don’t want another website.",
                           "The spreadsheet we kept looked like this: week,replies 1,12 2,30"):
        assert words_in_order in plan
    assert "1. 2." in plan
    where = next(p for p in pages if "1 Where the notes go depends" in p)
    where = where[where.index("1 Where the notes go depends"):]
    assert "The facilitator decides, and the folder is the default, or Zotero." in where
    assert "signed consent forms the attendance sheet And code: ls shared/" in where
    assert where.count("\u2022") == 2
    # The body's list that starts at 2 keeps its numbers in print too.
    april = next(p for p in pages if "The second was in April" in p)
    assert "2. 3." in april[april.index("The second was in April"):]


def test_code_blocks_share_pages_with_the_text(authors_build: dict[str, Any]) -> None:
    """Essay 2 (two pages of text and code) takes two pages: no block of code, nor the
    paragraph after one, is pushed onto a page of its own; no wrap arrow is text."""
    pages = authors_build["pages"]
    first = next(i for i, p in enumerate(pages) if "Essay 2" in p)
    third = next(i for i, p in enumerate(pages) if "Essay 3" in p)
    assert third - first == 2, pages[first:third]
    assert "\u2192" not in " ".join(pages)


@pytest.mark.parametrize("source", list(ESSAYS))
def test_every_word_of_pandocs_plain_text_is_in_the_epub(
        authors_build: dict[str, Any], source: str) -> None:
    plain = pandoc_plain(FIXTURES / "authors" / "essays" / source)
    # pandoc's plain writer prints a table's caption under the table ("  : Caption"); HTML
    # puts <caption> first in its table, as pandoc's own HTML writer does. The caption is
    # compared on its own, the rest in order.
    captions = re.findall(r"^  : (.*)$", plain, flags=re.MULTILINE)
    plain = re.sub(r"^  : .*$", "", plain, flags=re.MULTILINE)
    text = visible_text(authors_build["documents"][ESSAYS[source]])
    assert missing_in_order(words(plain), text) == []
    for caption in captions:
        assert missing_in_order(words(caption), text) == [], caption


@pytest.mark.parametrize("source", list(ESSAYS))
def test_every_word_of_pandocs_plain_text_is_in_the_pdf(
        authors_build: dict[str, Any], source: str) -> None:
    plain = pandoc_plain(FIXTURES / "authors" / "essays" / source)
    # pandoc puts the notes after the body ("[1] ..."); the PDF sets each at the foot of the
    # page that calls it, inside the body's run. The body is compared as one sequence (the
    # notes' words in between are skipped) and each note as its own.
    body, *notes = re.split(r"^\[\d+\] ", plain, flags=re.MULTILINE)
    # The caption, as in the EPUB, comes before its table in the PDF; a figure (pandoc's
    # "[caption]" line) may float below the text after it to fill a page, as a typesetter
    # floats it: both are compared on their own.
    captions = re.findall(r"^  : (.*)$", body, flags=re.MULTILINE)
    captions += re.findall(r"^\[(.*)\]$", body, flags=re.MULTILINE)
    body = re.sub(r"^  : .*$|^\[.*\]$", "", body, flags=re.MULTILINE)
    text = " ".join(authors_build["pages"])
    assert missing_in_order(words(body), text) == []
    for part in notes + captions:
        assert missing_in_order(words(part), text) == [], part


def test_check_lists_the_same_warnings(tmp_path: Path) -> None:
    root = tmp_path / "authors"
    shutil.copytree(FIXTURES / "authors", root)
    result = run_cli("check", root)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    printed = [line for line in result.output.splitlines()  # type: ignore[attr-defined]
               if ": warning:" in line or ": error:" in line]
    assert printed == WARNINGS
