"""Settling figures: a figure that left a gap at a page foot moves below the next text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qlabbook.source import ids
from qlabbook.typeset.notes import BREAKABLE_BLOCKS

GAP_SHARE = 0.25  # a page whose text stops this far above its foot has a gap worth filling


def flow_boxes(box: Any) -> Iterator[Any]:
    """The boxes of a page's text flow: not its footnotes, not its margin boxes."""
    from weasyprint.formatting_structure import boxes

    yield box
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.FootnoteAreaBox | boxes.MarginBox):
            yield from flow_boxes(child)


def text_bottom_gap(page: Any) -> float:
    """How much of the page's text block (less its notes) is left empty at the foot, as a
    share of the text block's height."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box
    top = page_box.content_box_y()
    bottom = top + page_box.height
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox) and child.children:
            bottom = min(bottom, child.position_y)
    used = max((b.position_y + b.margin_height() for b in flow_boxes(page_box)
                if isinstance(b, boxes.LineBox | boxes.ReplacedBox)), default=top)
    return float(max(0.0, bottom - used) / page_box.height)


def figures_to_defer(document: Any, tried: set[str]) -> list[str]:
    """For each essay, the id of the first figure not yet tried that opens a page after a
    page left with a gap, when text follows it that could fill that gap."""
    from weasyprint.formatting_structure import boxes

    found: dict[str, str] = {}
    for index in range(1, len(document.pages)):
        first = next((b for b in flow_boxes(document.pages[index]._page_box)
                      if isinstance(b, boxes.BlockBox) and b.element_tag in
                      BREAKABLE_BLOCKS), None)
        if first is None or first.element_tag != "figure":
            continue
        figure_id = str(first.element.get("id", ""))
        if "figure" not in first.element.get("class", "") or not figure_id or \
                figure_id in tried:
            continue
        if text_bottom_gap(document.pages[index - 1]) > GAP_SHARE:
            found.setdefault(ids.essay_of(figure_id), figure_id)
    return list(found.values())


def essay_gaps(document: Any) -> dict[str, list[float]]:
    """Each page's text_bottom_gap(), listed under the anchor (e1, e2, ...) of its essay."""
    found: dict[str, list[float]] = {}
    essay = ""
    for page in document.pages:
        essay = next((name for name in page.anchors if ids.ESSAY_ANCHOR.match(name)), essay)
        found.setdefault(essay, []).append(round(text_bottom_gap(page), 3))
    return found
