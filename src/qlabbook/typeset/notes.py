"""Settling notes: each page-foot note on the page of its first call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qlabbook.source import ids
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.typeset.folios import anchor_pages

MAX_REPAIRS = 8


def misplaced_notes(document: Any) -> list[tuple[str, int, int]]:
    """(note id, page of its call, page of the note) for every page-foot note printed on
    another page than its first call (page indexes from 0)."""
    pages = anchor_pages(document)
    found = []
    for name, note_page in pages.items():
        match = ids.NOTE_ID.match(name)
        call_page = pages.get(ids.call_id(match.group(1), int(match.group(2)))) if match \
            else None
        if call_page is not None and call_page != note_page:
            found.append((name, call_page, note_page))
    return sorted(found, key=lambda item: item[1])


def last_text_block(document: Any, page: int) -> Any:
    """The element of the last block of essay text laid out on a page."""
    from weasyprint.formatting_structure import boxes

    last = None
    for box in document.pages[page]._page_box.descendants():
        if isinstance(box, boxes.FootnoteAreaBox):
            break  # the footnote area follows the page's text
        if isinstance(box, boxes.BlockBox) and box.element is not None \
                and box.element_tag in BREAKABLE_BLOCKS:
            last = box.element
    return last


BREAKABLE_BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "figure", "blockquote", "table",
                    "pre", "dd", "dt"}


HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


def css_path(root: Any, target: Any) -> str | None:
    """A selector for `target` from its essay section: #e1 > :nth-child(2) > :nth-child(7).
    A heading just before it goes with it, so the page does not end with a lone heading."""
    parents = {child: parent for parent in root.iter() for child in parent}
    while target in parents:
        siblings = list(parents[target])
        index = siblings.index(target)
        if index == 0 or siblings[index - 1].tag not in HEADINGS:
            break
        target = siblings[index - 1]
    steps = []
    element = target
    while element in parents:
        parent = parents[element]
        steps.append(f":nth-child({list(parent).index(element) + 1})")
        if ids.ESSAY_ANCHOR.match(parent.get("id", "")) and "essay" in parent.get("class", ""):
            return f"#{parent.get('id')} > " + " > ".join(reversed(steps))
        element = parent
    return None


def note_repairs(document: Any, misplaced: list[tuple[str, int, int]]) -> list[str]:
    """A rule for the first misplaced note of each essay. Every essay opens on a new
    right-hand page, so a repair in one cannot move the lines or notes of another: one
    layout checks a repair in every essay at once, instead of one layout per repair."""
    rules = []
    essays: set[str] = set()
    for name, call_page, _ in misplaced:
        essay = ids.essay_of(name)
        if essay in essays:
            continue
        essays.add(essay)
        block = last_text_block(document, call_page)
        root = document.pages[call_page]._page_box.children[0].element  # <html>
        rule = css_path(root, block) if block is not None and root is not None else None
        if rule is not None:
            rules.append(f"{rule} {{ break-before: page; }}")
    return rules


def keep_notes_with_calls(collection: Collection, profile: str,
                          render: Callable[[tuple[str, ...]], Any], document: Any,
                          diagnostics: Diagnostics) -> Any:
    """WeasyPrint 70 makes room for a paragraph's first line at a page foot (its orphans
    check) by moving the page's last note to the next page, away from its call in an
    earlier paragraph. Where that happened, start that paragraph on the next page (it
    had at most two lines on this one) and lay the pages out again (`render`, with the
    repairs)."""
    repairs: list[str] = []
    for _ in range(MAX_REPAIRS):
        misplaced = misplaced_notes(document)
        if not misplaced:
            return document
        added = [rule for rule in note_repairs(document, misplaced) if rule not in repairs]
        if not added:
            break
        repairs += added
        document = render(tuple(repairs))
    for name, call_page, note_page in misplaced_notes(document):
        essay = next(e for e in collection.essays if e.anchor == ids.essay_of(name))
        number = name.rsplit("fn", 1)[1]
        diagnostics.warning(
            "R102", f"note {number} is printed on page {note_page + 1} of the {profile} PDF, "
            f"its call on page {call_page + 1}", essay.source.path, None,
            "shorten the note or the paragraph that calls it")
    return document
