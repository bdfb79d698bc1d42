"""Settling notes: each page-foot note on the page of its first call."""

from __future__ import annotations

from typing import Any

from qlabbook.source import ids
from qlabbook.typeset import engine
from qlabbook.typeset.pagemap import anchor_pages


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
    last = None
    for box in engine.page_boxes(document.pages[page]):
        kind = engine.box_kind(box)
        if kind == "footnotes":
            break  # the footnote area follows the page's text
        element = engine.box_element(box)
        if kind == "block" and element is not None and engine.box_tag(box) in BREAKABLE_BLOCKS:
            last = element
    return last


BREAKABLE_BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "figure", "blockquote", "table",
                    "pre", "dd", "dt"}


HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


def css_identifier(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else f"\\{ord(c):x} " for c in name)


def css_path(root: Any, target: Any) -> str | None:
    """A selector for `target`: its id (#e1-p7), or its path from its essay section
    (#e1 > :nth-child(2) > :nth-child(7)). A heading just before it goes with it, so the
    page does not end with a lone heading."""
    parents = {child: parent for parent in root.iter() for child in parent}
    while target in parents:
        siblings = list(parents[target])
        index = siblings.index(target)
        if index == 0 or siblings[index - 1].tag not in HEADINGS:
            break
        target = siblings[index - 1]
    if target.get("id"):  # paragraphs and headings: a name that moving a figure keeps
        return f"#{css_identifier(target.get('id'))}"
    steps = []
    element = target
    while element in parents:
        parent = parents[element]
        steps.append(f":nth-child({list(parent).index(element) + 1})")
        if ids.ESSAY_ANCHOR.match(parent.get("id", "")) and "essay" in parent.get("class", ""):
            return f"#{parent.get('id')} > " + " > ".join(reversed(steps))
        element = parent
    return None


def note_repairs(document: Any,
                 misplaced: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    """(essay, rule) for the first misplaced note of each essay. Every essay opens on a new
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
        root = engine.root_element(document.pages[call_page])
        rule = css_path(root, block) if block is not None and root is not None else None
        if rule is not None:
            rules.append((essay, f"{rule} {{ break-before: page; }}"))
    return rules
