"""Text units: the elements of converted essays where a printed page can start, and how
their characters are counted, alike by print (typeset) and by the EPUB's page list."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.ids import NOTES_SUFFIX

# Elements whose text a page can start in; a page starting elsewhere starts inside one.
UNIT_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th",
                       "pre", "figure", "figcaption", "caption"})


# The print edition's front matter, by class: the EPUB's title page repeats the title page
# and imprint (worded a little differently), its navigation document the contents.
FRONT_SECTIONS = ("title-page", "imprint", "contents")


FRONT_TAGS = frozenset({"section", "nav"})


# The scope of an essay's notes when print sets them at its end (its endnotes section).
NOTES_SCOPE = NOTES_SUFFIX


def is_whole(scope: str) -> bool:
    """Scopes marked only where a page starts at their top, not inside them: the front
    matter, which the EPUB words differently, and an essay's endnotes."""
    return scope in FRONT_SECTIONS or scope.endswith(NOTES_SCOPE)


@dataclass(frozen=True)
class PageStart:
    """Page `label` starts in `scope` (an essay anchor, or a front matter section) in its
    `unit`-th unit, after `offset` non-space characters of that unit's text."""

    label: str
    scope: str
    unit: int
    offset: int


@dataclass(frozen=True)
class PageMap:
    """Where the PDF edition's pages start, and the text of every unit they were counted in."""

    starts: tuple[PageStart, ...]
    texts: dict[str, list[str]]
    # The print page each index mark is on, and the one each page-form cross-reference
    # reads, by its anchor: the EPUB's and the web edition's index and references show them.
    anchors: dict[str, str] = field(default_factory=dict)


class AlignmentError(Exception):
    """The print HTML and the EPUB XHTML no longer hold the same text in the same elements."""


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


# Characters a layout drops or a reader never sees: white space, soft hyphens, zero widths.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060"))


def squeeze(text: str) -> str:
    return "".join(text.translate(INVISIBLE).split())


def counts(char: str) -> bool:
    """Whether a character is one of those offsets count."""
    return not char.isspace() and ord(char) not in INVISIBLE


# A formula is a picture to the layout (print draws it as SVG; the EPUB holds its TeX, then
# MathML): no text a page is counted in.
FORMULA_TAGS = frozenset({"qlab-math", "math", "svg"})


def is_formula(element: ET.Element) -> bool:
    return local(element.tag) in FORMULA_TAGS


def is_unit(element: ET.Element) -> bool:
    return local(element.tag) in UNIT_TAGS


def text_slots(unit: ET.Element, is_note: Callable[[ET.Element], bool]
               ) -> Iterator[tuple[ET.Element, str]]:
    """(element, "text" | "tail") for each piece of a unit's own text, in reading order:
    not its notes' (as `is_note` finds them in a format), units or formulas."""
    yield unit, "text"
    for child in unit:
        if not is_note(child) and not is_unit(child) and not is_formula(child):
            yield from text_slots(child, is_note)
        yield child, "tail"


def unit_text(element: ET.Element, skip: Callable[[ET.Element], bool]) -> str:
    """A unit's own text without white space: skipped subtrees (notes) and the units inside
    it (a list inside a list item) left out, though the text after them is kept."""
    parts = [element.text or ""]
    for child in element:
        if not skip(child) and not is_unit(child) and not is_formula(child) \
                and isinstance(child.tag, str):
            parts.append(unit_text(child, skip))
        parts.append(child.tail or "")
    return squeeze("".join(parts))


def is_figure(element: ET.Element) -> bool:
    """A picture: the print edition may move it below the text that follows it."""
    return local(element.tag) == "figure" and "figure" in classes(element) \
        and bool(element.get("id"))


def scope_units(section: ET.Element, skip: Callable[[ET.Element], bool]) -> list[ET.Element]:
    """The units of an essay section, notes left out: the text's in document order, then
    each picture's by its id, so print (which may have moved a picture down to fill a
    page) and the EPUB list them alike."""
    units: list[ET.Element] = []
    pictures: dict[str, list[ET.Element]] = {}

    def walk(element: ET.Element, picture: str | None) -> None:
        for child in element:
            if not isinstance(child.tag, str) or skip(child):
                continue
            inside = child.get("id", "") if is_figure(child) else picture
            if local(child.tag) in UNIT_TAGS:
                (pictures.setdefault(inside, []) if inside else units).append(child)
            walk(child, inside)

    walk(section, None)
    return units + [unit for name in sorted(pictures) for unit in pictures[name]]


def note_units(notes: ET.Element, tag: str) -> list[ET.Element]:
    """An essay's notes section and each note in it (print's list items, the EPUB's
    asides), known by their ids: their texts differ, print adding back-link arrows."""
    return [notes, *(e for e in notes.iter() if local(e.tag) == tag and e.get("id"))]


def no_page_list(error: AlignmentError, diagnostics: Diagnostics) -> None:
    diagnostics.warning("E103", f"the EPUB has no page list: {error}",
                        hint="custom templates must keep the essay text in the same "
                        "elements in print.html and essay.xhtml")
