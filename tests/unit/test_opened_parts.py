"""The parts' PDFs a watch keeps open between joins (typeset.join.OpenedParts)."""

from __future__ import annotations

from io import BytesIO

import pikepdf

from qlabbook.typeset.join import OpenedParts


def part(number: int) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100 + number, 100))
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_kept_part_is_opened_afresh_after_a_few_joins_a_few_parts_a_join() -> None:
    parts, sources = OpenedParts(), [part(n) for n in range(20)]
    opened = {data: parts.open(data) for data in sources}
    parts.let_go()
    fresh_per_join, last_fresh = [], {data: 0 for data in sources}
    for join in range(1, 3 * OpenedParts.REOPENED):
        now = {data: parts.open(data) for data in sources}
        fresh = [data for data in sources if now[data] is not opened[data]]
        fresh_per_join.append(len(fresh))
        for data in fresh:
            assert now[data].pages[0].mediabox[2] == 100 + sources.index(data)
            last_fresh[data] = join
        opened = now
        parts.let_go()
    # Each join opens a few sources again (the most worn), never all of them at once, and
    # none serves more than a few joins in a row.
    assert max(fresh_per_join) <= -(-len(sources) // OpenedParts.REOPENED)
    assert min(fresh_per_join[1:]) >= 1
    assert min(last_fresh.values()) > len(fresh_per_join) - OpenedParts.REOPENED


def test_a_part_the_last_join_did_not_use_is_closed() -> None:
    parts, first, second = OpenedParts(), part(1), part(2)
    parts.open(first)
    parts.open(second)
    parts.let_go()
    parts.open(second)
    parts.let_go()
    assert first not in parts.held
