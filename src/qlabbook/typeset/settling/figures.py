"""Settling figures: a figure that left a gap at a page foot moves below the text after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qlabbook.source import ids
from qlabbook.typeset import engine
from qlabbook.typeset.html import FIXED_BLOCKS  # what a figure never moves past
from qlabbook.typeset.settling.notes import BREAKABLE_BLOCKS

LINES_SHORT = 2  # a page whose text stops more lines than this above its foot has a gap


def flow_boxes(box: Any) -> Iterator[Any]:
    """The boxes of a page's text flow: not its footnotes, not its margin boxes."""
    kinds = engine.box_kinds()
    yield box
    for child in getattr(box, "children", ()):
        if not isinstance(child, kinds.footnote_area | kinds.margin):
            yield from flow_boxes(child)


def text_bottom(page: Any) -> tuple[float, float, float]:
    """(the foot of the page's text block, less its notes; how far down its text goes; the
    height of its text's lines, the median) in CSS pixels."""
    kinds = engine.box_kinds()
    page_box = engine.page_box(page)
    top = page_box.content_box_y()
    bottom = top + page_box.height
    for child in page_box.children:
        if isinstance(child, kinds.footnote_area) and child.children:
            bottom = min(bottom, child.position_y)
    flow = [b for b in flow_boxes(page_box) if isinstance(b, kinds.line | kinds.replaced)]
    used = max((b.position_y + b.margin_height() for b in flow), default=top)
    heights = sorted(b.margin_height() for b in flow if isinstance(b, kinds.line))
    return float(bottom), float(used), float(heights[len(heights) // 2]) if heights else 0.0


def text_bottom_gap(page: Any) -> float:
    """How much of the page's text block (less its notes) is left empty at the foot, as a
    share of the text block's height."""
    bottom, used, _ = text_bottom(page)
    return float(max(0.0, bottom - used) / engine.page_box(page).height)


def lines_short(page: Any) -> int:
    """How many more lines of text the page's text block (less its notes) has room for
    below its text."""
    bottom, used, line = text_bottom(page)
    return int(max(0.0, bottom - used) / line + 1e-6) if line else 0


def figures_to_defer(document: Any, tried: set[str]) -> dict[str, int]:
    """For each essay, the first figure not yet tried that opens a page after a page left
    more than LINES_SHORT lines short, when text follows it that could fill that gap: its
    id, and past how many of the blocks that follow it to move it so that they fill the
    gap (the last of them may break across the pages, as a paragraph does)."""
    block = engine.box_kinds().block
    found: dict[str, tuple[str, int]] = {}
    for index in range(1, len(document.pages)):
        page = document.pages[index]
        first = next((b for b in flow_boxes(engine.page_box(page))
                      if isinstance(b, block) and b.element_tag in
                      BREAKABLE_BLOCKS), None)
        if first is None or first.element_tag != "figure":
            continue
        figure_id = str(first.element.get("id", ""))
        if "figure" not in first.element.get("class", "") or not figure_id or \
                figure_id in tried or ids.essay_of(figure_id) in found:
            continue
        previous = document.pages[index - 1]
        if lines_short(previous) > LINES_SHORT:
            bottom, used, _ = text_bottom(previous)
            found[ids.essay_of(figure_id)] = (figure_id,
                                              blocks_to_fill(page, first, bottom - used))
    return dict(found.values())


def blocks_to_fill(page: Any, figure: Any, gap: float) -> int:
    """How many of the blocks after `figure` on its page it takes to fill `gap` (at least
    one): a figure moves past them."""
    parent = next((b for b in flow_boxes(engine.page_box(page))
                   if figure in getattr(b, "children", ())), None)
    if parent is None:
        return 1
    siblings = list(parent.children)
    count, filled = 0, 0.0
    for block in siblings[siblings.index(figure) + 1:]:
        if block.element_tag in FIXED_BLOCKS or filled >= gap:
            break
        count += 1
        filled += block.margin_height()
    return max(1, count)


def essay_gaps(document: Any) -> dict[str, list[float]]:
    """Each page's text_bottom_gap(), listed under the anchor (e1, e2, ...) of its essay."""
    found: dict[str, list[float]] = {}
    essay = ""
    for page in document.pages:
        essay = next((name for name in page.anchors if ids.ESSAY_ANCHOR.match(name)), essay)
        found.setdefault(essay, []).append(round(text_bottom_gap(page), 3))
    return found
