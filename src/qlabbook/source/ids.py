"""The one id scheme: every essay, heading, note, call and figure id in the book, and the
file stems of editions. Ids are unique across the combined book, so links between essays
keep working when the essays are laid out or packed together."""

from __future__ import annotations

import re

# "e3": an essay's anchor, and the prefix of every id inside it.
ESSAY_ANCHOR = re.compile(r"^e(\d+)$")
# "e3-fn2": a note; "e3-fnref2" and "e3-fnref2-4": its first and fourth calls.
NOTE_ID = re.compile(r"^(e\d+)-fn(\d+)$")
NOTE_MARK_ID = re.compile(r"^(e\d+)-fn(\d+)-ix\d+$")  # an index mark in note 2 of essay 3
CALL_ID = re.compile(r"^(e\d+)-fnref(\d+)(?:-\d+)?$")  # call_id's: a note's call in the text
# href="#e3" or href="#e3-a-heading": a link into some essay of the book.
ESSAY_HREF = re.compile(r'href="#(e\d+)((?:-[^"]*)?)"')
# A link made to another essay, with its text: links never nest, so the first </a> closes it.
ESSAY_LINK = re.compile(r'<a\b[^>]*?\shref="#e(\d+)(?:-[^"]*)?"[^>]*>(.*?)</a>', re.DOTALL)
# Heading slugs that would collide with note, call, reference and paragraph ids.
RESERVED_SLUG = re.compile(r"^((fn(ref)?|ref)\d+(-\d+)?|p\d+)$")
# A paragraph's start tag (attribute values escape ">").
PARAGRAPH_OPEN = re.compile(r'<p((?:\s[^>]*)?)>')
# Ids the templates give every essay's title and notes section.
TEMPLATE_SLUGS = ("title", "notes")
NOTES_SUFFIX = "-notes"


# What an id may hold in every format once the essay's prefix is before it: an XML name
# (EPUB's XHTML) is letters, digits, "_", "." and "-".
VALID_SLUG = re.compile(r"^[\w.-]+$")
INVALID_RUN = re.compile(r"[^\w.-]+")


def author_slug(written: str) -> str:
    """An id the author wrote, as one every format accepts: kept when it is valid, else each
    run of characters an XML id cannot hold becomes one hyphen (pandoc-crossref's
    `sec:intro` is `sec-intro`, `a b` is `a-b`). Links to it are rewritten the same way."""
    if VALID_SLUG.match(written):
        return written
    return INVALID_RUN.sub("-", written).strip("-") or "section"


def essay_anchor(number: int) -> str:
    return f"e{number}"


def heading_id(anchor: str, slug: str) -> str:
    return f"{anchor}-{slug}"


def figure_id(anchor: str, index: int) -> str:
    """The `index`-th (from 1) figure of an essay."""
    return f"{anchor}-fig{index}"


def note_id(anchor: str, number: int) -> str:
    return f"{anchor}-fn{number}"


def paragraph_id(anchor: str, number: int) -> str:
    """The `number`-th (from 1) paragraph of an essay's text: "e3-p12"."""
    return f"{anchor}-p{number}"


def with_paragraph_ids(html: str, anchor: str) -> str:
    """An essay's body with an id on each paragraph, counted in document order: the one
    anchor a reader cites, alike in the web page, the EPUB and the PDF. Applied to the
    body before the notes are placed, so notes' own paragraphs are never counted."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if re.search(r'\sid="', match.group(1)):  # an id of its own, kept
            return match.group(0)
        count += 1
        return f'<p id="{paragraph_id(anchor, count)}"{match.group(1)}>'

    return PARAGRAPH_OPEN.sub(number, html)


def call_id(anchor: str, number: int, call: int = 1) -> str:
    """The `call`-th call of note `number`: the first has no counter."""
    return f"{anchor}-fnref{number}" + (f"-{call}" if call > 1 else "")


def reference_id(anchor: str, number: int) -> str:
    """The `number`-th (from 1) entry of an essay's reference list."""
    return f"{anchor}-ref{number}"


def notes_id(anchor: str) -> str:
    """An essay's notes section (the EPUB's, and print's when notes are endnotes)."""
    return anchor + NOTES_SUFFIX


def essay_of(element_id: str) -> str:
    """The anchor of the essay an id belongs to: "e3-fig2" -> "e3"."""
    return element_id.split("-", 1)[0]


# A number the slug starts with, as file names give it: "1-", "01-", "001_".
SLUG_NUMBER = re.compile(r"^(\d+)[-_]+(?=[a-z0-9])")


def essay_file_stem(number: int, slug: str) -> str:
    """`02-challenges-and-opportunities`: the number first, so files sort in series order,
    and only once: a slug that starts with the essay's number (`2-challenges`, from a file
    named so) loses it."""
    found = SLUG_NUMBER.match(slug)
    if found and int(found.group(1)) == number:
        slug = slug[found.end():]
    return f"{number:02d}-{slug}"
