"""The print edition's page numbers in the web page's margin, from the page map the build
makes of the screen PDF (the one the EPUB's page list follows): never a layout of its own."""

from __future__ import annotations

import difflib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from qlabbook.markdown.markup import NoteClass
from qlabbook.markdown.units import (
    PageMap,
    PageStart,
    classes,
    counts,
    is_whole,
    scope_units,
    text_slots,
    unit_text,
)
from qlabbook.source.diagnostics import Diagnostics


def page_map_bytes(pages: PageMap | None) -> bytes:
    """The page map as the build passes it between processes and keeps it in its cache."""
    if pages is None:
        return b"null"
    return json.dumps({"starts": [[s.label, s.scope, s.unit, s.offset] for s in pages.starts],
                       "texts": pages.texts, "anchors": pages.anchors},
                      ensure_ascii=False).encode("utf-8")


def page_map_from_bytes(data: bytes) -> PageMap | None:
    found = json.loads(data.decode("utf-8")) if data else None
    if not found:
        return None
    return PageMap(tuple(PageStart(str(label), str(scope), int(unit), int(offset))
                         for label, scope, unit, offset in found["starts"]),
                   {str(k): [str(t) for t in v] for k, v in found["texts"].items()},
                   {str(k): str(v) for k, v in found.get("anchors", {}).items()})


def without_page_numbers(diagnostics: Diagnostics) -> None:
    diagnostics.warning("H101", "the web pages show no print page numbers: the page map "
                        "does not follow their text", hint="custom templates must keep the "
                        "essay text in the same elements as the package's")


def is_note_call(element: ET.Element) -> bool:
    """A call, or the separator between two: not text the page map counts, as in print."""
    return NoteClass.CALL in classes(element)


def page_id(label: str) -> str:
    """An id for the place a print page starts: "page-7", "page-iv" (the EPUB's scheme)."""
    return "page-" + "-".join(re.findall(r"[A-Za-z0-9]+", label))


PAGE_MARK = "print-page"  # the class of a page's mark; a blank page's adds "blank"


def shown_page(element: ET.Element) -> str | None:
    """The page number a mark shows, if `element` is the mark of a page that prints text."""
    return element.text or "" if element.get("class") == PAGE_MARK else None


@dataclass(frozen=True)
class PagedBlock:
    """A block of a web page's text with the print pages it is on, and its words (without
    the numbers of the pages' marks in it)."""

    element: ET.Element
    first: str  # the page it starts on ("" where the page map gives none)
    last: str  # the page it ends on
    words: str

    @property
    def pages(self) -> str:
        """"23", or "22–23" for a block that runs on to the next page."""
        return self.first if self.last == self.first else f"{self.first}\u2013{self.last}"


Reading = Iterator[tuple[str, ET.Element | str]]


def reading(element: ET.Element) -> Reading:
    """An element's text in reading order: ("open", element), ("text", text), ("page",
    the number a page's mark shows) and ("close", element)."""
    yield "open", element
    page = shown_page(element)
    if page is not None:
        yield "page", page
    else:
        if element.text:
            yield "text", element.text
        for child in element:
            yield from reading(child)
            if child.tail:
                yield "text", child.tail
    yield "close", element


def paged_blocks(body: ET.Element, tags: set[str], opening: str = "") -> list[PagedBlock]:
    """Each block of `tags` with an id, in reading order, with its pages: it starts on the
    page of the last mark before its first word (`opening` before any mark)."""
    page, found = opening, list[tuple[int, PagedBlock]]()
    open_blocks: list[tuple[int, ET.Element, list[str], list[str]]] = []  # first page, words
    for order, (event, item) in enumerate(reading(body)):
        if event == "open" and isinstance(item, ET.Element) and item.tag in tags \
                and item.get("id"):
            open_blocks.append((order, item, [page], []))
        elif event == "page" and isinstance(item, str):
            page = item
            for _, _, first, words in open_blocks:
                if not "".join(words).strip():  # no word of it yet: it starts here
                    first[0] = page
        elif event == "text" and isinstance(item, str):
            for _, _, _, words in open_blocks:
                words.append(item)
        elif event == "close" and open_blocks and open_blocks[-1][1] is item:
            start, element, first, words = open_blocks.pop()
            found.append((start, PagedBlock(element, first[0], page,
                                            " ".join("".join(words).split()))))
    return [block for _, block in sorted(found, key=lambda pair: pair[0])]


def marker(label: str, shown: bool = True) -> ET.Element:
    """Where print page `label` begins: a page-break mark; the stylesheet sets its number
    in the margin on wide screens and in the line on narrow ones. Pages that print none of
    the text (a blank verso) begin where the next does, and are marked without a number."""
    element = ET.Element("span", {"class": PAGE_MARK if shown else f"{PAGE_MARK} blank",
                                  "id": page_id(label), "role": "doc-pagebreak",
                                  "aria-label": f"page {label}"})
    if shown:
        element.set("title", f"Page {label} of the print edition begins here")
        element.text = label
    return element


def markers(labels: list[str]) -> ET.Element:
    """The marks of pages that begin at one point, as one element; the last one shown."""
    if len(labels) == 1:
        return marker(labels[0])
    group = ET.Element("span", {"class": "print-pages"})
    group.extend([*(marker(label, shown=False) for label in labels[:-1]),
                  marker(labels[-1])])
    return group


def starts_in_essay(pages: PageMap, anchor: str) -> list[PageStart]:
    return [s for s in pages.starts if s.scope == anchor and not is_whole(s.scope)]


def mark_print_pages(body: ET.Element, anchor: str, pages: PageMap | None) -> list[str]:
    """Put a marker into `body` (an essay's text, its note calls made links) where
    each print page of the essay starts; the labels of pages that start before its text (in
    its opening) are returned for the page's header."""
    if pages is None or anchor not in pages.texts:
        return []
    units = scope_units(body, is_note_call)
    mine = [unit_text(u, is_note_call) for u in units]
    printed = pages.texts[anchor]
    matcher = difflib.SequenceMatcher(None, printed, mine, autojunk=False)
    same = {a + i: b + i for a, b, size in matcher.get_matching_blocks() for i in range(size)}
    first_matched = min(same, default=len(printed))
    parents = {child: parent for parent in body.iter() for child in parent}
    starts = starts_in_essay(pages, anchor)
    opening = [s.label for s in starts if s.unit not in same and s.unit < first_matched]
    points: dict[tuple[int, int], list[str]] = {}
    for start in starts:
        if start.unit in same:
            points.setdefault((same[start.unit], start.offset), []).append(start.label)
        elif start.unit > first_matched:  # a unit worded differently: the next one's start
            later = [same[u] for u in sorted(same) if u > start.unit]
            if later:
                points.setdefault((later[0], 0), []).append(start.label)
    # From the last backwards, so earlier points in the same text stay where they were.
    for (unit, offset), labels in sorted(points.items(), reverse=True):
        insert_at(units[unit], offset, markers(labels), parents)
    return opening


def insert_at(unit: ET.Element, offset: int, new: ET.Element,
              parents: dict[ET.Element, ET.Element]) -> None:
    """`new` where `offset` counted characters of the unit's text have gone by, moved on to
    the end of a word it would split (a print page starting after a hyphenated line end)."""
    seen = 0
    for element, slot in text_slots(unit, is_note_call):
        text = getattr(element, slot) or ""
        for index, char in enumerate(text):
            if not counts(char):
                continue
            if seen == offset:
                while index and index < len(text) and not text[index - 1].isspace() \
                        and not text[index].isspace():
                    index += 1
                place(element, slot, index, new, parents)
                return
            seen += 1
    if offset == 0:
        place(unit, "text", 0, new, parents)
    else:  # after the unit's last word
        unit.append(new)


def place(element: ET.Element, slot: str, index: int, new: ET.Element,
          parents: dict[ET.Element, ET.Element]) -> None:
    text = getattr(element, slot) or ""
    setattr(element, slot, text[:index])
    new.tail = text[index:]
    if slot == "text":
        element.insert(0, new)
    else:
        host = parents[element]
        host.insert(list(host).index(element) + 1, new)
