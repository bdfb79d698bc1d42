"""Pages filled: no page of an essay ends more than two lines short of its notes or its foot,
but where the next page had to start with what it starts with."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from bookseries import make_series
from qlabbook.build import load_collection
from qlabbook.source import ids
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.engine import flow_boxes
from qlabbook.typeset.layout import settled
from qlabbook.typeset.parts import essay_jobs
from qlabbook.typeset.settling.figures import LINES_SHORT, lines_short
from qlabbook.typeset.settling.notes import BREAKABLE_BLOCKS

pytestmark = pytest.mark.slow


def first_block(page: Any) -> Any:
    from weasyprint.formatting_structure import boxes

    return next((box for box in flow_boxes(page)
                 if isinstance(box, boxes.BlockBox) and box.element_tag in BREAKABLE_BLOCKS),
                None)


def calls_a_note(page: Any, block: Any) -> bool:
    """Whether `block`, which opens the page, calls a note on it: WeasyPrint 70 moves the
    whole paragraph to the next page when the note it calls does not fit, not just the line
    with the call (a renderer limitation that no stylesheet rule changes)."""
    bottom = block.position_y + block.margin_height()
    return any(ids.CALL_ID.match(name) and y <= bottom
               for name, (_, y, _, _) in page.anchors.items())


def excused(next_page: Any) -> str:
    """Why the page before `next_page` may end short, or "" if nothing excuses it."""
    block = first_block(next_page)
    if block is None:
        return ""
    if block.element_tag in ("h2", "h3", "h4", "h5", "h6"):
        return "a heading keeps with its text"
    if block.element_tag in ("table", "figure"):
        return f"a {block.element_tag} that did not fit"
    if calls_a_note(next_page, block):
        return "a paragraph whose note did not fit"
    return ""


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_no_page_ends_more_than_two_lines_short(tmp_path: Path, size: str) -> None:
    collection = load_collection(make_series(tmp_path / "series", size))
    short = []
    filled = 0
    for job in essay_jobs(collection, "screen"):
        pages = settled(job, Diagnostics()).pages
        for number, (page, next_page) in enumerate(pairwise(pages), 1):
            lines = lines_short(page)
            if lines <= LINES_SHORT:
                filled += 1
            elif not excused(next_page):
                short.append(f"{job.part.name} page {number}: {lines} lines short")
    assert short == [] and filled >= 10


def test_a_figure_that_does_not_fit_is_moved_past_enough_text_to_fill_the_gap(
        tmp_path: Path) -> None:
    """The figure of essay 6 at A5 does not fit at the foot of its page: the text after it
    fills that page, and the figure opens the next one, with its caption."""
    collection = load_collection(make_series(tmp_path / "series", "A5"))
    job = essay_jobs(collection, "screen")[5]
    pages = settled(job, Diagnostics()).pages
    [index] = [i for i, page in enumerate(pages) if "e6-fig1" in page.anchors]
    assert first_block(pages[index]).element.get("id") == "e6-fig1"
    assert lines_short(pages[index - 1]) <= LINES_SHORT
