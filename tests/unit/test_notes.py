"""Notes as pandoc reads them: several blocks, lazy and indented continuation, inline notes,
shared link references, calls inside links, and the slips pandoc forgives (warnings)."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import convert_essay_body as convert
from helpers import xhtml_tree as tree
from qlabbook.source.model import Essay, Footnote
from qlabbook.typeset.html import print_note_html


def calls(essay: Essay) -> list[tuple[str, str]]:
    return re.findall(r'<qlab-note n="(\d+)" call="(\d+)">', essay.body_html)


BLOCKS = """Text.[^long]

[^long]: The first paragraph
continues lazily here,
  and here.

    A second paragraph.

    - one
    - two
        - nested

    3. three
    4. four

    > A quotation.

    ```
    fenced = "code"
    ```

        indented = "code"

After the note.
"""


def test_note_holds_paragraphs_lists_quotes_and_code_as_blocks(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, BLOCKS)
    assert problems == []
    assert essay.body_html == '<p id="e1-p1">Text.<qlab-note n="1" call="1"></qlab-note></p>\n' \
                              '<p id="e1-p2">After the note.</p>'
    note = tree(essay.footnotes[0].html)
    assert [child.tag for child in note] == ["p", "p", "ul", "ol", "blockquote", "pre", "pre"]
    assert note[0].text == "The first paragraph\ncontinues lazily here,\nand here."
    assert [(li.text or "").strip() for li in note.iter("li")] == [
        "one", "two", "nested", "three", "four"]
    assert note.find("ul/li/ul/li") is not None  # nested by its indent
    assert note.find("ol").get("start") == "3"  # type: ignore[union-attr]
    assert "".join(note.find("blockquote").itertext()).strip() == "A quotation."  # type: ignore[union-attr]
    assert ["".join(pre.itertext()) for pre in note.iter("pre")] == [
        'fenced = "code"\n', 'indented = "code"\n']


def test_note_blocks_are_classed_spans_in_print(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, BLOCKS)
    html = print_note_html(essay.footnotes[0])
    printed = tree(html)
    assert {e.tag for e in printed.iter()} <= {"div", "span", "code"}
    classes = [e.get("class") for e in printed.iter("span")]
    assert classes[:4] == ["note-first", "note-p", "note-ul", "note-li"]
    assert {"note-ol", "note-blockquote", "note-pre"} <= set(classes)
    ordered = next(e for e in printed.iter("span") if e.get("class") == "note-ol")
    assert ordered.get("style") == "counter-reset: list-item 2"  # numbered from 3
    assert "fenced = \"code\"\n" in html  # code keeps its line ends


def test_second_line_unindented_or_indented_two_spaces_stays_in_the_note(
        tmp_path: Path) -> None:
    body = "A.[^1] B.[^2]\n\n[^1]: Starts\nends here.\n\n[^2]: Starts\n  ends here.\n"
    essay, problems = convert(tmp_path, body)
    assert problems == []
    assert [n.html for n in essay.footnotes] == ["<p>Starts\nends here.</p>"] * 2
    assert essay.body_html.count("<p ") == 1


def test_definition_indented_up_to_three_spaces_and_text_on_the_next_line(
        tmp_path: Path) -> None:
    body = "A.[^1] B.[^2]\n\n   [^1]: Indented three.\n\n[^2]:\n    On the next line.\n"
    essay, problems = convert(tmp_path, body)
    assert problems == []
    assert [n.html for n in essay.footnotes] == ["<p>Indented three.</p>",
                                                 "<p>On the next line.</p>"]


def test_unindented_paragraph_after_a_blank_line_ends_the_note(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, "A.[^1]\n\n[^1]: The note.\n\n  Body again.\n")
    assert essay.footnotes[0].html == "<p>The note.</p>"
    assert '<p id="e1-p2">Body again.</p>' in essay.body_html


def test_definition_in_fenced_code_stays_code(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, "Text.\n\n```\n[^1]: not a note\n```\n")
    assert problems == []
    assert essay.footnotes == ()
    assert "".join(tree(essay.body_html).find("pre").itertext()) == \
        "[^1]: not a note\n"  # type: ignore[union-attr]


def test_inline_notes_are_numbered_with_the_others_by_first_call(tmp_path: Path) -> None:
    body = "One.[^a] Two.^[Inline *note* with [a link](https://example.org).] " \
           "Three.[^a]\n\n[^a]: Labelled.\n"
    essay, problems = convert(tmp_path, body)
    assert problems == []
    assert calls(essay) == [("1", "1"), ("2", "1"), ("1", "2")]
    assert [(n.number, n.html) for n in essay.footnotes] == [
        (1, "<p>Labelled.</p>"),
        (2, '<p>Inline <em>note</em> with <a href="https://example.org">a link</a>.</p>')]
    assert "Inline" not in essay.body_html
    assert essay.words == 3


def test_reference_links_resolve_in_body_and_notes(tmp_path: Path) -> None:
    body = ("See [full][ref], [collapsed][] and [short].[^1] ^[Inline [short].]\n\n"
            "[^1]: Note with [full][ref], [collapsed][] and [short].\n\n"
            "[ref]: https://example.org/ref\n[collapsed]: https://example.org/c\n"
            "[short]: https://example.org/s\n")
    essay, problems = convert(tmp_path, body)
    assert problems == []
    hrefs = [a.get("href") for a in tree(essay.body_html).iter("a")]
    assert hrefs == ["https://example.org/ref", "https://example.org/c", "https://example.org/s"]
    assert [a.get("href") for a in tree(essay.footnotes[0].html).iter("a")] == hrefs
    assert [a.get("href") for a in tree(essay.footnotes[1].html).iter("a")] == hrefs[2:]


def test_reference_defined_in_a_note_serves_the_body(tmp_path: Path) -> None:
    essay, _ = convert(tmp_path, "See [x].[^1]\n\n[^1]: Note.\n\n    [x]: https://example.org\n")
    assert '<a href="https://example.org">x</a>' in essay.body_html


def test_call_inside_link_text_moves_after_the_link(tmp_path: Path) -> None:
    body = "Read [see this[^1] now](https://example.org) then.\n\n[^1]: Note.\n"
    essay, _ = convert(tmp_path, body)
    assert essay.body_html == ('<p id="e1-p1">Read <a href="https://example.org">see this now</a>'
                               '<qlab-note n="1" call="1"></qlab-note> then.</p>')


def test_undefined_call_is_printed_as_written_with_a_warning(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, "Line one.\n\nA call.[^nope]\n")
    assert essay.body_html == '<p id="e1-p1">Line one.</p>\n<p id="e1-p2">A call.[^nope]</p>'
    assert essay.footnotes == ()
    assert problems == ["essays/01-a.md:7: warning: footnote [^nope] is referenced but never "
                        "defined [M101]"]


def test_note_in_a_note_is_printed_there_in_parentheses(tmp_path: Path) -> None:
    body = ("Text.[^a]\n\n[^a]: First paragraph.\n\n    Second, calling[^b] and"
            " ^[an *inline* one].\n\n[^b]: The *other* note.\n")
    essay, problems = convert(tmp_path, body)
    assert [n.label for n in essay.footnotes] == ["a"]
    assert essay.footnotes[0].html == (
        "<p>First paragraph.</p>\n<p>Second, calling<span>(The <em>other</em> note.)</span> "
        "and <span>(an <em>inline</em> one)</span>.</p>")
    # Both at the note's second paragraph (file line 9), not its first line; no M102 for b.
    assert problems == [
        "essays/01-a.md:9: warning: footnote [^a] calls another footnote [M104]"]


def test_note_calling_itself_keeps_the_call_as_text(tmp_path: Path) -> None:
    essay, problems = convert(tmp_path, "Text.[^a]\n\n[^a]: Itself.[^a]\n")
    assert essay.footnotes[0].html == "<p>Itself.[^a]</p>"
    assert problems == ["essays/01-a.md:7: warning: footnote [^a] calls itself [M104]"]


def test_problems_in_a_note_are_reported_at_their_own_line(tmp_path: Path) -> None:
    body = ("Text.[^a] <b onclick=\"x()\">b</b>\n\n[^a]: First.\n\n"
            "    Second <b onclick=\"y()\">b</b> and [gone](gone.md).\n")
    _, problems = convert(tmp_path, body)
    assert sorted(problems) == [
        "essays/01-a.md:5: warning: removed attribute onclick= from <b> [M302]",
        "essays/01-a.md:9: warning: link to 'gone.md', which is not an essay of this "
        "collection: its text is kept [M203]",
        "essays/01-a.md:9: warning: removed attribute onclick= from <b> [M302]"]


def test_duplicate_definition_reported_at_its_line_after_fenced_code(tmp_path: Path) -> None:
    body = "Text.[^a]\n\n```\none\ntwo\nthree\n```\n\n[^a]: One.\n\n[^a]: Two.\n"
    _, problems = convert(tmp_path, body)
    assert problems == ["essays/01-a.md:15: error: footnote [^a] is defined twice [M103]"]


def test_no_placeholder_reaches_a_note_or_a_message(tmp_path: Path) -> None:
    body = ("A [^`code`] call.[^a] [^b\\_c]\n\n[^a]: Lazy fence\n```\nx = 1\n```\n\n"
            "    <div>raw block</div>\n")
    essay, problems = convert(tmp_path, body)
    everything = essay.body_html + "".join(n.html for n in essay.footnotes) + "".join(problems)
    assert not re.search("[\x02\x03]|klzzwxh|wzxhzdk", everything)
    assert problems == ["essays/01-a.md:5: warning: footnote [^b\\_c] is referenced but never "
                        "defined [M101]"]
    assert "<div>raw block</div>" in essay.footnotes[0].html


def test_print_note_html_white_space_between_blocks_dropped() -> None:
    """White space between note blocks would print as an empty line in the note."""
    note = Footnote(1, "a", "<p>One.</p>\n<ul>\n<li>x</li>\n</ul>", 1)
    assert print_note_html(note) == ('<span class="note-first">One.</span>'
                                     '<span class="note-ul"><span class="note-li">x</span>'
                                     "</span>")


def test_a_reference_link_is_reported_at_its_definition_not_where_its_target_is_named(
        tmp_path: Path) -> None:
    body = ("The file `pic.md` is named first.\n\n"
            "Then [the appendix][app] links it.[^n]\n\n"
            "[^n]: And so does [a note][app].\n\n[app]: pic.md\n")
    _, problems = convert(tmp_path, body)
    message = ("warning: link to 'pic.md', which is not an essay of this collection: "
               "its text is kept [M203]")
    assert problems == [f"essays/01-a.md:11: {message}"]


def test_a_call_shown_in_code_is_not_where_the_problem_is_located(tmp_path: Path) -> None:
    body = ("```\ncall[^x] in a fence\n```\n\nCode `[^x]` and the real call[^x].\n\n"
            "    indented [^y] code\n\nThe text's [^y].\n")
    essay, problems = convert(tmp_path, body)
    assert "call[^x] in a fence" in essay.body_html
    assert problems == [
        "essays/01-a.md:9: warning: footnote [^x] is referenced but never defined [M101]",
        "essays/01-a.md:13: warning: footnote [^y] is referenced but never defined [M101]"]
