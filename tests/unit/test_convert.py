"""Markdown to XHTML fragments: notes, figures, quotations, links, headings, raw HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from qlabbook.markdown.convert import convert_collection
from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.model import Essay, EssaySource, Metadata, Options


def source(body: str, number: int = 1, name: str = "01-a.md") -> EssaySource:
    return EssaySource(path=Path("essays") / name, number=number, slug=Path(name).stem,
                       title=f"Essay {number}", body=body, body_line=5)


def convert(tmp_path: Path, *sources: EssaySource) -> tuple[list[Essay], Diagnostics]:
    diagnostics = Diagnostics()
    collection = convert_collection(tmp_path, Metadata(title="T"), Options(), list(sources),
                                    diagnostics)
    return list(collection.essays), diagnostics


def parse(html: str) -> ET.Element:
    return ET.fromstring(f"<div>{html}</div>")


def test_notes_are_numbered_by_first_call_not_by_label_or_definition(tmp_path: Path) -> None:
    body = "A.[^z] B.[^a] C.[^z]\n\n[^a]: Alpha.\n[^z]: Zulu.\n"
    [essay], _ = convert(tmp_path, source(body))
    calls = re.findall(r'<qlab-note n="(\d+)" call="(\d+)">', essay.body_html)
    assert calls == [("1", "1"), ("2", "1"), ("1", "2")]
    assert [(n.number, n.label, n.calls) for n in essay.footnotes] == [(1, "z", 2), (2, "a", 1)]
    assert essay.footnotes[0].html == "<p>Zulu.</p>"


def test_note_with_two_paragraphs_and_inline_markup(tmp_path: Path) -> None:
    body = "Text.[^1]\n\n[^1]: First *part*.\n\n    Second part.\n\nAfter the note.\n"
    [essay], _ = convert(tmp_path, source(body))
    assert essay.footnotes[0].html == "<p>First <em>part</em>.</p>\n<p>Second part.</p>"
    assert "After the note." in essay.body_html


def test_undefined_and_unused_notes_are_reported_at_their_lines(tmp_path: Path) -> None:
    """An undefined call is printed as written, as pandoc does, with a warning."""
    body = "Line one.\n\nCalls [^missing].\n\n[^spare]: Never called.\n"
    [essay], diagnostics = convert(tmp_path, source(body))
    assert essay.body_html == '<p id="e1-p1">Line one.</p>\n<p id="e1-p2">Calls [^missing].</p>'
    lines = [d.format().splitlines()[0] for d in diagnostics.items]
    assert "essays/01-a.md:7: warning: footnote [^missing] is referenced but never defined " \
           "[M101]" in lines
    assert "essays/01-a.md:9: warning: footnote [^spare] is defined but never referenced " \
           "[M102]" in lines


def test_lone_image_becomes_figure_with_caption_and_credit(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "p.png")
    body = '![Alt words](../images/p.png "The caption"){ credit="Ann Photographer" }\n'
    [essay], _ = convert(tmp_path, source(body))
    figure = parse(essay.body_html).find("figure")
    assert figure is not None and figure.get("class") == "figure"
    image = figure.find("img")
    assert image is not None
    assert image.attrib == {"src": "images/p.png", "alt": "Alt words"}  # no credit=, no title=
    caption = figure.find("figcaption")
    assert caption is not None
    assert "".join(caption.itertext()) == "The caption. Photo: Ann Photographer."
    assert essay.figures[0].credit == "Ann Photographer"
    assert (essay.figures[0].width, essay.figures[0].height) == (30, 20)


def test_a_figure_never_takes_an_id_the_author_gave(tmp_path: Path) -> None:
    """`{#fig1}` on an image is e1-fig1, the id the first figure would be given: the
    figure gets another, so no id is defined twice (WeasyPrint: "Anchor defined twice")."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "p.png")
    body = ("![One](../images/p.png){#fig1}\n\n![Two](../images/p.png)\n\n"
            "## Fig3\n\n![Three](../images/p.png)\n\nSee [the first](#fig1).\n")
    [essay], _ = convert(tmp_path, source(body))
    found = [element.get("id") for element in parse(essay.body_html).iter()
             if element.get("id")]
    assert len(found) == len(set(found))
    assert [figure.anchor for figure in essay.figures] == [
        "e1-fig1-figure", "e1-fig2", "e1-fig3-figure"]
    assert '<img alt="One" id="e1-fig1"' in essay.body_html
    assert '<a href="#e1-fig1">the first</a>' in essay.body_html


def test_quotation_with_attribution(tmp_path: Path) -> None:
    body = "> It helped.\n>\n> — Lab participant, 2019\n"
    [essay], _ = convert(tmp_path, source(body))
    figure = parse(essay.body_html).find("figure")
    assert figure is not None and figure.get("class") == "quotation"
    assert figure.find("blockquote/p").text == "It helped."  # type: ignore[union-attr]
    # The last two words are bound: "2019" never ends the attribution alone on a line.
    assert figure.find("figcaption").text == "\u2014\u2009Lab participant,\u00a02019"  # type: ignore[union-attr]


def test_smart_punctuation_and_existing_characters_survive(tmp_path: Path) -> None:
    body = "\"Quoted\" -- it's £8 – café — done.\n"
    [essay], _ = convert(tmp_path, source(body))
    assert essay.body_html == \
        '<p id="e1-p1">\u201cQuoted\u201d \u2013 it\u2019s £8 – café — done.</p>'


def test_links_between_essays_become_book_anchors(tmp_path: Path) -> None:
    first = source("## Start here\n\nSee [two](02-b.md) and [below](#start-here).\n")
    second = source("Back to [the start](01-a.md#start-here).\n", 2, "02-b.md")
    essays, _ = convert(tmp_path, first, second)
    assert 'href="#e2"' in essays[0].body_html
    assert 'href="#e1-start-here"' in essays[0].body_html
    assert 'href="#e1-start-here"' in essays[1].body_html
    assert [h.anchor for h in essays[0].headings] == ["e1-start-here"]


def test_link_to_missing_heading_is_an_error(tmp_path: Path) -> None:
    first = source("Text.\n")
    second = source("See [nothing](01-a.md#nowhere).\n", 2, "02-b.md")
    with pytest.raises(QlabbookError) as raised:
        convert(tmp_path, first, second)
    assert [d.code for d in raised.value.errors] == ["M202"]
    assert raised.value.errors[0].line == 5


def test_unsafe_raw_html_is_removed_with_a_warning(tmp_path: Path) -> None:
    body = ('Safe <em>em</em>.\n\n<script>alert("x")</script>\n\n'
            '<p onclick="steal()">Click <a href="javascript:evil()">me</a></p>\n')
    [essay], diagnostics = convert(tmp_path, source(body))
    assert "alert" not in essay.body_html and "onclick" not in essay.body_html
    assert "javascript" not in essay.body_html
    assert "<em>em</em>" in essay.body_html
    assert [(d.code, d.line) for d in diagnostics.warnings] == [
        ("M301", 7), ("M302", 9), ("M303", 9)]


def test_body_headings_start_at_level_two_with_unique_ids(tmp_path: Path) -> None:
    [essay], _ = convert(tmp_path, source("# Part\n\n## Sub\n\n# Part\n"))
    assert [(h.level, h.anchor) for h in essay.headings] == [
        (2, "e1-part"), (3, "e1-sub"), (2, "e1-part-2")]


def test_output_is_well_formed_xhtml_whatever_the_input(tmp_path: Path) -> None:
    body = "<div><p>unclosed <b>bold\n\nstray & ampersand < less\n\n<br>\n"
    [essay], _ = convert(tmp_path, source(body))
    parse(essay.body_html)  # raises if not well-formed


def test_heading_ids_never_take_the_templates_ids(tmp_path: Path) -> None:
    """The essay template uses e1-title, e1-notes and e1-fn1/e1-fnref1: headings whose text
    would give those ids get others, or the EPUB would hold duplicate ids."""
    [essay], _ = convert(tmp_path, source("## Title\n\n## Notes\n\n## fn1\n\n## fnref2-3\n"))
    assert [h.anchor for h in essay.headings] == [
        "e1-title-2", "e1-notes-2", "e1-section-fn1", "e1-section-fnref2-3"]


def test_a_backslash_at_the_end_of_a_line_is_a_hard_line_break(tmp_path: Path) -> None:
    body = ("A line\\\nbreaks here; `code\\` stays, and so does a \\\\\ndouble one.[^n]\n\n"
            "[^n]: In a note\\\ntoo. A last backslash\\\n")
    [essay], _ = convert(tmp_path, source(body))
    assert essay.body_html.startswith('<p id="e1-p1">A line<br />\nbreaks here; '
                                      "<code>code\\</code> stays, and so does a \\\ndouble one.")
    assert essay.footnotes[0].html == "<p>In a note<br />\ntoo. A last backslash\\</p>"


class MemoryStore:
    """Records kept in a dict, as the build's cache keeps them on disk."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, object]] = {}

    def get(self, key: str) -> dict[str, object] | None:
        return self.records.get(key)

    def put(self, key: str, record: dict[str, object]) -> None:
        self.records[key] = record


UNDESCRIBED = """A figure as blogs write it:

![](../images/p.png)

Inline ![](../images/p.png) and <img src="../images/p.png"> in raw HTML.[^n]

[^n]: A note with ![](../images/p.png) and ![described](../images/q.png).

    ![](../images/p.png "Alone in the note")
"""


def test_images_without_alt_text_are_warnings_at_each_line_and_remembered(
        tmp_path: Path) -> None:
    """Every image without alt text, in the text, raw HTML or a note, is shown and is one
    warning at its line (two on one line are one warning); the essay records them (the
    EPUB's and PDF's claims read that), and a remembered essay says so again."""
    from qlabbook.markdown.convert import convert_essays

    (tmp_path / "images").mkdir()
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "p.png")
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "q.png")
    store = MemoryStore()
    for _ in range(2):  # converted, then remembered
        diagnostics = Diagnostics()
        collection = convert_essays(tmp_path, Metadata(title="T"), Options(),
                                    [source(UNDESCRIBED)], diagnostics, store)
        assert [(d.code, d.severity.value, d.line) for d in diagnostics.items] == [
            ("I103", "warning", 7), ("I103", "warning", 9), ("I103", "warning", 11),
            ("I103", "warning", 13)]
        essay = collection.essays[0]
        assert essay.undescribed == ("images/p.png",) * 5
        assert essay.body_html.count('alt=""') == 3  # raw HTML's <img> gets the attribute
        assert essay.images == ("images/p.png",) * 3 + ("images/q.png",)  # each edition's
        notes = "".join(note.html for note in essay.footnotes)
        assert notes.count('src="images/p.png"') == 2 and 'src="images/q.png"' in notes
        assert 'id="e1-fig' not in notes  # figure ids are the text's
        assert [f.anchor for f in essay.figures] == ["e1-fig1"]
    assert len(store.records) == 1
