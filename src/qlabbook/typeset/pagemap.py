"""Where each page of the laid-out PDF starts, in the text units the EPUB shares."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from qlabbook.markdown.markup import NoteClass
from qlabbook.markdown.units import (
    FRONT_SECTIONS,
    FRONT_TAGS,
    AlignmentError,
    PageMap,
    PageStart,
    classes,
    counts,
    is_figure,
    is_whole,
    local,
    note_units,
    scope_units,
    unit_text,
)
from qlabbook.source.ids import notes_id
from qlabbook.typeset import engine


def anchor_pages(document: Any) -> dict[str, int]:
    """The index of the first page each anchor of a laid-out document is on."""
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, index)
    return pages


def is_print_note(element: ET.Element) -> bool:
    return bool(classes(element) & {NoteClass.FOOTNOTE, NoteClass.CALL})


def is_print_endnotes(element: ET.Element) -> bool:
    return local(element.tag) == "section" and NoteClass.ENDNOTES in classes(element)


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
                    where.update({unit: (notes_id(scope), i)
                                  for i, unit in enumerate(notes_units)})
                    texts[notes_id(scope)] = [unit.get("id", "") for unit in notes_units]
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
    kind = engine.box_kind(box)
    if kind in ("margin", "footnotes"):
        return
    if kind == "text":
        if "::" not in engine.box_tag(box) and engine.box_text(box).strip():
            yield box
        return
    if kind == "image":
        if "::" not in engine.box_tag(box):
            yield box
        return
    for child in engine.box_children(box):
        yield from flow_leaves(child)


def page_map(pages: Sequence[Any], labels: Sequence[str]) -> PageMap:
    """Where each laid-out page starts; AlignmentError unless every character of the essays'
    printed units was found on the pages. `pages` are WeasyPrint's, `labels` each page's
    printed folio. A page with nothing in the text flow (a blank verso, a page of notes)
    starts where the next page does; a page of matter only print has (a cover, picture
    credits) is left out, and so is a blank page beside it."""
    root = engine.root_element(pages[0])  # any page's: they share the document's
    units = PrintUnits.of(root)
    consumed: dict[tuple[str, int], int] = {}
    starts: list[PageStart] = []
    waiting: list[tuple[str, bool]] = []  # (label, blank) of pages without text in the flow
    behind_print_only = False
    for page, label in zip(pages, labels, strict=True):
        first: tuple[str, int, int] | None = None
        picture: tuple[str, int, int] | None = None
        print_only = False
        for leaf in flow_leaves(engine.page_box(page)):
            element = engine.box_element(leaf)
            key = units.unit_of(element) if element is not None else None
            if key is None:
                print_only = print_only or element not in units.notes
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
                                        engine.box_text(leaf))
        first = first or picture
        if first is None:
            blank = is_blank(engine.page_box(page))
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
    kind = engine.box_kind(box)
    if kind == "margin":
        return True
    if kind == "text":
        return not engine.box_text(box).strip()
    if kind == "image":
        return False
    return all(is_blank(child) for child in engine.box_children(box))


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


def part_page_starts(document: Any) -> tuple[list[tuple[int, str, int, int]],
                                              dict[str, list[str]], str]:
    """Where each page of a laid-out part starts, as (page index, scope, unit, offset), the
    texts of its units, and why they could not be found on the pages, if they could not."""
    try:
        found = page_map(document.pages, [str(i) for i in range(len(document.pages))])
    except AlignmentError as error:
        return [], {}, str(error)
    return ([(int(start.label), start.scope, start.unit, start.offset)
             for start in found.starts], found.texts, "")
