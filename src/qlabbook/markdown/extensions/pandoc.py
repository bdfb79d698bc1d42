"""pandoc's Markdown extensions that Python-Markdown lacks: simple, multiline and grid tables,
pipe tables with a short delimiter row, table captions and alignment classes, strikeout,
fenced divs and `~` definitions."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.def_list import DefListProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.treeprocessors import Treeprocessor

from qlabbook.markdown.extensions.gridtables import GridTableProcessor
from qlabbook.markdown.extensions.multilinetables import MultilineTableProcessor
from qlabbook.markdown.extensions.simpletables import (
    IndentedHeaderTableProcessor,
    SimpleTableProcessor,
)

# `Table: caption`, `table: caption` or `: caption`, a paragraph before or after a table.
CAPTION = re.compile(r"^ {0,3}(?:[Tt]able:|:(?!:))[ \t]*(.*)", re.DOTALL)
ALIGNMENT = re.compile(r"^\s*text-align:\s*(left|right|center);?\s*$")
STRIKEOUT = r"(~{2})(?!~)(.+?)(?<!~)~~"
# pandoc's ^superscript^ and ~subscript~: no white space inside but an escaped space, which
# is a no-break space; `^[` opens an inline note and `~~` is strikeout.
SUPERSCRIPT = r"(\^)((?:\\ |[^\s^\[\]\\]|\\[^ ])+?)\^"
SUBSCRIPT = r"(?<!~)(~)(?!~)((?:\\ |[^\s~\\]|\\[^ ])+?)~(?!~)"
# `::: {.class #id}`, `::: class` or `::: {.a .b} :::`; a closing fence is colons alone.
DIV_OPEN = re.compile(r"^ {0,3}:{3,}[ \t]*(\{[^}\n]*\}|[\w-]+)[ \t]*:*[ \t]*$")
DIV_CLOSE = re.compile(r"^ {0,3}:{3,}[ \t]*$")
DIV_CLOSE_ANYWHERE = re.compile(r"^ {0,3}:{3,}[ \t]*$", re.MULTILINE)
DIV_CLASS = re.compile(r"(?:^|\s)\.([\w-]+)(?=\s|$)")
# The processors that read a block as a table, which a caption may come before.
TABLE_READERS = ("qlab_grid_table", "qlab_multiline_table", "table", "qlab_simple_table",
                 "qlab_indented_table")
DELIMITER_CELL = re.compile(r"^ *:?-+:? *$")


class ScriptProcessor(SimpleTagInlineProcessor):
    """A superscript or subscript; its escaped spaces are no-break spaces, as pandoc's."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[  # noqa: N802
            ET.Element, int, int]:
        element, start, end = super().handleMatch(m, data)
        element.text = (element.text or "").replace("\\ ", "\u00a0")
        return element, start, end


class PipeTableProcessor(TableProcessor):
    """A delimiter row with fewer cells than the header still makes a table, of as many
    columns as it has cells, as pandoc makes it: the cells beyond are left out, said once."""

    def __init__(self, parser: BlockParser, config: dict[str, object],
                 extension: PandocExtension) -> None:
        super().__init__(parser, config)
        self.extension = extension

    def test(self, parent: ET.Element, block: str) -> bool:
        if super().test(parent, block):
            return True
        lines = block.split("\n")
        if len(lines) < 2 or "|" not in lines[1] or "|" not in lines[0]:
            return False
        header, delimiter = self._split_row(lines[0].strip(" ")), \
            self._split_row(lines[1].strip(" "))
        if not (0 < len(delimiter) < len(header)
                and all(DELIMITER_CELL.match(cell) for cell in delimiter)):
            return False
        self.separator = delimiter
        return True

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        header = blocks[0].split("\n", 1)[0]
        columns, written = len(self.separator), len(self._split_row(header.strip(" ")))
        if written > columns:
            self.extension.problems.append((
                "M111", f"the table's delimiter row has {columns} cell"
                f"{'s' if columns > 1 else ''} and its header {written}: the cells beyond "
                f"column {columns} are left out, as pandoc leaves them", header))
        super().run(parent, blocks)


class TableCaptionProcessor(BlockProcessor):
    """A caption paragraph right after a table, or right before one, becomes its
    <caption> (before def_list reads `: caption` as a definition)."""

    def test(self, parent: ET.Element, block: str) -> bool:
        return bool(CAPTION.match(block)) or self.caption_below(parent, block) is not None

    def caption_below(self, parent: ET.Element, block: str) -> int | None:
        """Where a caption line starts that ends a table's block with no blank line."""
        lines = block.split("\n")
        if len(lines) < 3 or "|" in lines[-1] or not CAPTION.match(lines[-1]):
            return None
        return len(block) - len(lines[-1]) if self.is_table(parent, block) else None

    def is_table(self, parent: ET.Element, block: str) -> bool:
        return self.table_for(parent, block) is not None

    def table_for(self, parent: ET.Element, block: str) -> BlockProcessor | None:
        """The processor that reads `block` as a table: pipe tables', or simple tables'."""
        return next((self.parser.blockprocessors[name] for name in TABLE_READERS
                     if name in self.parser.blockprocessors
                     and self.parser.blockprocessors[name].test(parent, block)), None)

    def run(self, parent: ET.Element, blocks: list[str]) -> bool:
        block = blocks[0]
        below = None if CAPTION.match(block) else self.caption_below(parent, block)
        if below is not None:  # the table first, then its caption as the next block
            blocks[0:1] = [block[:below].rstrip("\n"), block[below:]]
            return False
        previous = self.lastChild(parent)
        if previous is not None and previous.tag == "table" and \
                previous.find("caption") is None:
            blocks.pop(0)
            add_caption(previous, CAPTION.match(block).group(1))  # type: ignore[union-attr]
            return True
        lines = block.split("\n")
        for cut in range(1, len(lines)):  # `Table: caption` directly above the table
            rest = "\n".join(lines[cut:])
            if self.is_table(parent, rest):
                blocks[0:1] = ["\n".join(lines[:cut]), rest]
                break
        table = self.table_for(parent, blocks[1]) if len(blocks) > 1 else None
        if table is not None:
            caption = blocks.pop(0)
            table.run(parent, blocks)
            created = self.lastChild(parent)
            if created is not None and created.tag == "table":
                add_caption(created, CAPTION.match(caption).group(1))  # type: ignore[union-attr]
                return True
            blocks.insert(0, caption)
        return False


def add_caption(table: ET.Element, text: str) -> None:
    caption = ET.Element("caption")
    caption.text = " ".join(text.split())
    table.insert(0, caption)


class AlignmentProcessor(Treeprocessor):
    """Python-Markdown aligns table cells with style=, which the sanitizer refuses: a class
    the stylesheets align says the same. pandoc's `{-}` is `.unnumbered`."""

    def run(self, root: ET.Element) -> None:
        for cell in root.iter():
            if "-" in cell.attrib:  # pandoc's `{-}` on a heading: attr_list reads "-="
                del cell.attrib["-"]
                cell.set("class", (cell.get("class", "") + " unnumbered").strip())
            if cell.tag not in ("th", "td") or "style" not in cell.attrib:
                continue
            found = ALIGNMENT.match(cell.get("style", ""))
            if found:
                del cell.attrib["style"]
                classes = (cell.get("class", "") + f" align-{found.group(1)}").strip()
                cell.set("class", classes)


class FencedDivProcessor(BlockProcessor):
    """pandoc's fenced divs: `::: {.class}` ... `:::`, nested by counting fences."""

    def __init__(self, parser: BlockParser, extension: PandocExtension) -> None:
        super().__init__(parser)
        self.extension = extension

    def test(self, parent: ET.Element, block: str) -> bool:
        return bool(DIV_OPEN.match(block.split("\n", 1)[0]))

    def run(self, parent: ET.Element, blocks: list[str]) -> bool:
        lines = "\n\n".join(blocks).split("\n") \
            if any(DIV_CLOSE_ANYWHERE.search(block) for block in blocks) else blocks[:1]
        index = closing_fence(lines)
        if index is None:  # the lines stay text, as in pandoc
            opening = blocks[0].split("\n", 1)[0]
            self.extension.problems.append((
                "M108", f"fenced div {opening.strip()!r} is never closed", opening))
            return False
        opening = DIV_OPEN.match(lines[0]).group(1)  # type: ignore[union-attr]
        classes = DIV_CLASS.findall(opening.strip("{}")) if opening.startswith("{") \
            else [opening]
        div = ET.SubElement(parent, "div")
        if classes:
            div.set("class", " ".join(classes))
        self.parser.parseChunk(div, "\n".join(lines[1:index]))
        rest = "\n".join(lines[index + 1:]).strip("\n")
        blocks[:] = rest.split("\n\n") if rest else []
        return True


def closing_fence(lines: list[str]) -> int | None:
    """The index of the line that closes the div opened on the first line."""
    depth = 0
    for index, line in enumerate(lines):
        if DIV_OPEN.match(line):
            depth += 1
        elif DIV_CLOSE.match(line):
            depth -= 1
            if depth == 0:
                return index
    return None


class TildeDefListProcessor(DefListProcessor):
    """Definitions may start with `~` as well as `:` (pandoc)."""

    RE = re.compile(r"(^|\n)[ ]{0,3}[:~][ ]{1,3}(.*?)(\n|$)")
    NO_INDENT_RE = re.compile(r"^[ ]{0,3}[^ :~]")


class PandocExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.problems: list[tuple[str, str, str]] = []  # code, message, source text

    def reset(self) -> None:
        self.problems = []

    def warn(self, code: str, message: str, needle: str) -> None:
        self.problems.append((code, message, needle))

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        parser = md.parser.blockprocessors
        # Below pipe tables (75 with their captions), above lists (74) and setext headings.
        parser.register(SimpleTableProcessor(md.parser), "qlab_simple_table", 74.5)
        parser.register(IndentedHeaderTableProcessor(md.parser), "qlab_indented_table", 80.5)
        # Above simple tables: a line of dashes over a header is a multiline table's.
        parser.register(MultilineTableProcessor(md.parser), "qlab_multiline_table", 74.7)
        parser.register(GridTableProcessor(md.parser, self.warn), "qlab_grid_table", 75.5)
        if "table" in parser:
            parser.register(PipeTableProcessor(md.parser, parser["table"].config, self),
                            "table", 75)
            # Above def_list's `: definition` (25) and paragraphs.
            parser.register(TableCaptionProcessor(md.parser), "qlab_table_caption", 76)
        if "deflist" in parser:
            parser.register(TildeDefListProcessor(md.parser), "deflist", 25)
        # Above code blocks (80): a fence is never indented code; the fence lines would
        # otherwise be paragraphs.
        parser.register(FencedDivProcessor(md.parser, self), "qlab_fenced_div", 82)
        # After attr_list (8), before figures (7).
        md.treeprocessors.register(AlignmentProcessor(md), "qlab_table_alignment", 7.5)
        md.inlinePatterns.register(SimpleTagInlineProcessor(STRIKEOUT, "del"),
                                   "qlab_strikeout", 65)
        # Below strikeout, above emphasis (60), so a^*hello*^ has its emphasis inside.
        md.inlinePatterns.register(ScriptProcessor(SUPERSCRIPT, "sup"), "qlab_superscript", 64)
        md.inlinePatterns.register(ScriptProcessor(SUBSCRIPT, "sub"), "qlab_subscript", 63)
