"""Page starts found in a real WeasyPrint layout, and markers placed in EPUB XHTML."""

from __future__ import annotations

import pytest

from qlabbook.epub.pagelist import add_markers, marker_id
from qlabbook.markdown.units import AlignmentError, PageMap, PageStart
from qlabbook.typeset.document import shipped_font_configuration
from qlabbook.typeset.pagemap import advance, flow_leaves, page_map

ESSAY = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en">
<head><title>T</title></head>
<body>
<section class="essay" id="e1">
  <header><h1>Title</h1></header>
<p>One two<a class="noteref" epub:type="noteref" href="#e1-fn1">1</a> three <em>four five</em>
six.</p>
<ul><li>Item text here.</li></ul>
<section class="notes"><aside id="e1-fn1"><p>Note text.</p></aside></section>
</section>
</body>
</html>
"""
TEXTS = {"e1": ["Title", "Onetwothreefourfivesix.", "Itemtexthere."]}
def folios(count: int) -> list[str]:
    return [str(n) for n in range(1, count + 1)]


MARK = '<span epub:type="pagebreak" role="doc-pagebreak" id="page-{0}" aria-label="{0}" />'


def marked(*starts: PageStart) -> str:
    return add_markers(ESSAY, ["e1"], PageMap(starts, TEXTS))


def test_advance_passes_over_white_space_and_inserted_hyphens() -> None:
    text = "Onetwothreefourfivesix."
    assert advance(text, 0, "One two thr\u2010") == len("Onetwothr")
    assert advance(text, len("Onetwothr"), "ee four") == len("Onetwothreefour")


def test_a_page_opening_an_essay_is_marked_before_its_heading() -> None:
    xhtml = marked(PageStart("7", "e1", 0, 0), PageStart("8", "e1", 0, 0))
    assert f'<section class="essay" id="e1">{MARK.format(7)}{MARK.format(8)}\n  <header>' \
        in xhtml


def test_a_page_starting_a_paragraph_is_marked_before_it() -> None:
    assert f"{MARK.format(9)}<p>One two" in marked(PageStart("9", "e1", 1, 0))


def test_a_page_starting_inside_a_paragraph_skips_note_calls() -> None:
    xhtml = marked(PageStart("9", "e1", 1, len("Onetwo")))
    assert f'href="#e1-fn1">1</a> {MARK.format(9)}three' in xhtml


def test_a_page_starting_inside_a_word_is_marked_after_the_word() -> None:
    xhtml = marked(PageStart("9", "e1", 1, len("Onetwothreefourfi")))
    assert f"<em>four five{MARK.format(9)}</em>\nsix." in xhtml


def test_a_page_starting_in_a_list_item_is_marked_inside_it() -> None:
    assert f"<li>{MARK.format(9)}Item text here.</li>" in marked(PageStart("9", "e1", 2, 0))


def test_different_text_is_refused() -> None:
    with pytest.raises(AlignmentError):
        add_markers(ESSAY, ["e1"], PageMap((), {"e1": ["Title", "Other", "Itemtexthere."]}))


def test_page_map_follows_a_real_layout() -> None:
    """Tiny pages: each holds a few lines, so pages start inside paragraphs; the note floats
    to the page foot and must not count."""
    from weasyprint import CSS, HTML

    fonts = shipped_font_configuration()  # as every render: the same fonts on any machine
    words = " ".join(f"word{n}" for n in range(1, 120))
    source = (f'<html><body><section class="essay" id="e1"><h1>Title</h1>'
              f'<p>{words}<span class="footnote">A note.</span> end.</p></section></body></html>')
    html = HTML(string=source)
    css = CSS(string="@page { size: 60mm 40mm; margin: 5mm } body { font-size: 10pt }"
                     ".footnote { float: footnote }", font_config=fonts)
    document = html.render(stylesheets=[css], font_config=fonts)
    found = page_map(document.pages, folios(len(document.pages)))
    assert len(document.pages) > 3
    assert [s.label for s in found.starts] == folios(len(document.pages))
    text = found.texts["e1"][1]
    assert "Anote" not in text
    *flowing, last = found.starts[1:]
    for start in flowing:
        page = document.pages[int(start.label) - 1]
        first_line = next(flow_leaves(page._page_box)).text
        assert start.unit == 1
        assert text[start.offset:].startswith(first_line.split()[0])
    if not list(flow_leaves(document.pages[-1]._page_box)):
        # The last page holds only the end of the note: it is marked after the last word.
        assert (last.unit, last.offset) == (1, len(text))
    else:
        first_line = next(flow_leaves(document.pages[-1]._page_box)).text
        assert text[last.offset:].startswith(first_line.split()[0])
    assert f"end.{MARK.format(9)}</p>" in add_markers(
        ESSAY.replace("six.", "six. end."), ["e1"],
        PageMap((PageStart("9", "e1", 1, len("Onetwothreefourfivesix.end.")),),
                {"e1": ["Title", "Onetwothreefourfivesix.end.", "Itemtexthere."]}))


def test_print_only_pages_and_the_blank_behind_them_are_left_out() -> None:
    from weasyprint import CSS, HTML

    fonts = shipped_font_configuration()
    source = ('<html><body><section class="cover"><p>Cover art</p></section>'
              '<section class="title-page"><h1>Book</h1></section>'
              '<section class="essay" id="e1"><h1>Title</h1><p>Text.</p></section>'
              '</body></html>')
    css = CSS(string="@page { size: 120mm 90mm; margin: 5mm } section { break-before: page }"
                     ".title-page { break-before: right }", font_config=fonts)
    document = HTML(string=source).render(stylesheets=[css], font_config=fonts)
    labels = ["Cover", "Inside cover", "i", *map(str, range(1, len(document.pages) - 2))]
    found = page_map(document.pages, labels)
    assert [(s.label, s.scope) for s in found.starts][:2] == [("i", "title-page"), ("1", "e1")]


def test_marker_ids_are_xml_names() -> None:

    assert [marker_id(label) for label in ("7", "iv", "Inside cover")] == [
        "page-7", "page-iv", "page-Inside-cover"]
