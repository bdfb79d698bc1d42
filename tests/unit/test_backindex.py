"""pandoc's bracketed spans, and the index marks among them: what a mark records (term,
subentry, sort key, the id of its place), the entries gathered in collation order and the
page numbers an entry prints, runs of pages merged."""

from __future__ import annotations

from pathlib import Path

from helpers import convert_essay_body as convert
from helpers import xhtml_tree as tree
from qlabbook.markdown.backindex import IndexEntry, book_index, index_letters, page_ranges
from qlabbook.source.model import IndexMark

BODY = """A [harbour board]{.index} met; [the board]{.index term="harbour board" sub="meetings"}
and [Émile]{.index sort="Emile"}, [an eagle]{.index term=eagle}, [Zürich]{.index},
[`code`]{.index term="code"} and [Ångström]{.index #own}.

[small caps]{.smallcaps}, [en français]{lang=fr}, [x]{#myid .aside-x} and [no span]{this is prose}.
"""


def test_spans_carry_their_id_classes_and_language(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, BODY)
    spans = {span.text: span.attrib for span in tree(essay.body_html).iter("span")
             if span.text}
    assert spans["small caps"] == {"class": "smallcaps"}
    assert spans["en français"] == {"lang": "fr"}
    assert spans["x"] == {"class": "aside-x", "id": "e1-myid"}
    assert spans["harbour board"] == {"id": "e1-ix1"}  # a mark is an anchor, nothing else
    assert "[no span]{this is prose}" in essay.body_html
    assert problems == []


def test_marks_record_term_subentry_sort_key_and_place(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, BODY)
    assert essay.index_marks == (
        IndexMark("harbour board", "", "", "e1-ix1"),
        IndexMark("harbour board", "meetings", "", "e1-ix2"),
        IndexMark("Émile", "", "Emile", "e1-ix3"), IndexMark("eagle", "", "", "e1-ix4"),
        IndexMark("Zürich", "", "", "e1-ix5"), IndexMark("code", "", "", "e1-ix6"),
        IndexMark("Ångström", "", "", "e1-own"))
    entries = book_index([essay])
    assert [entry.term for entry in entries] == [
        "Ångström", "code", "eagle", "Émile", "harbour board", "Zürich"]
    board = entries[4]
    assert board == IndexEntry("harbour board", ("e1-ix1",),
                               (IndexEntry("meetings", ("e1-ix2",)),))
    assert [(letter, [e.term for e in group]) for letter, group in index_letters(entries)] == [
        ("A", ["Ångström"]), ("C", ["code"]), ("E", ["eagle", "Émile"]),
        ("H", ["harbour board"]), ("Z", ["Zürich"])]


def test_pages_are_listed_once_in_order_with_runs_merged() -> None:
    folios = {"a": "14", "b": "15", "c": "16", "d": "14", "e": "9", "f": "xii", "g": ""}
    assert page_ranges(["a", "b", "c", "d", "e", "f", "g"], folios) == [
        ("e", "9"), ("a", "14\u201316"), ("f", "xii")]
    assert page_ranges(["a", "c"], folios) == [("a", "14"), ("c", "16")]


def test_marks_in_notes_are_indexed_at_anchors_of_their_own(tmp_path: Path) -> None:
    """A mark in a note, defined or inline, is the note's: an id in the note's text, which
    the formats print where the note is, and nothing of the mark left in its markup."""
    essay, problems = convert(tmp_path, "The [quay]{.index} is old.[^1] Then^[An inline "
                              "[tide]{.index .smallcaps} note.]\n\n[^1]: The [harbour "
                              'board]{.index sub="in notes"} met.\n')
    assert problems == []
    assert essay.index_marks == (
        IndexMark("quay", "", "", "e1-ix1"),
        IndexMark("harbour board", "in notes", "", "e1-fn1-ix1"),
        IndexMark("tide", "", "", "e1-fn2-ix1"))
    notes = [dict(span.attrib) for note in essay.footnotes
             for span in tree(note.html).iter("span")]
    assert notes == [{"id": "e1-fn1-ix1"}, {"class": "smallcaps", "id": "e1-fn2-ix1"}]


def test_a_page_where_a_term_is_only_in_a_note_reads_with_the_note() -> None:
    folios = {"e1-ix1": "14", "e1-fn2-ix1": "14", "e1-fn3-ix1": "15", "e1-ix2": "16",
              "e2-fn1-ix1": "30"}
    # Page 14 has the term in the text, which cites it; 15 only in note 3.
    assert page_ranges(list(folios), folios) == [
        ("e1-ix1", "14"), ("e1-fn3-ix1", "15n3"), ("e1-ix2", "16"), ("e2-fn1-ix1", "30n1")]
