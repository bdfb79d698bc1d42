"""Print page equivalence: where each page of the PDF edition starts, marked in the EPUB.

WeasyPrint lays out the print HTML; walking each laid-out page's boxes gives the first line
that page prints, and the text before it in the same source element. The print HTML and the
EPUB XHTML come from the same essay fragments, so the same element exists in both: the
marker goes into the EPUB where that many characters of the element's text have gone by.
Characters are counted without white space, which WeasyPrint collapses, and note calls and
notes are left out, since print floats notes to the page foot and the EPUB keeps them apart.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
# Elements whose text a page can start in; a page starting elsewhere starts inside one.
UNIT_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th",
                       "pre", "figure", "figcaption", "caption"})
# Units whose parent allows only certain children: a marker goes inside them, never before.
INSIDE_ONLY = frozenset({"li", "dt", "dd", "td", "th", "caption"})
# The print edition's front matter, by class: the EPUB's title page repeats the title page
# and imprint (worded a little differently), its navigation document the contents.
FRONT_SECTIONS = ("title-page", "imprint", "contents")
FRONT_TAGS = frozenset({"section", "nav"})
# The scope of an essay's notes when print sets them at its end (its endnotes section).
NOTES_SCOPE = "-notes"


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


def is_unit(element: ET.Element) -> bool:
    return local(element.tag) in UNIT_TAGS


# -- the print side ---------------------------------------------------------------------------

def is_print_note(element: ET.Element) -> bool:
    return bool(classes(element) & {"footnote", "noteref"})


def is_print_endnotes(element: ET.Element) -> bool:
    return local(element.tag) == "section" and "endnotes" in classes(element)


def is_epub_note(element: ET.Element) -> bool:
    return bool(classes(element) & {"noteref", "notes"})


def unit_text(element: ET.Element, skip: Callable[[ET.Element], bool]) -> str:
    """A unit's own text without white space: skipped subtrees (notes) and the units inside
    it (a list inside a list item) left out, though the text after them is kept."""
    parts = [element.text or ""]
    for child in element:
        if not skip(child) and not is_unit(child) and isinstance(child.tag, str):
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


def picture_units(section: ET.Element) -> set[ET.Element]:
    return {e for figure in section.iter() if is_figure(figure) for e in figure.iter()}


@dataclass
class PrintUnits:
    """Every unit of the print HTML with its scope and index, and each scope's texts."""

    where: dict[ET.Element, tuple[str, int]]
    texts: dict[str, list[str]]
    parents: dict[ET.Element, ET.Element]
    notes: set[ET.Element]
    pictures: set[tuple[str, int]]  # units of pictures, which start a page only alone on it

    @classmethod
    def of(cls, root: ET.Element) -> PrintUnits:
        where: dict[ET.Element, tuple[str, int]] = {}
        texts: dict[str, list[str]] = {}
        pictures: set[tuple[str, int]] = set()
        parents = {child: parent for parent in root.iter() for child in parent}
        notes = {e for note in root.iter() if is_print_note(note) for e in note.iter()}
        for section in root.iter():
            if local(section.tag) not in FRONT_TAGS:
                continue
            front = classes(section) & set(FRONT_SECTIONS)
            if front:  # the EPUB's title page words these differently: pages start at the top
                scope = front.pop()
                where[section] = (scope, 0)
                texts[scope] = [""]
            elif local(section.tag) == "section" and "essay" in classes(section) \
                    and section.get("id"):
                scope = section.get("id", "")
                units = scope_units(section, lambda e: is_print_note(e) or is_print_endnotes(e))
                where.update({unit: (scope, i) for i, unit in enumerate(units)})
                texts[scope] = [unit_text(unit, is_print_note) for unit in units]
                inside = picture_units(section)
                pictures.update((scope, i) for i, unit in enumerate(units) if unit in inside)
                for endnotes in filter(is_print_endnotes, section.iter()):
                    notes_units = note_units(endnotes, "li")
                    where.update({unit: (scope + NOTES_SCOPE, i)
                                  for i, unit in enumerate(notes_units)})
                    texts[scope + NOTES_SCOPE] = [unit.get("id", "") for unit in notes_units]
        return cls(where, texts, parents, notes, pictures)

    def unit_of(self, element: ET.Element) -> tuple[str, int] | None:
        """The scope and unit a laid-out box's element belongs to; None for notes and for
        print-only matter such as the contents."""
        current: ET.Element | None = element
        while current is not None:
            if current in self.notes:
                return None
            if current in self.where:
                return self.where[current]
            current = self.parents.get(current)
        return None


def flow_leaves(box: Any) -> Iterator[Any]:
    """A page's text and image boxes in the main flow, in order: page margins (running heads,
    folios), the footnote area and generated content (note call figures, leaders) left out."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox):
        return
    if isinstance(box, boxes.TextBox):
        if "::" not in (box.element_tag or "") and box.text.strip():
            yield box
        return
    if isinstance(box, boxes.ReplacedBox):
        if "::" not in (box.element_tag or ""):
            yield box
        return
    for child in getattr(box, "children", ()):
        yield from flow_leaves(child)


def page_map(pages: Sequence[Any], labels: Sequence[str]) -> PageMap:
    """Where each laid-out page starts; AlignmentError unless every character of the essays'
    printed units was found on the pages. `pages` are WeasyPrint's, `labels` each page's
    printed folio. A page with nothing in the text flow (a blank verso, a page of notes)
    starts where the next page does; a page of matter only print has (a cover, picture
    credits) is left out, and so is a blank page beside it."""
    # The root box of any page was made from the document's root element.
    root = pages[0]._page_box.children[0].element
    units = PrintUnits.of(root)
    consumed: dict[tuple[str, int], int] = {}
    starts: list[PageStart] = []
    waiting: list[tuple[str, bool]] = []  # (label, blank) of pages without text in the flow
    behind_print_only = False
    for page, label in zip(pages, labels, strict=True):
        first: tuple[str, int, int] | None = None
        picture: tuple[str, int, int] | None = None
        print_only = False
        for leaf in flow_leaves(page._page_box):
            key = units.unit_of(leaf.element)
            if key is None:
                print_only = print_only or leaf.element not in units.notes
                continue
            done = consumed.get(key, 0)
            # A picture heading a page may have been moved there, below text the EPUB has
            # after it: the page starts where its text does.
            if key in units.pictures:
                picture = picture or (key[0], key[1], done)
            elif first is None:
                first = (key[0], key[1], done)
            if is_whole(key[0]):  # only a page starting at the top is marked
                consumed[key] = 1
            else:
                consumed[key] = advance(units.texts[key[0]][key[1]], done,
                                        getattr(leaf, "text", ""))
        first = first or picture
        if first is None:
            blank = is_blank(page._page_box)
            if print_only:  # a blank page before it goes with it
                waiting = [(waiting_label, was_blank) for waiting_label, was_blank in waiting
                           if not was_blank]
            elif not behind_print_only or not blank:
                waiting.append((label, blank))
            behind_print_only = print_only or (behind_print_only and blank)
            continue
        behind_print_only = False
        scope, unit, offset = first
        if is_whole(scope) and offset:
            continue
        starts.extend(PageStart(waiting_label, scope, unit, offset)
                      for waiting_label, _ in waiting)
        waiting = []
        starts.append(PageStart(label, scope, unit, offset))
    check_all_printed(units.texts, consumed)
    last = next((key for key in reversed(consumed) if not is_whole(key[0])), None)
    if last is not None:  # pages at the end with notes only: marked after the last text
        starts.extend(PageStart(waiting_label, *last, consumed[last])
                      for waiting_label, blank in waiting if not blank)
    return PageMap(tuple(starts), units.texts)


def is_blank(box: Any) -> bool:
    """Whether a page prints nothing but its running heads and folio, if that."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return True
    if isinstance(box, boxes.TextBox):
        return not box.text.strip()
    if isinstance(box, boxes.ReplacedBox):
        return False
    return all(is_blank(child) for child in getattr(box, "children", ()))


def check_all_printed(texts: dict[str, list[str]], consumed: dict[tuple[str, int], int]) -> None:
    """Every character of every printed unit was found on the pages, so the counts can be
    trusted. (A unit print does not show at all, hidden by a stylesheet, starts no page.)"""
    for scope, unit_texts in texts.items():
        if is_whole(scope):
            continue
        for index, text in enumerate(unit_texts):
            if 0 < consumed.get((scope, index), 0) < len(text):
                raise AlignmentError(f"the PDF's pages do not print the text of {scope!r} as "
                                     f"it stands (at {text[:30]!r})")


def advance(text: str, done: int, laid_out: str) -> int:
    """How far into a unit's text the laid-out `laid_out` reaches from `done`. Characters the
    layout added (the hyphen at a line-end break) match nothing and are passed over."""
    for char in laid_out:
        if not counts(char):
            continue
        # Compared without case: a stylesheet may transform it.
        if done < len(text) and text[done].lower() == char.lower():
            done += 1
    return done


# -- the EPUB side ----------------------------------------------------------------------------

def register_namespaces() -> None:
    ET.register_namespace("", XHTML_NS)
    ET.register_namespace("epub", EPUB_NS)


def marker(label: str) -> ET.Element:
    """An empty, invisible page-break marker a reading system can jump to."""
    return ET.Element(f"{{{XHTML_NS}}}span", {
        f"{{{EPUB_NS}}}type": "pagebreak", "role": "doc-pagebreak", "id": marker_id(label),
        "aria-label": label})


def marker_id(label: str) -> str:
    """An XML id for a page's marker: "page-7", "page-iv"."""
    return "page-" + "-".join(re.findall(r"[A-Za-z0-9]+", label))


def epub_scope(root: ET.Element, scope: str) -> tuple[ET.Element, list[ET.Element]]:
    """The section of a scope and its units."""
    essay = scope.removesuffix(NOTES_SCOPE)
    for section in root.iter():
        if local(section.tag) not in FRONT_TAGS:
            continue
        if scope in FRONT_SECTIONS and scope in classes(section):
            return section, [section]
        if section.get("id") == essay and scope.endswith(NOTES_SCOPE):
            notes = [e for e in section.iter() if local(e.tag) == "section"
                     and "notes" in classes(e)]
            if notes:
                return notes[0], note_units(notes[0], "aside")
        elif section.get("id") == scope:
            return section, scope_units(section, is_epub_note)
    raise AlignmentError(f"the EPUB has no section for {scope!r}")


def text_slots(unit: ET.Element) -> Iterator[tuple[ET.Element, str]]:
    """(element, "text" | "tail") for each piece of a unit's own text, in reading order."""
    yield unit, "text"
    for child in unit:
        if not is_epub_note(child) and not is_unit(child):
            yield from text_slots(child)
        yield child, "tail"


def split_point(unit: ET.Element, offset: int) -> tuple[ET.Element, str, int]:
    """The text slot and index at which `offset` non-space characters have gone by; a point
    inside a word (a page starting after a hyphenated line end) moves to the word's end."""
    seen = 0
    end = (unit, "text", len(unit.text or ""))
    for element, slot in text_slots(unit):
        text = getattr(element, slot) or ""
        if text.strip():
            end = (element, slot, len(text.rstrip()))
        for index, char in enumerate(text):
            if not counts(char):
                continue
            if seen == offset:
                if index and not text[index - 1].isspace():
                    while index < len(text) and not text[index].isspace():
                        index += 1
                return element, slot, index
            seen += 1
    if seen == offset:  # the page starts after the element's last word
        return end
    raise AlignmentError("a page starts beyond the end of its element's text")


def insert_at(unit: ET.Element, offset: int, new: list[ET.Element],
              parents: dict[ET.Element, ET.Element]) -> None:
    if offset == 0 and local(unit.tag) not in INSIDE_ONLY and unit in parents:
        parent = parents[unit]
        position = list(parent).index(unit)
        for shift, element in enumerate(new):
            parent.insert(position + shift, element)
        return
    element, slot, index = split_point(unit, offset) if offset else (unit, "text", 0)
    text = getattr(element, slot) or ""
    setattr(element, slot, text[:index])
    new[-1].tail = text[index:]
    if slot == "text":
        host, position = element, 0
    else:
        host = parents[element]
        position = list(host).index(element) + 1
    for shift, inserted in enumerate(new):
        host.insert(position + shift, inserted)


def add_markers(xhtml: str, scopes: Sequence[str], pages: PageMap) -> str:
    """The XHTML document with a marker where each of its pages begins. Raises
    AlignmentError when its units no longer match the print HTML's."""
    starts, texts = pages.starts, pages.texts
    register_namespaces()
    root = ET.fromstring(xhtml.encode("utf-8"))
    parents = {child: parent for parent in root.iter() for child in parent}
    sections = {scope: epub_scope(root, scope) for scope in scopes}
    units = {scope: found[1] for scope, found in sections.items()}
    for scope, elements in units.items():
        if scope.endswith(NOTES_SCOPE) and scope in texts \
                and [e.get("id", "") for e in elements] != texts[scope]:
            raise AlignmentError(f"the EPUB notes of {scope!r} differ from the print notes")
        if is_whole(scope):
            continue
        if [unit_text(e, is_epub_note) for e in elements] != texts[scope]:
            raise AlignmentError(f"the EPUB text of {scope!r} differs from the print text")
    grouped: dict[tuple[str, int, int], list[str]] = {}
    for start in starts:
        if start.scope in units:
            grouped.setdefault((start.scope, start.unit, start.offset), []).append(start.label)
    # From the end backwards, so earlier points in the same text stay where they were.
    for (scope, unit, offset), labels in sorted(grouped.items(), reverse=True):
        markers = [marker(label) for label in labels]
        if not is_whole(scope) and unit == 0 and offset == 0:
            # A page that opens an essay: the markers lead its section, before the heading.
            section = sections[scope][0]
            for shift, element in enumerate(markers):
                section.insert(shift, element)
            markers[-1].tail = section.text
            section.text = None
        else:
            insert_at(units[scope][unit], offset, markers, parents)
    body = ET.tostring(root, encoding="unicode", method="xml")
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + body + "\n"
