"""A collection written with pandoc's forms (notes with blocks, inline notes, reference
links, captioned and aligned tables, definition lists, fenced divs, heading attributes,
strikeout) builds: the EPUB keeps notes' blocks as blocks and passes EPUBCheck, the PDF
prints every word with bullets and numbers in its notes, and no syntax survives as text."""

from __future__ import annotations

import re
from typing import Any

import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli

ESSAY = """---
title: Forms
number: 1
---

A paragraph with a long note.[^long] An inline note.^[Inline *words* with a [reference][ref].]
A call inside a link: [see this[^short]](https://example.org/page) then text.

## Results {#2019-results .unnumbered}

| Name | Count | Share |
|:-----|------:|:-----:|
| Alpha | 12 | half |

Table: Counts by *name*

Go to [the results](#2019-results), [ref] or [the same][] ~~struck~~.

[the same]: https://example.org/same

::: {.aside}
A fenced div.

::: inner
A nested div.
:::
:::

Term
  ~ A definition.

[^long]: The note's first paragraph
continues lazily here.

    A second paragraph of the note.

    - first bullet
    - second bullet

    3. third item
    4. fourth item

    > A quoted line in the note.

    ```
    code_in_the_note()
    ```

   [^short]: Short note, indented three spaces.

[ref]: https://example.org/ref
"""

# The slips pandoc forgives: each a warning at its line, printed as pandoc would print it.
SLIPS = """---
title: Slips
number: 2
---

Undefined[^nope] and a note[^a].

[^a]: First paragraph.

    Second calls[^b] and ^[an inline one].

[^b]: The other note.

::: never
Unclosed.
"""
SLIP_WARNINGS = [
    "essays/02-slips.md:6: warning: footnote [^nope] is referenced but never defined [M101]",
    "essays/02-slips.md:10: warning: footnote [^a] calls another footnote [M104]",
    "essays/02-slips.md:14: warning: fenced div '::: never' is never closed [M108]",
]

CONFIG = """[collection]
title = "Pandoc Forms"
authors = ["Ada Author"]
language = "en-GB"
identifier = "urn:uuid:0b0e2f7c-52a4-4c1e-8a34-9d3f1c2b7a11"
date = 2020-03-01
"""

SYNTAX = ["[^", "^[", "~~", ":::", "Table:", "{#", "][", "```"]


@pytest.fixture(scope="module")
def forms_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("forms")
    (root / "essays").mkdir()
    (root / "qlabbook.toml").write_text(CONFIG)
    (root / "essays" / "01-forms.md").write_text(ESSAY)
    (root / "essays" / "02-slips.md").write_text(SLIPS)
    out = root / "out"
    result = run_cli("build", root, "--out", out)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    warnings = [line for line in result.stderr.splitlines()  # type: ignore[attr-defined]
                if not line.startswith("    hint:")]
    assert sorted(warnings) == sorted(SLIP_WARNINGS)
    return {"pdf": out / "pandoc-forms.pdf", "epub": out / "pandoc-forms.epub"}


@pytest.mark.slow
def test_epub_notes_keep_their_blocks(forms_build: dict[str, Any]) -> None:
    xhtml = epub_documents(forms_build["epub"])["EPUB/01-forms.xhtml"]
    note = re.search(r'<aside class="note" id="e1-fn1".*?</aside>', xhtml, re.DOTALL)
    assert note is not None
    for block in ("<ul>", '<ol start="3">', "<blockquote>", "<pre><code>"):
        assert block in note.group(0)
    assert "code_in_the_note()" in note.group(0)
    assert '<caption>Counts by <em>name</em></caption>' in xhtml
    assert '<td class="align-right">12</td>' in xhtml
    assert '<div class="aside">' in xhtml and '<div class="inner">' in xhtml
    assert "<del>struck</del>" in xhtml and "<dd>A definition.</dd>" in xhtml
    # The call after the link, not inside it; the heading id through the id scheme.
    assert re.search(r'see this</a><a class="noteref"[^>]*>3</a>', xhtml)
    assert 'href="#e1-2019-results"' in xhtml
    text = re.sub(r"<[^>]+>", "", xhtml)
    assert not [s for s in SYNTAX if s in text]


@pytest.mark.slow
def test_slips_are_printed_as_pandoc_prints_them(forms_build: dict[str, Any]) -> None:
    xhtml = epub_documents(forms_build["epub"])["EPUB/02-slips.xhtml"]
    assert "Undefined[^nope] and a note" in xhtml
    assert "Second calls<span>(The other note.)</span> and <span>(an inline one)</span>." \
        in xhtml
    assert "::: never" in xhtml


@pytest.mark.slow
def test_pdf_prints_notes_with_bullets_and_numbers(forms_build: dict[str, Any]) -> None:
    pages = page_texts(forms_build["pdf"])
    text = " ".join(pages)
    words = ["paragraph with a long note.1", "inline note.2", "see this3 then text.",
             "Counts by name", "Alpha 12 half", "the results, ref or the same struck.",
             "A fenced div.", "A nested div.",
             "The note’s first paragraph continues lazily here.",
             "A second paragraph of the note.", "first bullet", "second bullet",
             "third item", "fourth item", "A quoted line in the note.", "code_in_the_note()",
             "Inline words with a reference.", "Short note, indented three spaces."]
    positions = [text.find(w) for w in words]
    assert -1 not in positions, [w for w, p in zip(words, positions, strict=True) if p < 0]
    assert not [s for s in SYNTAX if s in text[:text.index("Undefined")]]  # essay 1
    # List markers are drawn as text: bullets and the numbers from 3.
    assert text.count("\u2022") >= 2
    assert "3. 4." in text


@pytest.mark.slow
@pytest.mark.external
def test_forms_epub_passes_epubcheck(forms_build: dict[str, Any]) -> None:
    assert epubcheck(forms_build["epub"]) == []
