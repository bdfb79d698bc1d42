"""pandoc's multiline tables: a line of dashes over the header (whose cells may take several
lines), runs of dashes marking the columns, rows of one or more lines separated by blank
lines, and a closing line of dashes; without a header, rows between two lines of runs.
A cell's lines are joined into one, each column aligned as in simple tables by where its
header's (or first row's) longest line sits over its dashes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown.blockprocessors import BlockProcessor

from qlabbook.markdown.extensions.simpletables import (
    DASHES,
    Column,
    add_row,
    alignment,
    cells,
    columns_of,
)

# The single line of dashes above a multiline table's header (and, often, below its rows).
RULE = re.compile(r"^ {0,3}-{3,} *$")


def is_closing(line: str) -> bool:
    return bool(RULE.match(line) or DASHES.match(line))


def opening(block: str) -> tuple[list[str], list[Column]] | None:
    """(the header's lines, the columns) when `block` opens a multiline table, else None.
    Without a header the first line is the columns' and the block goes on past it (a block
    that is all one simple table is left to simple tables)."""
    lines = block.split("\n")
    if RULE.match(lines[0]):
        under = next((i for i, line in enumerate(lines[1:], 1) if DASHES.match(line)), None)
        if under is not None and under > 1 and all(line.strip() for line in lines[1:under]):
            return lines[1:under], columns_of(lines[under])
        return None
    if DASHES.match(lines[0]) and len(lines) > 1 and not DASHES.match(lines[-1]):
        return [], columns_of(lines[0])
    return None


def rows_until_closing(blocks: list[str], first: list[str]) -> tuple[list[list[str]], int] | None:
    """The rows (lines between blank lines) up to the closing dashes, and how many blocks
    they took; None when no block ends with a closing line."""
    rows: list[list[str]] = []
    for taken, lines in enumerate([first] + [b.split("\n") for b in blocks[1:]], 1):
        if lines and is_closing(lines[-1]):
            if lines[:-1]:
                rows.append(lines[:-1])
            return rows, taken
        if any(is_closing(line) for line in lines):
            return None  # a dashed line inside a row: not this kind of table
        rows.append(lines)
    return None


def joined_cells(lines: list[str], columns: list[Column]) -> list[str]:
    """A row's cells: each column's text on every line of the row, joined by line breaks."""
    per_line = [cells(line, columns) for line in lines]
    return ["\n".join(texts[i] for texts in per_line if texts[i]) for i in range(len(columns))]


def alignments(lines: list[str], columns: list[Column]) -> list[str | None]:
    """Each column's alignment from its longest line among `lines` (the header's, or the
    first row's), as pandoc reads it."""
    followings = [start for start, _ in columns[1:]] + [1 << 20]
    aligns: list[str | None] = []
    for column, following in zip(columns, followings, strict=True):
        longest = max(lines, key=lambda line: len(line[column[0]:following].strip()))
        aligns.append(alignment(longest, column, following))
    return aligns


class MultilineTableProcessor(BlockProcessor):
    def test(self, parent: ET.Element, block: str) -> bool:
        return opening(block) is not None

    def run(self, parent: ET.Element, blocks: list[str]) -> bool:
        found = opening(blocks[0])
        assert found is not None
        header, columns = found
        lines = blocks[0].split("\n")
        first = lines[len(header) + 2:] if header else lines[1:]
        read = rows_until_closing(blocks, first)
        if read is None or not read[0]:
            return False  # no closing line: left to the other readers, as pandoc does
        rows, taken = read
        del blocks[:taken]
        aligns = alignments(header or rows[0], columns)
        table = ET.SubElement(parent, "table")
        if header:
            add_row(ET.SubElement(table, "thead"), "th", joined_cells(header, columns), aligns)
        body = ET.SubElement(table, "tbody")
        for row in rows:
            add_row(body, "td", joined_cells(row, columns), aligns)
        return True
