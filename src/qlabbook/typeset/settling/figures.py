"""Settling figures: a figure that left a gap at a page foot moves below the text after it."""

from __future__ import annotations

from typing import Any

from qlabbook.source import ids
from qlabbook.typeset import engine
from qlabbook.typeset.html import FIXED_BLOCKS  # what a figure never moves past
from qlabbook.typeset.settling.notes import BREAKABLE_BLOCKS

LINES_SHORT = 2  # a page whose text stops more lines than this above its foot has a gap


def text_bottom(page: Any) -> tuple[float, float, float]:
    """(the foot of the page's text block, less its notes; how far down its text goes; the
    height of its text's lines, the median) in CSS pixels."""
    block = engine.text_block(page)
    notes = engine.notes_top(page)
    bottom = block.bottom if notes is None else min(block.bottom, notes)
    flow = [b for b in engine.flow_boxes(page) if engine.box_kind(b) in ("line", "image")]
    used = max((engine.box_bottom(b) for b in flow), default=block.top)
    heights = sorted(engine.box_height(b) for b in flow if engine.box_kind(b) == "line")
    return float(bottom), float(used), float(heights[len(heights) // 2]) if heights else 0.0


def text_bottom_gap(page: Any) -> float:
    """How much of the page's text block (less its notes) is left empty at the foot, as a
    share of the text block's height."""
    bottom, used, _ = text_bottom(page)
    return float(max(0.0, bottom - used) / engine.text_block(page).height)


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
    found: dict[str, tuple[str, int]] = {}
    for index in range(1, len(document.pages)):
        page = document.pages[index]
        first = next((b for b in engine.flow_boxes(page) if engine.box_kind(b) == "block"
                      and engine.box_tag(b) in BREAKABLE_BLOCKS), None)
        element = engine.box_element(first) if first is not None else None
        if first is None or engine.box_tag(first) != "figure" or element is None:
            continue
        figure_id = str(element.get("id", ""))
        if "figure" not in element.get("class", "") or not figure_id or \
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
    parent = next((b for b in engine.flow_boxes(page) if figure in engine.box_children(b)),
                  None)
    if parent is None:
        return 1
    siblings = list(engine.box_children(parent))
    count, filled = 0, 0.0
    for block in siblings[siblings.index(figure) + 1:]:
        if engine.box_tag(block) in FIXED_BLOCKS or filled >= gap:
            break
        count += 1
        filled += engine.box_height(block)
    return max(1, count)


def essay_gaps(document: Any) -> dict[str, list[float]]:
    """Each page's text_bottom_gap(), listed under the anchor (e1, e2, ...) of its essay."""
    found: dict[str, list[float]] = {}
    essay = ""
    for page in document.pages:
        essay = next((name for name in page.anchors if ids.ESSAY_ANCHOR.match(name)), essay)
        found.setdefault(essay, []).append(round(text_bottom_gap(page), 3))
    return found
