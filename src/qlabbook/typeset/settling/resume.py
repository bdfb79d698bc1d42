"""Laying an essay out again from the first page a settling change can reach.

Settling (settle.py) lays an essay out a second time with a figure moved or a paragraph
repaired. Every page before the one where the changed block could first appear is laid out
exactly as before, so those pages are taken from the previous layout: WeasyPrint's own
repagination does the same when a page-based counter changes (it keeps each page's
starting state and remakes only the pages after a change). This module records that state
while a part is laid out and seeds the next layout of the same part with it.

It reaches into WeasyPrint's pagination through engine.hook_pagination and
engine.Pagination; tests/e2e/test_parts.py compares every page of the book built this way
with the book laid out whole."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from qlabbook.typeset import engine


@dataclass
class Recording:
    """What one layout leaves for the next: the state each page started from (WeasyPrint's
    page_maker entries), each page before its margin boxes were added, whether anything
    was carried over from a page into the next (a note moved on, a float broken across),
    and each page's margin boxes (its running heads)."""

    starts: list[Any] = field(default_factory=list)
    pages: list[tuple[Any, tuple[Any, ...]]] = field(default_factory=list)
    carried: list[bool] = field(default_factory=list)
    margins: list[tuple[Any, ...]] = field(default_factory=list)
    passes: int = 0


@dataclass
class Session:
    reuse: tuple[Recording, int] | None = None  # a layout to take pages from, and how many
    recording: Recording | None = None
    reused: int = 0


SESSION: ContextVar[Session | None] = ContextVar("qlabbook_layout_session", default=None)
RECORDINGS: WeakKeyDictionary[Any, Recording] = WeakKeyDictionary()


def install() -> None:
    """Route WeasyPrint's pagination through this module, once per process; outside a
    session it is unchanged."""
    engine.hook_pagination(paginate, margin_boxes)


def paginate(pages_from: Callable[[list[Any]], Iterator[Any]], pagination: engine.Pagination,
             pages: list[Any]) -> Iterator[Any]:
    """One pass of the pagination, recorded in the session, seeded from the session's
    earlier layout on its first pass (`pages` are those already made: none then)."""
    session = SESSION.get()
    if session is None:
        yield from pages_from(pages)
        return
    if session.reuse is not None and not pages:  # the first pass of a resumed layout
        try:
            previous, count = session.reuse
            pages = pagination.seed(previous.starts, previous.pages, count)
        except (AttributeError, TypeError, ValueError):
            pages = []  # pagination's state is not as this expects: lay out every page
        session.reused = len(pages)
    recording = Recording(passes=(session.recording.passes if session.recording else 0) + 1)
    for page in pages_from(pages):
        recording.pages.append(engine.bare_page(page))
        recording.carried.append(pagination.carried_over())
        yield page
    if session.reuse is not None and session.reused:
        recording.carried[:session.reused] = session.reuse[0].carried[:session.reused]
    recording.starts = pagination.page_starts()
    session.recording = recording


def margin_boxes(make: Callable[[], Iterator[Any]], index: int) -> Iterator[Any]:
    """Page `index`'s margin boxes, kept from the earlier layout when they can be, and
    recorded in the session."""
    session = SESSION.get()
    if session is None or session.recording is None:
        yield from make()
        return
    margins = kept_margins(session, index)
    if margins is None:
        margins = tuple(make())
    session.recording.margins.append(margins)
    yield from margins


def kept_margins(session: Session, index: int) -> tuple[Any, ...] | None:
    """The margin boxes of page `index` as the previous layout made them, when that page
    was taken from it: a page's running heads are made from that page and the ones before
    it (its strings, its counters), and from the number of pages (counter(pages)), so
    they are kept only while the number of pages is the same too."""
    if session.reuse is None or index >= session.reused or session.recording is None:
        return None
    previous = session.reuse[0]
    if len(previous.margins) != len(previous.pages) or \
            len(session.recording.pages) != len(previous.pages):
        return None
    return previous.margins[index]


def lay_out(render: Callable[[], Any], previous: Any = None,
            changed: Collection[str] = ()) -> Any:
    """The document render() makes, its layout recorded for a later lay_out(). With the
    `previous` document of the same part and the ids of the blocks `changed` since (a
    figure moved, a paragraph repaired), the pages before the first page those blocks can
    reach are taken from `previous`."""
    install()
    session = Session()
    recording = RECORDINGS.get(previous) if previous is not None else None
    if recording is not None and changed:
        count = reusable_pages(previous, recording, changed)
        if count:
            session.reuse = (recording, count)
    token = SESSION.set(session)
    try:
        document = render()
    finally:
        SESSION.reset(token)
    if session.recording is not None and session.recording.passes == 1:
        RECORDINGS[document] = session.recording
    return document


def reusable_pages(document: Any, recording: Recording, changed: Collection[str]) -> int:
    """How many of the document's first pages a layout with the `changed` blocks would lay
    out as they are: all pages before the one before the first page any changed block
    starts on (that page's break was decided by what came before the block), back to one
    that nothing was carried into from the page before."""
    if recording.passes != 1 or len(recording.pages) != len(document.pages):
        return 0
    first = min((first_page(document, name) for name in changed), default=0)
    count = max(0, first - 1)
    while count and recording.carried[count - 1]:
        count -= 1
    return count


def first_page(document: Any, name: str) -> int:
    """The index of the first page with a box of the element whose id is `name` (0 if no
    page has one: nothing can be reused)."""
    for index, page in enumerate(document.pages):
        if any(element is not None and element.get("id") == name
               for element in map(engine.box_element, engine.page_boxes(page))):
            return index
    return 0


def of_one_tree(document: Any) -> Any:
    """The document, its pages' boxes all pointing at the elements of the HTML its last
    layout was made from. Pages kept from an earlier layout still point at that layout's
    elements; they print only what comes before every change, which stands at the same
    place (path of child indices) in both trees. What reads elements off the pages (the
    page map, above all) then sees one document."""
    roots = [engine.root_element(page) for page in document.pages]
    final = roots[-1] if roots else None
    if all(root is final for root in roots):
        return document
    at_path = {path: element for element, path in paths(final)}
    mapping: dict[int, Any] = {}
    for root in dict.fromkeys(root for root in roots if root is not final):
        mapping.update((id(element), at_path[path]) for element, path in paths(root)
                       if path in at_path)
    for page, root in zip(document.pages, roots, strict=True):
        if root is not final:
            engine.point_boxes_at(page, mapping)
    return document


def paths(root: Any) -> Iterator[tuple[Any, tuple[int, ...]]]:
    """Every element under `root` (itself included) with its path of child indices."""
    stack: list[tuple[Any, tuple[int, ...]]] = [(root, ())]
    while stack:
        element, path = stack.pop()
        yield element, path
        stack.extend((child, (*path, index)) for index, child in enumerate(element))
