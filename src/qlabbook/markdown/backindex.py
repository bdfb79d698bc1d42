"""The back-of-book index: terms marked in the essays (`[harbour board]{.index}`, with
`term=`, `sub=` and `sort=` keys) gathered into entries and subentries, in the order of
the Unicode Collation Algorithm, each with the marks it leads to in reading order. Every
format prints the same entries: the PDF with page numbers, the EPUB and the web edition
with links (and the print pages)."""

from __future__ import annotations

import functools
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qlabbook.markdown.extensions.spans import INDEX_CLASS, INDEX_KEYS
from qlabbook.source import ids
from qlabbook.source.model import Collection, Essay, IndexMark

# The id an index mark is given before the essay's ids are made (it is prefixed then, and
# numbered on if the author used it too).
MARK_ID = "ix{}"
INDEX_ANCHOR = "book-index"  # the index's own id, in every format


@dataclass(frozen=True)
class IndexEntry:
    """One entry (or subentry): its words, the ids of the marks it leads to in reading
    order, and its subentries."""

    term: str
    targets: tuple[str, ...]
    subentries: tuple[IndexEntry, ...] = ()


def take_index_marks(body: ET.Element, mark_id: str = MARK_ID,
                     skipped: Callable[[ET.Element], bool] = lambda element: False
                     ) -> list[tuple[ET.Element, str, str, str]]:
    """Each index mark's span, with its term, subentry and sort key (taken off the element,
    which keeps its other classes and is given an id from `mark_id`); marks inside an
    element `skipped` says are left where they are."""
    found: list[tuple[ET.Element, str, str, str]] = []
    left = {id(inner) for outer in body.iter() if skipped(outer) for inner in outer.iter()}
    for span in body.iter("span"):
        classes = (span.get("class") or "").split()
        if INDEX_CLASS not in classes or id(span) in left:
            continue
        values = {key: " ".join((span.attrib.pop(f"data-index-{key}", "")).split())
                  for key in INDEX_KEYS}
        rest = [name for name in classes if name != INDEX_CLASS]
        if rest:
            span.set("class", " ".join(rest))
        else:
            del span.attrib["class"]
        span.set("id", span.get("id") or mark_id.format(len(found) + 1))
        term = values["term"] or " ".join("".join(span.itertext()).split())
        found.append((span, term, values["sub"], values["sort"]))
    return found


def index_marks(marks: list[tuple[ET.Element, str, str, str]], body: ET.Element
                ) -> tuple[IndexMark, ...]:
    """The marks still in the essay's text once its ids are made, with those ids; one with
    no words to index is left out."""
    kept = {id(element) for element in body.iter()}
    return tuple(IndexMark(term, sub, sort, span.get("id", ""))
                 for span, term, sub, sort in marks if id(span) in kept and term)


def has_index(collection: Collection) -> bool:
    return any(essay.index_marks for essay in collection.essays)


@functools.cache
def collation_key() -> Callable[[str], tuple[int, ...]]:
    from pyuca import Collator  # DUCET: letters with their accents, case after

    key: Callable[[str], tuple[int, ...]] = Collator().sort_key
    return key


def book_index(essays: Sequence[Essay]) -> list[IndexEntry]:
    """Every marked term of `essays`, in collation order (by its sort key where one is
    given), subentries likewise under their entries."""
    marks = [mark for essay in essays for mark in essay.index_marks]
    if not marks:
        return []
    key = collation_key()
    order: dict[str, str] = {}
    for mark in marks:  # the first sort key given for a term is its own
        if not order.get(mark.term):
            order[mark.term] = mark.sort or mark.term
    entries = []
    for term in sorted(order, key=lambda t: (key(order[t]), t)):
        own = [m for m in marks if m.term == term]
        subs: dict[str, list[str]] = {}
        for mark in own:
            if mark.sub:
                subs.setdefault(mark.sub, []).append(mark.target)
        entries.append(IndexEntry(
            term, tuple(m.target for m in own if not m.sub),
            tuple(IndexEntry(sub, tuple(targets))
                  for sub, targets in sorted(subs.items(), key=lambda item: (key(item[0]),
                                                                             item[0])))))
    return entries


def index_letters(entries: list[IndexEntry]) -> list[tuple[str, list[IndexEntry]]]:
    """The entries under their initial letters ("E" holds "Émile"); entries that begin
    with no letter (numbers, symbols) come under "" where the collation puts them."""
    groups: list[tuple[str, list[IndexEntry]]] = []
    for entry in entries:
        first = unicodedata.normalize("NFKD", entry.term[:1])[:1].upper()
        letter = first if first.isalpha() else ""
        if groups and groups[-1][0] == letter:
            groups[-1][1].append(entry)
        else:
            groups.append((letter, [entry]))
    return groups


def page_ranges(targets: Sequence[str], folios: dict[str, str]) -> list[tuple[str, str]]:
    """(the first mark's id, "14", "14–16" or "18n3") for the pages `targets` are on, in
    page order: each page once, runs of pages as one range, and a page where the term is
    marked only in a note as the page and the note's number (Chicago's "18n3"). Pages not
    numbered in arabic numerals are listed after, as they are."""
    pages: dict[str, str] = {}
    notes: dict[str, tuple[str, str]] = {}  # a page -> its first mark in a note, the note
    for target in targets:
        page, note = folios.get(target, ""), ids.NOTE_MARK_ID.match(target)
        if note is None:
            pages.setdefault(page, target)
        else:
            notes.setdefault(page, (target, f"{page}n{note.group(2)}"))
    for page in ("", *pages):  # a page the text cites already
        notes.pop(page, None)
    pages.pop("", None)
    found: list[tuple[int, str, str]] = []  # (first page, the mark's id, what it reads)
    end = 0
    for number, target in sorted((int(p), t) for p, t in pages.items() if p.isdigit()):
        if found and number == end + 1:
            found[-1] = (found[-1][0], found[-1][1], f"{found[-1][0]}\u2013{number}")
        else:
            found.append((number, target, str(number)))
        end = number
    found += [(int(page), *note) for page, note in notes.items() if page.isdigit()]
    return [(target, shown) for _, target, shown in sorted(found, key=lambda f: f[0])] + \
        [(target, page) for page, target in pages.items() if not page.isdigit()] + \
        [note for page, note in notes.items() if not page.isdigit()]


def locators(entry: IndexEntry, pages: dict[str, str]) -> list[tuple[str, str, str]]:
    """(the anchor of the mark's essay, the mark's id, what the locator reads) of each place
    an entry leads to: its pages (page_ranges) where `pages` gives them, else each mark by
    its essay's number ("essay 3")."""
    if pages:
        return [(ids.essay_of(target), target, shown)
                for target, shown in page_ranges(entry.targets, pages)]
    return [(ids.essay_of(target), target, f"essay {ids.essay_of(target)[1:]}" + (
        f", note {note.group(2)}" if (note := ids.NOTE_MARK_ID.match(target)) else ""))
        for target in entry.targets]
