"""pandoc's simple tables: columns marked by runs of dashes under a header line (or, without a
header, by dashed lines above and below the rows), each row one line, each column aligned
by where its header (or first row) sits over its dashes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown.blockprocessors import BlockProcessor

# Two or more runs of dashes separated by spaces: `-------  ------ ----------`. Single
# dashes (`- - -`) are a thematic break, a lone run a setext heading's underline.
DASHES = re.compile(r"^ {0,3}(?=[- ]*-- +-)-+(?: +-+)+ *$")
DASH_RUN = re.compile(r"-+")

Column = tuple[int, int]  # the start and end of a run of dashes


def columns_of(line: str) -> list[Column]:
    return [(run.start(), run.end()) for run in DASH_RUN.finditer(line)]


def cells(line: str, columns: list[Column]) -> list[str]:
    """A row's text cut at the columns: each cell runs from its column's start to the next
    column's start (the last to the line's end)."""
    starts = [start for start, _ in columns] + [max(len(line), columns[-1][1])]
    return [line[starts[i]:starts[i + 1]].strip() for i in range(len(columns))]


def alignment(line: str, column: Column, following: int) -> str | None:
    """pandoc's rule: text flush with the dashes' left end only is left-aligned, with their
    right end only right-aligned, with neither centred; with both, the default."""
    start, end = column
    text = line[:following]
    left = len(text) - len(text[start:].lstrip()) if len(text) > start else end
    right = len(text.rstrip())
    flush_left, flush_right = left == start, right == end
    if flush_left and flush_right:
        return None
    if flush_left:
        return "left"
    if flush_right:
        return "right"
    return "center"


def table_lines(block: str) -> tuple[str | None, list[str], list[Column]] | None:
    """(the header line or None, the rows, the columns) of a simple table, else None."""
    lines = block.split("\n")
    if len(lines) >= 3 and DASHES.match(lines[0]) and DASHES.match(lines[-1]) \
            and not any(DASHES.match(line) for line in lines[1:-1]):
        return None, lines[1:-1], columns_of(lines[0])  # no header
    if len(lines) >= 3 and "|" not in lines[1] and DASHES.match(lines[1]) \
            and lines[0].strip() and not any(DASHES.match(line) for line in lines[2:-1]):
        rows = lines[2:-1] if DASHES.match(lines[-1]) else lines[2:]
        if rows:
            return lines[0], rows, columns_of(lines[1])
    return None


class SimpleTableProcessor(BlockProcessor):
    """A block that is a simple table becomes a <table> as pipe tables make it (alignment
    as `text-align`, made a class later, as for pipe tables)."""

    def test(self, parent: ET.Element, block: str) -> bool:
        return table_lines(block) is not None

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        found = table_lines(blocks.pop(0))
        assert found is not None
        header, rows, columns = found
        guide = header if header is not None else rows[0]
        followings = [start for start, _ in columns[1:]] + [1 << 20]
        aligns = [alignment(guide, column, following)
                  for column, following in zip(columns, followings, strict=True)]
        table = ET.SubElement(parent, "table")
        if header is not None:
            add_row(ET.SubElement(table, "thead"), "th", cells(header, columns), aligns)
        body = ET.SubElement(table, "tbody")
        for row in rows:
            add_row(body, "td", cells(row, columns), aligns)


class IndentedHeaderTableProcessor(SimpleTableProcessor):
    """A simple table whose header line is indented four spaces or more (a right-aligned
    column's header over dashes indented two, say): pandoc reads a table before indented
    code, so this one is asked before code blocks are."""

    def test(self, parent: ET.Element, block: str) -> bool:
        found = table_lines(block)
        return found is not None and found[0] is not None and block.startswith("    ")


def add_row(parent: ET.Element, tag: str, texts: list[str],
            aligns: list[str | None]) -> list[ET.Element]:
    """A <tr> of `tag` cells holding `texts`, aligned as pipe tables align (`text-align`,
    made a class later); its cells."""
    row = ET.SubElement(parent, "tr")
    made = []
    for text, align in zip(texts, aligns, strict=True):
        cell = ET.SubElement(row, tag)
        cell.text = text  # inline Markdown is read later, as in pipe tables
        if align is not None:
            cell.set("style", f"text-align: {align};")
        made.append(cell)
    return made
