"""Settling an essay's pages from its layout: figures that left a gap, notes away from their
calls. Both are decided from the same layout, so most essays that need settling are laid out
twice, not three times."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from qlabbook.source import ids
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.typeset.settling.figures import essay_gaps, figures_to_defer
from qlabbook.typeset.settling.notes import misplaced_notes, note_repairs

MAX_ROUNDS = 8
# Lays the same pages out again with figures deferred and CSS repairs added. It is also
# given the layout it changes and the ids of the blocks that changed since (none when a
# change cannot be named so), which a renderer may use to keep that layout's pages before
# them (resume.py).
Render = Callable[[Mapping[str, int], tuple[str, ...], Any, frozenset[str]], Any]


def settle(render: Render, document: Any, collection: Collection, profile: str,
           diagnostics: Diagnostics) -> Any:
    """The pages settled, round by round, each round one more layout:
    - WeasyPrint moves a figure that does not fit to the next page and leaves the rest of
      the page empty: the figure is moved below as much of the text after it as fills that
      gap instead (a float to the next page's top, as a typesetter would), again while a
      gap of more than two lines is left; a move that leaves its essay's pages as they
      were is dropped;
    - WeasyPrint 70 makes room for a paragraph's first line at a page foot (its orphans
      check) by moving the page's last note to the next page, away from its call in an
      earlier paragraph: that paragraph starts the next page instead (it had at most two
      lines on this one).
    A repair names its paragraph by id, so a figure moved in the same round does not change
    what it names; one named by its place (a list item, say) waits for the figure."""
    moves: dict[str, int] = {}
    repairs: list[str] = []
    tried: set[str] = set()
    laid_out: tuple[dict[str, int], list[str]] = ({}, [])  # what `document` was made with
    footnotes = collection.options.notes == "footnotes"
    for _ in range(MAX_ROUNDS):
        figures = figures_to_defer(document, tried)
        moving = {ids.essay_of(figure) for figure in figures}
        found = note_repairs(document, misplaced_notes(document)) if footnotes else []
        added = [(essay, rule) for essay, rule in found
                 if rule not in repairs and (essay not in moving or by_id(rule))]
        if not figures and not added:
            break
        moved = {**moves, **{figure: moves.get(figure, 0) + count
                             for figure, count in figures.items()}}
        trying = repairs + [rule for _, rule in added]
        attempt = render(moved, tuple(trying), document, changed_blocks(laid_out, moved, trying))
        before, after = essay_gaps(document), essay_gaps(attempt)
        repaired = {essay for essay, _ in added}
        kept = False
        for figure in figures:
            essay = ids.essay_of(figure)
            # Judged by its essay's pages, unless a repair changed them in the same round.
            if essay in repaired or before.get(essay) != after.get(essay):
                moves[figure] = moved[figure]
                kept = True
            else:
                tried.add(figure)  # it cannot go further down (a heading or figure follows)
        repairs += [rule for _, rule in added]
        if kept or added:  # an essay whose move was dropped has the same pages in both
            document, laid_out = attempt, (moved, trying)
    if footnotes:
        report_misplaced(document, collection, profile, diagnostics)
    return document


def changed_blocks(before: tuple[Mapping[str, int], list[str]], moves: Mapping[str, int],
                   repairs: list[str]) -> frozenset[str]:
    """The ids of the blocks where a layout made with `moves` and `repairs` first differs
    from one made with `before`'s: a figure moved further down (from where it was), a
    paragraph repaired. None when a change cannot be named so (a figure moved back up, a
    repair naming its block by its place)."""
    moved_before, repaired_before = before
    changed = set()
    for figure in set(moves) | set(moved_before):
        if moves.get(figure, 0) < moved_before.get(figure, 0):
            return frozenset()
        if moves.get(figure, 0) != moved_before.get(figure, 0):
            changed.add(figure)
    for rule in set(repairs) ^ set(repaired_before):
        if not by_id(rule) or "\\" in rule:  # by place, or an id escaped for CSS
            return frozenset()
        changed.add(rule.split("{")[0].strip()[1:])
    return frozenset(changed)


def by_id(rule: str) -> bool:
    """Whether a repair names its block by id (#e1-p7), not by its place among others."""
    selector = rule.split("{")[0].strip()
    return selector.startswith("#") and " " not in selector


def report_misplaced(document: Any, collection: Collection, profile: str,
                     diagnostics: Diagnostics) -> None:
    for name, call_page, note_page in misplaced_notes(document):
        essay = next(e for e in collection.essays if e.anchor == ids.essay_of(name))
        number = name.rsplit("fn", 1)[1]
        diagnostics.warning(
            "R102", f"note {number} is printed on page {note_page + 1} of the {profile} PDF, "
            f"its call on page {call_page + 1}", essay.source.path, None,
            "shorten the note or the paragraph that calls it")
