"""An essay written with pandoc's other block forms (multiline and grid tables with captions,
a pipe table with a short delimiter row, fancy and example lists, math environments without
dollars) builds without a traceback: the EPUB and the PDF print every word of pandoc's plain
text in its order, the EPUB passes EPUBCheck, and the one guess is one located warning."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from helpers import (
    build_one_essay,
    epub_documents,
    epubcheck,
    missing_in_order,
    page_texts,
    pandoc_plain,
    visible_text,
    words,
)

ESSAY = r"""---
title: Blocks
number: 1
---

A multiline table of trials follows.

-------------------------------------------------------------
 Centred    Default           Right Left
  Header    Aligned         Aligned Aligned
----------- ------- --------------- -------------------------
   First    trial              12.0 Example of a trial that
                                    spans several lines.

  Second    trial               5.0 Another one, with the
                                    blank line between rows.
-------------------------------------------------------------

Table: Trials by centre, across
two caption lines.

: Fruit and their advantages.

+---------------+---------------+--------------------+
| Fruit         | Price         | Advantages         |
+==============:+:==============+:==================:+
| Bananas       | cheap         | - wrapper built in |
|               |               | - bright colour    |
+---------------+---------------+--------------------+
| Oranges       | dearer        | cures scurvy       |
+---------------+---------------+--------------------+

| Name | Count | Lost |
|:-----|------:|
| Alpha | twelve | gone |

The steps were these:

(1) gather the samples
(2) weigh them

3) dry them
4) weigh again

#. record the change
#. repeat the trial

(@) A first example sentence.
(@wet) A wet example sentence.

As (@wet) shows, wet samples weigh more.

(@) A third example, numbered on.

\begin{aligned}
a &= b + c \\
d &= e
\end{aligned}

The end of the essay.
"""

CONFIG = """[collection]
title = "Pandoc Blocks"
authors = ["Ada Author"]
language = "en-GB"
identifier = "urn:uuid:3d1c6a52-1f0e-4b8e-9a55-2f7a0c9e6b21"
date = 2020-03-01
"""

WARNINGS = ["essays/01-blocks.md:33: warning: the table's delimiter row has 2 cells and its "
            "header 3: the cells beyond column 2 are left out, as pandoc leaves them [M111]"]
CAPTION = re.compile(r"^ *: (.*)$", re.MULTILINE)
# pandoc's plain writer draws multiline and grid tables as text, cells side by side, so a
# cell of two lines interleaves with its neighbours': a table's words are compared as a
# whole, the rest of the text in order.
DRAWN_TABLE = re.compile(r"^(  -{3,}\n(?:.*\n)*?  -{3,}\n|\+[-+]+\n(?:.*\n)*?\+[-+]+\n)(?=\n)",
                         re.MULTILINE)


@pytest.fixture(scope="module")
def blocks_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("blocks")
    out, warnings = build_one_essay(root, CONFIG, "01-blocks.md", ESSAY)
    essay = root / "essays" / "01-blocks.md"
    assert warnings == WARNINGS
    plain = CAPTION.sub("", pandoc_plain(essay))
    return {"pdf": out / "pandoc-blocks.pdf", "epub": out / "pandoc-blocks.epub",
            "captions": CAPTION.findall(pandoc_plain(essay)),
            "tables": DRAWN_TABLE.findall(plain), "plain": DRAWN_TABLE.sub("", plain)}


def assert_words_of_pandoc(build: dict[str, Any], text: str) -> None:
    """Every word of pandoc's plain text in order; its captions (printed under their tables
    by pandoc, above them in HTML and print) and its drawn tables each on their own."""
    assert len(words(build["plain"])) > 40 and len(build["tables"]) == 2
    assert missing_in_order(words(build["plain"]), text) == []
    for table in build["tables"]:
        assert Counter(words(table)) - Counter(words(text)) == Counter(), table
    assert len(build["captions"]) == 2
    for caption in build["captions"]:
        assert missing_in_order(words(caption), text) == [], caption


@pytest.mark.slow
def test_epub_has_every_word_of_pandocs_plain_text(blocks_build: dict[str, Any]) -> None:
    xhtml = epub_documents(blocks_build["epub"])["EPUB/01-blocks.xhtml"]
    assert_words_of_pandoc(blocks_build, visible_text(xhtml))
    assert '<td class="align-left">Example of a trial that\nspans several lines.</td>' in xhtml
    assert '<ol class="example two-parens" start="3">' in xhtml
    assert "As (2) shows" in xhtml and "<math" in xhtml
    for syntax in ("+---", "(@", "\\begin", "#.", "-----"):
        assert syntax not in visible_text(xhtml), syntax


@pytest.mark.slow
def test_pdf_has_every_word_of_pandocs_plain_text(blocks_build: dict[str, Any]) -> None:
    text = " ".join(page_texts(blocks_build["pdf"]))
    assert_words_of_pandoc(blocks_build, text)
    assert "As (2) shows" in text
    assert "\\begin" not in text


@pytest.mark.slow
@pytest.mark.external
def test_blocks_epub_passes_epubcheck(blocks_build: dict[str, Any]) -> None:
    assert epubcheck(blocks_build["epub"]) == []
