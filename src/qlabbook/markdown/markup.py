"""The markup contract between converted essays and the formats: the neutral note call the
renderers expand, and the class names that tie templates, stylesheets and the page map."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

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
