"""ATX and setext headings and thematic breaks as CommonMark reads them: `#hashtag` is no
heading, a closing `#` sequence needs a space before it, up to three spaces may precede the
marks, a setext heading may span several lines, and `***` over `---` is two rules."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor, HRProcessor

from qlabbook.markdown.extensions.containers import (
    INDENTED_CODE,
    THEMATIC_BREAK,
    Reading,
    indent_of,
    interrupts_paragraph,
    starts_block,
)

ATX = re.compile(r"(?:^|\n) {0,3}(?P<level>#{1,6})(?:[ \t]+(?P<text>[^\n]*?))??"
                 r"(?:[ \t]+#+)?[ \t]*(?=\n|$)")
UNDERLINE = re.compile(r"^ {0,3}(?P<mark>=+|-+)[ \t]*$")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:")


class AtxHeadingProcessor(BlockProcessor):
    def __init__(self, md: Markdown, reading: Reading | None = None) -> None:
        super().__init__(md.parser)
        self.reading = reading if reading is not None else Reading()

    def test(self, parent: ET.Element, block: str) -> bool:
        match = ATX.search(block)
        # pandoc's blank_before_header: a heading line inside a paragraph is its text.
        return match is not None and not (self.reading.pandoc and match.start() > 0)

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        match = ATX.search(block)
        assert match is not None
        before, after = block[:match.start()], block[match.end():].lstrip("\n")
        if before:
            self.parser.parseBlocks(parent, [before])
        heading = ET.SubElement(parent, f"h{len(match.group('level'))}")
        text = (match.group("text") or "").strip()
        # `# foo #` has a closing sequence; `# #` is an empty heading.
        heading.text = "" if re.fullmatch(r"#*", text) else text
        if after:
            blocks.insert(0, after)


class SetextHeadingProcessor(BlockProcessor):
    """A paragraph's lines, then `===` (level 1) or `---` (level 2)."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md.parser)

    @staticmethod
    def underline_at(block: str) -> int:
        lines = block.split("\n")
        if starts_block(lines[0]) or indent_of(lines[0]) >= INDENTED_CODE or \
                not lines[0].strip() or REFERENCE_DEFINITION.match(lines[0]):
            return 0
        for index, line in enumerate(lines[1:], 1):
            if UNDERLINE.match(line):
                return index
            if interrupts_paragraph(line):
                return 0
        return 0

    def test(self, parent: ET.Element, block: str) -> bool:
        return self.underline_at(block) > 0

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        lines = blocks.pop(0).split("\n")
        index = self.underline_at("\n".join(lines))
        mark = UNDERLINE.match(lines[index])
        assert mark is not None
        level = 1 if mark.group("mark").startswith("=") else 2
        heading = ET.SubElement(parent, f"h{level}")
        heading.text = "\n".join(line.strip() for line in lines[:index])
        if index + 1 < len(lines):
            blocks.insert(0, "\n".join(lines[index + 1:]))


class ThematicBreakProcessor(HRProcessor):
    """Any number of spaces or tabs between the marks."""

    SEARCH_RE = re.compile(THEMATIC_BREAK.pattern, re.MULTILINE)

    def __init__(self, parser: BlockParser, reading: Reading | None = None) -> None:
        super().__init__(parser)
        self.reading = reading if reading is not None else Reading()

    def test(self, parent: ET.Element, block: str) -> bool:
        found = super().test(parent, block)
        # pandoc: a rule inside a paragraph is its text.
        return found and not (self.reading.pandoc and self.match.start() > 0)
