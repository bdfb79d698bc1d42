"""Footnotes made by hand in HTML become the essay's notes where the pattern is plain, with
one located warning when a reading is a guess; otherwise every anchor the author wrote is
kept, and links to it lead there."""

from __future__ import annotations

from pathlib import Path

import pytest

from qlabbook.markdown.convert import convert_essays
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Essay, EssaySource, Metadata, Options


def essay(body: str, number: int = 1, name: str = "01-a.md") -> EssaySource:
    return EssaySource(path=Path("essays") / name, number=number, slug=name[3:-3],
                       title=f"Essay {number}", body=body, body_line=5)


def convert(*sources: EssaySource) -> tuple[list[Essay], list[str]]:
    diagnostics = Diagnostics()
    collection = convert_essays(Path("."), Metadata(title="T"), Options(), list(sources),
                                diagnostics)
    return list(collection.essays), [d.format().split("\n")[0] for d in diagnostics.items]


CALLS = ('<p id="e1-p1">Text.<qlab-note n="1" call="1"></qlab-note> '
         'More.<qlab-note n="2" call="1"></qlab-note></p>')


@pytest.mark.parametrize("body", [
    # Jekyll posts: a Markdown link in <sup>, an <a name> opening each paragraph at the end.
    "Text.<sup>[1](#foot1)</sup> More.<sup>[2](#foot2)</sup>\n\n## Notes\n\n"
    '<a name="foot1"></a>1: First note.\n\n<a name="foot2"></a>2: Second note.\n',
    # An ordered list of ids with links back to the calls, under a rule.
    'Text.<sup id="ref1"><a href="#fn1">1</a></sup> More.<sup id="ref2"><a href="#fn2">2</a>'
    '</sup>\n\n<hr>\n\n<ol>\n<li id="fn1">First note. <a href="#ref1">↩</a></li>\n'
    '<li id="fn2">Second note. <a href="#ref2">&#8617;</a></li>\n</ol>\n',
    # A Markdown list of anchors; the number inside the anchor.
    "Text.<sup>[1](#n1)</sup> More.<sup>[2](#n2)</sup>\n\n"
    '1. <a name="n1"></a>First note.\n2. <a name="n2"></a>Second note.\n',
    "Text.<sup>[1](#n1)</sup> More.<sup>[2](#n2)</sup>\n\n"
    '<a name="n1">1</a>. First note.\n\n<a name="n2">[2]</a> Second note.\n',
    # The link around the superscript.
    'Text.<a href="#n1"><sup>1</sup></a> More.<a href="#n2"><sup>2</sup></a>\n\n'
    '<p id="n1"><sup>1</sup> First note.</p>\n<p id="n2"><sup>2</sup> Second note.</p>\n',
])
def test_hand_made_notes_become_the_essays_notes(body: str) -> None:
    [converted], messages = convert(essay(body))
    assert converted.body_html == CALLS
    assert [note.html for note in converted.footnotes] == ["<p>First note.</p>",
                                                           "<p>Second note.</p>"]
    assert messages == []


def test_notes_mixed_with_markdown_notes_are_numbered_together() -> None:
    body = ("One.[^a] Two.<sup>[2](#f2)</sup> One again.[^a]\n\n[^a]: Markdown note.\n\n"
            '<ol start="2"><li><a name="f2"></a><p>HTML note,</p><p>in two parts.</p></li></ol>\n')
    [converted], messages = convert(essay(body))
    assert converted.body_html == (
        '<p id="e1-p1">One.<qlab-note n="1" call="1"></qlab-note> Two.<qlab-note n="2" call="1">'
        '</qlab-note> One again.<qlab-note n="1" call="2"></qlab-note></p>')
    assert converted.footnotes[1].html == "<p>HTML note,</p><p>in two parts.</p>"
    assert messages == []


def test_a_guess_is_said_once_at_the_first_note_it_reads_so() -> None:
    body = ("Text.<sup>[1](#f1)</sup>\nMore.<sup>[3](#f2)</sup>\n\n"
            '<a name="f1"></a>1. First.\n\nIts second paragraph.\n\n<a name="f2"></a>2. Second.\n')
    [converted], messages = convert(essay(body))
    assert [note.html for note in converted.footnotes] == [
        "<p>First.</p><p>Its second paragraph.</p>", "<p>Second.</p>"]
    assert messages == [
        "essays/01-a.md:5: warning: 2 footnotes written in HTML were read as notes by a guess "
        "(the paragraph after #f1 taken as part of it; #f2 is numbered 2 but called 3) [M109]"]


@pytest.mark.parametrize("body", [
    # Two notes in one paragraph: which words are whose is not plain.
    'x<sup>[1](#a1)</sup> y<sup>[2](#a2)</sup>\n\n<p><a name="a1"></a>1. one<br>'
    '<a name="a2"></a>2. two</p>\n',
    # The anchor is in the middle of the text, not at the start of a note.
    "x<sup>[1](#a1)</sup> y<sup>[2](#a2)</sup>\n\n"
    'Some words <a name="a1"></a>then one, <a name="a2"></a>then two.\n',
    # The "note" comes before its call.
    '<p id="a1">one</p>\n<p id="a2">two</p>\n\nx<sup>[1](#a1)</sup> y<sup>[2](#a2)</sup>\n',
])
def test_what_is_not_plainly_a_note_keeps_its_anchors_and_links(body: str) -> None:
    [converted], messages = convert(essay(body))
    assert converted.footnotes == ()
    assert 'href="#e1-a1"' in converted.body_html and 'id="e1-a1"' in converted.body_html
    assert 'href="#e1-a2"' in converted.body_html and 'id="e1-a2"' in converted.body_html
    assert messages == []


def test_anchors_are_kept_and_reached_from_the_essay_and_from_others() -> None:
    first = essay('Jump to <a href="#later">later</a> or [the list](#fn1).\n\n'
                  '<a name="later"></a>Here.\n\n<ul><li id="fn1">An item</li></ul>\n\n'
                  '## Later\n\n<span id="later">Again</span>\n')
    second = essay("See [there](01-a.md#later).\n", 2, "02-b.md")
    [one, two], messages = convert(first, second)
    assert one.body_html == (
        '<p id="e1-p1">Jump to <a href="#e1-later-2">later</a> or '
        '<a href="#e1-anchor-fn1">the list</a>.</p>\n<p id="e1-p2"><a id="e1-later-2"></a>Here.</p>'
        '\n<ul><li id="e1-anchor-fn1">An item</li></ul>\n\n<h2 id="e1-later">Later</h2>\n'
        '<p id="e1-p3"><span id="e1-later-3">Again</span></p>')
    assert two.body_html == '<p id="e2-p1">See <a href="#e1-later">there</a>.</p>'
    assert messages == []
