"""pandoc's grid tables: cells drawn with `+---+` borders and `|` sides, a `+===+` line under
the header, colons in the header's line (or the top one) for alignment. A cell holds blocks
(paragraphs, lists, code), read as Markdown; a cell that leaves out a `|` spans columns,
as in pandoc 3.

Written here rather than taken from markdown-grid-tables (GPLv3, where qlabbook is MIT; no
alignment colons; no pandoc captions), sharing the table shape of simple tables.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from itertools import pairwise

from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor

from qlabbook.markdown.extensions.simpletables import add_row

BORDER = re.compile(r"^ {0,3}\+(?:[-=:]+\+)+ *$")
ROW_LINE = re.compile(r"^ {0,3}\|.*\| *$")
# A border inside a row that another cell crosses: `+----+    |`, a cell spanning rows.
PARTIAL_BORDER = re.compile(r"^ {0,3}[+|](?:[-=: ]+[+|])+ *$")

Warn = Callable[[str, str, str], None]  # code, message, the source text it is about


def display_columns(line: str) -> list[int]:
    """The column each character of `line` starts at, as pandoc measures a grid table: an
    East Asian wide character takes two, a combining mark or zero-width character none."""
    starts, column = [], 0
    for char in line:
        starts.append(column)
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        column += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return starts


def char_at(line: str, column: int) -> str:
    """The character drawn at display `column` of the line, or "" past its end."""
    starts = display_columns(line)
    return next((char for char, start in zip(line, starts, strict=True) if start == column
                 and unicodedata.category(char) not in ("Mn", "Me", "Cf")), "")


def between(line: str, left: int, right: int) -> str:
    """The text strictly between display columns `left` and `right` of the line."""
    starts = display_columns(line)
    return "".join(char for char, start in zip(line, starts, strict=True)
                   if left < start < right)


def is_grid(block: str) -> bool:
    lines = block.split("\n")
    return len(lines) >= 3 and bool(BORDER.match(lines[0])) and bool(BORDER.match(lines[-1])) \
        and all(BORDER.match(line) or ROW_LINE.match(line) or PARTIAL_BORDER.match(line)
                for line in lines)


def column_alignment(segment: str) -> str | None:
    left, right = segment.startswith(":"), segment.endswith(":")
    return {(True, True): "center", (True, False): "left", (False, True): "right"}.get(
        (left, right))


def remove_one_leading_space(lines: list[str]) -> list[str]:
    """pandoc's reading of a cell: the space after `|` is the border's, when every line has it."""
    if all(not line or line.startswith(" ") for line in lines):
        return [line[1:] for line in lines]
    return lines


class GridTableProcessor(BlockProcessor):
    def __init__(self, parser: BlockParser, warn: Warn) -> None:
        super().__init__(parser)
        self.warn = warn

    def test(self, parent: ET.Element, block: str) -> bool:
        return is_grid(block)

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        lines = [line.rstrip() for line in blocks.pop(0).split("\n")]
        bounds = [i for i, char in enumerate(lines[0]) if char == "+"]
        head = next((i for i, line in enumerate(lines) if "=" in line and BORDER.match(line)),
                    None)
        guide = lines[head] if head is not None else lines[0]
        aligns = [column_alignment(guide[a + 1:b]) for a, b in pairwise(bounds)]
        rows: list[tuple[list[str], bool]] = []
        row: list[str] = []
        for index, line in enumerate(lines[1:], 1):
            if BORDER.match(line):
                rows.append((row, index == head))
                row = []
            else:
                if not ROW_LINE.match(line):
                    self.warn("M110", "a grid table cell spans rows: its parts are read as "
                              "rows of their own", line)
                    rows.append((row, False))
                    row = []
                    continue
                row.append(line)
        table = ET.SubElement(parent, "table")
        has_head = head is not None and head < len(lines) - 1
        section = ET.SubElement(table, "thead" if has_head else "tbody")
        for row_lines, ends_head in rows:
            if row_lines:
                self.add_row(section, "th" if section.tag == "thead" else "td", row_lines,
                             bounds, aligns)
            if ends_head:
                section = ET.SubElement(table, "tbody")

    def add_row(self, section: ET.Element, tag: str, lines: list[str], bounds: list[int],
                aligns: list[str | None]) -> None:
        """One row: its cells between the sides every line of it has (a missing side spans
        columns), each read as blocks."""
        sides = [b for b in bounds if all(char_at(line, b) in ("|", "+") for line in lines)]
        spans = list(pairwise(sides))
        cell_aligns = [aligns[bounds.index(a)] for a, _ in spans]
        cells = add_row(section, tag, [""] * len(spans), cell_aligns)
        for cell, (a, b) in zip(cells, spans, strict=True):
            width = bounds.index(b) - bounds.index(a)
            if width > 1:
                cell.set("colspan", str(width))
            text = "\n".join(remove_one_leading_space([between(line, a, b).rstrip()
                                                        for line in lines]))
            self.parser.parseChunk(cell, text.strip("\n"))
            unwrap_single_paragraph(cell)


def unwrap_single_paragraph(cell: ET.Element) -> None:
    """A cell of one paragraph holds its text, as pipe tables' cells do (pandoc's Plain)."""
    if len(cell) == 1 and cell[0].tag == "p" and not (cell.text or "").strip():
        paragraph = cell[0]
        cell.remove(paragraph)
        cell.text = paragraph.text
        cell.extend(list(paragraph))
