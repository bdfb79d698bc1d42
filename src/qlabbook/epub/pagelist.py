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
from collections.abc import Sequence

from qlabbook.epub.documents import IMPRINT, TITLE_PAGE, epub_file_name, render_nav
from qlabbook.markdown.markup import NoteClass
from qlabbook.markdown.units import (
    FRONT_SECTIONS,
    FRONT_TAGS,
    NOTES_SCOPE,
    AlignmentError,
    PageMap,
    classes,
    counts,
    is_whole,
    local,
    no_page_list,
    note_units,
    scope_units,
    text_slots,
    unit_text,
)
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.ids import notes_id
from qlabbook.source.model import Collection

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
# Units whose parent allows only certain children: a marker goes inside them, never before.
INSIDE_ONLY = frozenset({"li", "dt", "dd", "td", "th", "caption"})


def is_epub_note(element: ET.Element) -> bool:
    return bool(classes(element) & {NoteClass.CALL, NoteClass.NOTES})


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
                     and NoteClass.NOTES in classes(e)]
            if notes:
                return notes[0], note_units(notes[0], "aside")
        elif section.get("id") == scope:
            return section, scope_units(section, is_epub_note)
    raise AlignmentError(f"the EPUB has no section for {scope!r}")


def split_point(unit: ET.Element, offset: int) -> tuple[ET.Element, str, int]:
    """The text slot and index at which `offset` non-space characters have gone by; a point
    inside a word (a page starting after a hyphenated line end) moves to the word's end."""
    seen = 0
    end = (unit, "text", len(unit.text or ""))
    for element, slot in text_slots(unit, is_epub_note):
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


def mark_pages(collection: Collection, documents: dict[str, str], pages: PageMap | None,
               diagnostics: Diagnostics) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The documents (the navigation document added) with page-break markers where the PDF's
    pages start, and the page list as (file, marker id, label); without markers or page list
    when there is no page map or the documents do not match it."""
    without: tuple[dict[str, str], list[tuple[str, str, str]]] = (
        {**documents, "nav.xhtml": render_nav(collection, [])}, [])
    if pages is None:  # no layout, or one the EPUB cannot follow: said where it was made
        return without
    scopes = {TITLE_PAGE: ("title-page",), IMPRINT: ("imprint",), "nav.xhtml": ("contents",),
              **{epub_file_name(e): (e.anchor, *([notes_id(e.anchor)] if e.footnotes else []))
                 for e in collection.essays}}
    file_of = {scope: name for name, names in scopes.items() for scope in names}
    try:
        entries = [(file_of[s.scope], marker_id(s.label), s.label) for s in pages.starts
                   if s.scope in file_of]
        documents = {**documents, "nav.xhtml": render_nav(collection, entries)}
        # The picture credits have no scope: their pages are print's own (see pagemap).
        marked = {name: add_markers(xhtml, scopes[name], pages) if name in scopes else xhtml
                  for name, xhtml in documents.items()}
    except AlignmentError as error:
        no_page_list(error, diagnostics)
        return without
    return marked, entries
