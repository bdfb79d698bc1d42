"""The markup contract between converted essays and the formats: the neutral note call the
renderers expand, the figures and images they render, and the class names that tie
templates, stylesheets and the page map."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.source import ids


class NoteClass(StrEnum):
    """Classes of notes and their calls. Print's page map and the EPUB's page list find the
    notes by them, to leave their text out of the pages' counts; the templates and
    stylesheets style them. A collection's own templates must keep them."""

    CALL = "noteref"  # a note call, in every format
    CALL_SEPARATOR = "noteref-separator"  # with CALL: the comma between adjacent calls
    CALL_MARK = "call-mark"  # print: the empty mark that tells which page a call is on
    FOOTNOTE = "footnote"  # print: a note floated to the page foot
    NUMBER = "note-number"  # print: a page-foot note's number, a link back to its call
    FIRST = "note-first"  # print: a note's first paragraph, run on from its number
    ENDNOTES = "endnotes"  # print: an essay's notes set after it
    ENDNOTE_NUMBER = "endnote-number"
    NOTES = "notes"  # EPUB: an essay's notes section
    NOTE = "note"  # EPUB: one note
    LABEL = "note-label"  # EPUB: a note's number, links back to its calls
    NOTES_TITLE = "notes-title"  # print's endnotes heading, the web page's notes heading
    SIDENOTE = "sidenote"  # web: a note beside the text
    BACK = "note-back"  # web: a side note's number, links back to its calls


# A note's blocks in print are spans classed by the block they were: "note-p", "note-li".
NOTE_BLOCK_PREFIX = "note-"


def note_block(tag: str) -> str:
    """The class print gives a note's block that was a `tag` element."""
    return NOTE_BLOCK_PREFIX + tag


# The neutral note call the renderers replace: <qlab-note n="3" call="1"></qlab-note>
NOTE_CALL_TAG = "qlab-note"
NOTE_CALL = re.compile(rf'<{NOTE_CALL_TAG} n="(\d+)" call="(\d+)"></{NOTE_CALL_TAG}>')
# Two calls side by side ("later.[^1][^2]"): a superior comma between them, or they would
# read as one number ("12"). Its classes mark it as part of the calls (left out of the text
# that the page map and the EPUB's page list count).
ADJACENT_CALLS = re.compile(rf"(?<=</{NOTE_CALL_TAG}>)(?=<{NOTE_CALL_TAG} )")
CALL_SEPARATOR = f'<span class="{NoteClass.CALL} {NoteClass.CALL_SEPARATOR}">,</span>'


@dataclass(frozen=True)
class NoteCall:
    """A neutral note call: the number of its note, and which of that note's calls it is."""

    number: int
    call: int  # from 1; the first call is the one a page-foot note floats from


def expand_note_calls(html: str, render: Callable[[NoteCall], str]) -> str:
    """A converted body with each neutral call replaced by what a format makes of it. One
    walk for every format, each giving its own rule (as markdown-it-py's renderers do), so
    that the text around the calls is the same in all of them."""
    return NOTE_CALL.sub(lambda match: render(NoteCall(int(match.group(1)),
                                                       int(match.group(2)))), html)


def separate_calls(html: str) -> str:
    return ADJACENT_CALLS.sub(CALL_SEPARATOR, html)


def shared_body(html: str, anchor: str) -> str:
    """An essay's converted body as every format shows it: an id on each paragraph and a
    separator between adjacent calls, made here once so that no format can differ."""
    return separate_calls(ids.with_paragraph_ids(html, anchor))


@dataclass(frozen=True)
class ShownImage:
    """An image of a converted body as a format renders it: a figure's, with the figure's
    id, caption and credit, or one shown in the text (id, caption and credit are "")."""

    id: str
    src: str  # the image's collection-relative path
    caption: str
    credit: str
    image: ET.Element  # the <img>, whose attributes a format may set
    figure: ET.Element | None  # the <figure class="figure"> holding the image, if any
    holder: ET.Element  # the element the figure (or the image in the text) is a child of
    among_blocks: bool  # whether it is one of the body's own blocks (not in a list...)


def shown_images(body: ET.Element) -> list[ShownImage]:
    """Every image of a parsed body (`body` is its container), in reading order."""
    parents = {child: parent for parent in body.iter() for child in parent}
    found = []
    for image in body.iter("img"):
        parent = parents.get(image, body)
        figure = parent if parent.tag == "figure" and \
            "figure" in parent.get("class", "").split() else None
        holder = parents.get(figure, body) if figure is not None else parent
        caption = figure.find("figcaption/span[@class='caption']") \
            if figure is not None else None
        found.append(ShownImage(
            id=figure.get("id", "") if figure is not None else "", src=image.get("src", ""),
            caption=caption.text or "" if caption is not None else "",
            credit=figure.get("data-credit", "") if figure is not None else "",
            image=image, figure=figure, holder=holder,
            among_blocks=figure is not None and holder is body))
    return found


def render_figures(body: ET.Element, render: Callable[[ShownImage], None]) -> None:
    """Give each figure and image of a parsed body to a format's `render`, which changes the
    tree as that format shows it (an image's attributes, a figure's place among the blocks).
    One walk for every format, as expand_note_calls is for the note calls; all of them are
    found before the first is rendered, so moving one does not hide another."""
    for shown in shown_images(body):
        render(shown)


def expand_figures(html: str, render: Callable[[ShownImage], None]) -> str:
    """A converted body with its figures and images as a format renders them (see
    render_figures)."""
    body = parse_fragment(html)
    render_figures(body, render)
    return serialize_children(body)
