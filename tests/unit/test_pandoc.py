"""pandoc's extensions essayists use: pipe tables with alignment and captions, definition
lists, fenced divs, heading attributes, strikeout, superscripts and subscripts and smart
punctuation, on converted XHTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import convert_essay_body as convert
from helpers import xhtml_tree as tree

TABLE = "| Name | Count | Share |\n|:-----|------:|:-----:|\n| Alpha | 12 | half |\n"


def test_pipe_table_alignment_is_a_class_without_warnings(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, TABLE)
    assert problems == []
    table = tree(essay.body_html).find("table")
    assert table is not None
    assert [c.get("class") for c in table.iter() if c.tag in ("th", "td")] == [
        "align-left", "align-right", "align-center"] * 2
    assert "style" not in essay.body_html


@pytest.mark.parametrize("caption", ["Table: The *counts*", "table: The *counts*",
                                     ": The *counts*"])
@pytest.mark.parametrize("before", [True, False])
def test_table_caption_before_or_after(tmp_path: Path, caption: str, before: bool) -> None:
    body = f"{caption}\n\n{TABLE}" if before else f"{TABLE}\n{caption}\n"
    essay, problems = convert(tmp_path, body)
    assert problems == []
    body_tree = tree(essay.body_html)
    assert [child.tag for child in body_tree] == ["table"]
    assert ET.tostring(body_tree[0][0], encoding="unicode") == \
        "<caption>The <em>counts</em></caption>"


def test_table_caption_right_below_the_table(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, f"{TABLE}Table: No blank line\n")
    table = tree(essay.body_html).find("table")
    assert table is not None and table.findtext("caption") == "No blank line"
    assert len(table.findall("tbody/tr")) == 1


def test_colon_paragraph_after_a_paragraph_is_still_a_definition(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, "Term\n\n:   Its definition.\n\nTerm two\n  ~ Tilde form.\n")
    dl = tree(essay.body_html).find("dl")
    assert dl is not None
    assert [(e.tag, "".join(e.itertext()).strip()) for e in dl] == [
        ("dt", "Term"), ("dd", "Its definition."), ("dt", "Term two"), ("dd", "Tilde form.")]


def test_definition_with_several_blocks(tmp_path: Path) -> None:
    body = "Term\n\n:   First.\n\n        code\n\n    Second.\n"
    essay, _ = convert(tmp_path, body)
    dd = tree(essay.body_html).find("dl/dd")
    assert dd is not None and [c.tag for c in dd] == ["p", "pre", "p"]


def test_fenced_divs_nest_and_keep_their_classes(tmp_path: Path) -> None:
    body = ("::: {.aside #box}\nOuter *text*.\n\n::: warning\nInner.\n:::\n\nMore.\n:::\n\n"
            "After.\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    assert essay.body_html == ('<div class="aside">\n<p id="e1-p1">Outer <em>text</em>.</p>\n'
                               '<div class="warning">\n<p id="e1-p2">Inner.</p>\n</div>\n'
                               '<p id="e1-p3">More.</p>\n</div>\n<p id="e1-p4">After.</p>')


def test_unclosed_fence_stays_text_with_a_warning(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, "Text.\n\n::: note\nNever closed.\n")
    assert essay.body_html == '<p id="e1-p1">Text.</p>\n<p id="e1-p2">::: note\nNever closed.</p>'
    assert problems == ["essays/01-a.md:7: warning: fenced div '::: note' is never closed "
                        "[M108]"]


def test_heading_attributes_go_through_the_id_scheme(tmp_path: Path) -> None:
    body = "## Results {#2019-results .unnumbered}\n\nSee [them](#2019-results).\n"
    essay, problems = convert(tmp_path, body)
    assert problems == []
    assert essay.body_html == ('<h2 class="unnumbered" id="e1-2019-results">Results</h2>\n'
                               '<p id="e1-p1">See <a href="#e1-2019-results">them</a>.</p>')
    assert [h.anchor for h in essay.headings] == ["e1-2019-results"]


@pytest.mark.parametrize(("written", "valid"), [
    ("section:main-start", "section-main-start"), ("fig:1.2", "fig-1.2"),
    ("sec:a/b", "sec-a-b"), ("eq:(1)", "eq-1"), ("Ünïcode:ok", "Ünïcode-ok"), (":only:", "only")])
def test_an_invalid_heading_id_is_kept_rewritten_with_its_links(
        tmp_path: Path, written: str, valid: str) -> None:
    """An id valid in HTML but not as an XML id (pandoc-crossref's `sec:intro`) is kept,
    made valid; every link to it, inline or by reference, is rewritten the same way."""
    body = (f"# Main {{#{written}}}\n\nSee [it](#{written}) and [again][r].\n\n"
            f"[r]: #{written}\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    body_tree = tree(essay.body_html)
    assert body_tree[0].get("id") == f"e1-{valid}"
    assert [a.get("href") for a in body_tree.iter("a")] == [f"#e1-{valid}"] * 2
    assert [h.anchor for h in essay.headings] == [f"e1-{valid}"]


def test_rewritten_ids_never_collide_with_the_authors_or_the_texts(tmp_path: Path) -> None:
    """`#a:b` made valid is `a-b`, which another heading already has (written so, or made
    from its text): each link still leads to the heading it names."""
    body = ("# One {#a:b}\n\n# A b\n\n# Two {#a-b}\n\n"
            "[1](#a:b) [2](#a-b) [3](#a%3Ab)\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    body_tree = tree(essay.body_html)
    headings = {h.text: h.get("id") for h in body_tree if h.tag == "h2"}
    assert headings == {"Two": "e1-a-b", "One": "e1-a-b-2", "A b": "e1-a-b-3"}
    links = {a.text: a.get("href") for a in body_tree.iter("a")}
    assert links == {"1": "#e1-a-b-2", "2": "#e1-a-b", "3": "#e1-a-b-2"}


def test_a_raw_html_headings_invalid_id_is_rewritten(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, "<h2 id=\"x:y\">Raw</h2>\n\n[raw](#x:y)\n")
    assert problems == []
    assert tree(essay.body_html)[0].get("id") == "e1-x-y"
    assert 'href="#e1-x-y"' in essay.body_html


def test_heading_dash_attribute_is_unnumbered(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, "## Intro {-}\n")
    assert problems == []
    assert essay.body_html == '<h2 class="unnumbered" id="e1-intro">Intro</h2>'


def test_strikeout_and_smart_punctuation(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, "It's ~~gone~~ -- \"quoted\" --- done...\n")
    assert essay.body_html == \
        '<p id="e1-p1">It\u2019s <del>gone</del> \u2013 \u201cquoted\u201d \u2014 done\u2026</p>'


def test_superscripts_and_subscripts_as_pandoc_reads_them(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, (
        "a^bc^d a^*hello*^ a^hello\\ there^, H~2~O, H~many\\ of\\ them~O.\n\n"
        "Not: 2^10, ~approx 3~, ~~struck~~, `a^b^`, calls[^1][^2] and ^[inline].\n\n"
        "[^1]: One.\n[^2]: Two.\n"))
    assert problems == []
    first, second = essay.body_html.split("\n")
    assert first == ('<p id="e1-p1">a<sup>bc</sup>d a<sup><em>hello</em></sup> '
                     "a<sup>hello\u00a0there</sup>, "
                     "H<sub>2</sub>O, H<sub>many\u00a0of\u00a0them</sub>O.</p>")
    assert "<sup>" not in second and "<sub>" not in second
    assert "2^10, ~approx 3~, <del>struck</del>, <code>a^b^</code>" in second
    assert len(essay.footnotes) == 3


def test_table_in_a_note_keeps_alignment_and_caption(tmp_path: Path) -> None:
    body = "Text.[^t]\n\n[^t]: A table:\n\n    " + TABLE.replace("\n", "\n    ") + \
        "\n    Table: In the note\n"
    essay, problems = convert(tmp_path, body)
    assert problems == []
    note = tree(essay.footnotes[0].html)
    assert note.findtext("table/caption") == "In the note"
    assert note.find("table/thead/tr/th").get("class") == "align-left"  # type: ignore[union-attr]


SIMPLE = """  Right     Left     Center     Default
-------     ------ ----------   -------
     12     12        12            12
    123     123       123          123
      1     1          1             1
"""


def cell_classes(table: ET.Element, tag: str) -> list[str | None]:
    return [c.get("class") for c in table.iter(tag)]


@pytest.mark.parametrize(("before", "caption"), [
    ("", ""), ("", "\nTable:  Demonstration of *simple* tables.\n"),
    ("Table: Demonstration of *simple* tables.\n\n", "")])
def test_simple_table_takes_alignment_from_its_header(tmp_path: Path, before: str,
                                                      caption: str) -> None:
    """pandoc's manual's example: each column aligned by where its header sits over its
    dashes; a caption above or below it is its caption."""
    essay, problems = convert(tmp_path, before + SIMPLE + caption)
    assert problems == []
    body = tree(essay.body_html)
    assert [child.tag for child in body] == ["table"]
    table = body[0]
    assert [th.text for th in table.iter("th")] == ["Right", "Left", "Center", "Default"]
    assert [[td.text for td in tr] for tr in table.findall("tbody/tr")] == [
        ["12"] * 4, ["123"] * 4, ["1"] * 4]
    assert cell_classes(table, "th") == ["align-right", "align-left", "align-center", None]
    assert cell_classes(table, "td")[:4] == cell_classes(table, "th")
    if caption or before:
        assert "".join(table[0].itertext()) == "Demonstration of simple tables."


def test_an_indented_simple_table_is_a_table_not_code(tmp_path: Path) -> None:
    """pandoc's test suite's table indented two spaces: its right-aligned header starts
    four spaces in, which is indented code to Markdown, but pandoc reads tables first."""
    indented = "".join("  " + line + "\n" for line in SIMPLE.splitlines())
    essay, problems = convert(tmp_path, indented + "\n  :  Demonstration of simple tables.\n")
    assert problems == []
    body = tree(essay.body_html)
    assert [child.tag for child in body] == ["table"]
    assert cell_classes(body[0], "th") == ["align-right", "align-left", "align-center", None]
    assert body[0].findtext("caption") == "Demonstration of simple tables."
    code, _ = convert(tmp_path, "    Right     Left\n    -----     ----\n")
    assert [child.tag for child in tree(code.body_html)] == ["pre"]  # dashes indented too


def test_simple_table_without_a_header_is_closed_by_dashes(tmp_path: Path) -> None:
    body = ("-------     ------ ----------   -------\n"
            "     12     12        12             12\n"
            "    123     *123*     123           123\n"
            "-------     ------ ----------   -------\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    table = tree(essay.body_html).find("table")
    assert table is not None and table.find("thead") is None
    assert cell_classes(table, "td")[:4] == [
        "align-right", "align-left", "align-center", "align-right"]
    assert ET.tostring(table.findall("tbody/tr")[1][1], encoding="unicode").strip() == \
        '<td class="align-left"><em>123</em></td>'


@pytest.mark.parametrize(("body", "tags"), [
    ("Heading\n-------\n", ["h2"]), ("- - -\n", ["hr"]), ("-- item\n", ["p"]),
    ("Text\n\n--- ---\n", ["p", "hr"])])
def test_what_only_looks_like_a_simple_table_is_not_one(
        tmp_path: Path, body: str, tags: list[str]) -> None:
    essay, _ = convert(tmp_path, body)
    assert [child.tag for child in tree(essay.body_html)] == tags


def test_a_figure_read_as_pandoc_reads_it_is_captioned_by_its_description(
        tmp_path: Path) -> None:
    """pandoc's and Quarto's implicit figures: an image without a title is captioned by its
    description (its alt text); one with a title by the title, as qlabbook captions every
    figure; a CommonMark essay's image without a title has no caption."""
    from PIL import Image

    from qlabbook.markdown.convert import convert_essays
    from qlabbook.source.diagnostics import Diagnostics
    from qlabbook.source.model import EssaySource, Metadata, Options

    (tmp_path / "essays").mkdir()
    Image.new("RGB", (40, 30)).save(tmp_path / "essays" / "quay.png")
    body = '![The quay at first light](quay.png)\n\n![Described](quay.png "On the quay")\n'
    found = {}
    for reading in ("pandoc", "commonmark"):
        source = EssaySource(path=Path("essays/01-a.md"), number=1, slug="01-a", title="A",
                             body=body, body_line=5, markdown=reading)  # type: ignore[arg-type]
        collection = convert_essays(tmp_path, Metadata(title="T"), Options(), [source],
                                    Diagnostics())
        figures = tree(collection.essays[0].body_html).findall("figure")
        found[reading] = [("".join(f.find("figcaption").itertext())  # type: ignore[union-attr]
                           if f.find("figcaption") is not None else "",
                           f.find("img").get("title")) for f in figures]  # type: ignore[union-attr]
    assert found["pandoc"] == [("The quay at first light.", None), ("On the quay.", None)]
    assert found["commonmark"] == [("", None), ("On the quay.", None)]
