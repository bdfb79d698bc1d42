"""Lists and quotations as CommonMark reads them.

A list item's content is every following line indented at least as far as the item's first
character of text (two spaces after `-`, three after `1.`, ...), blank lines included, plus
lazy continuation lines of its last paragraph; a quotation holds its `>` lines and the lazy
continuation lines of its last paragraph. Both end at the first line that starts another
block. The content is parsed again as Markdown inside the `<li>` or `<blockquote>`, so they
hold anything. Tight lists (no blank line between items or blocks) lose their `<p>`s.

Read as pandoc reads Markdown (`Reading.pandoc`), a list or quotation needs a blank line
before it, as a heading or rule does (pandoc's blank_before_* rules): "text\n* item" is one
paragraph, save a list inside a list item; a line after an open paragraph continues it.

pandoc's fancy_lists, startnum and example_lists markers are read too: `(1)`, `1)`, `#.`
and `(@)` or `(@label)`, whose numbers run on through the essay's example lists; a label
written `(@label)` in the text is printed as its example's number.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor

from qlabbook.markdown.extensions.fences import closes, opening_fence

LETTERS = r"[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+"  # pandoc's fancy_lists: a letter or a roman number
ITEM = re.compile(r"^(?P<indent> {0,3})(?P<marker>[-+*]|(?P<number>\d{1,9})[.)]"
                  r"|\((?P<paren>\d{1,9})\)|#[.)]|\(@(?P<example>[\w-]*)\)"
                  rf"|(?P<fancy>{LETTERS})[.)]|\((?P<pfancy>{LETTERS})\))"
                  r"(?P<space> *)(?P<text>.*)$")
# A marker's kind without its number, letters or label: items of one list share it.
MARKER_KIND = re.compile(r"\d+|(?<=@)[\w-]+|[a-zA-Z]+(?=[.)])")
ROMAN = re.compile(r"m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
# The classes print.css numbers each HTML list type by (WeasyPrint ignores `type`).
TYPE_CLASSES = {"a": "lower-alpha", "A": "upper-alpha", "i": "lower-roman", "I": "upper-roman"}
# `(1)` as a class the stylesheets give its markers for; `1)` is an <ol> as CommonMark's.
DELIMITER_CLASSES = {"()": "two-parens"}
EXAMPLE_REFERENCE = r"\(@([\w-]+)\)"
THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
QUOTE = re.compile(r"^ {0,3}> ?")
SETEXT_EQUALS = re.compile(r"^ {0,3}=+[ \t]*$")
INDENTED_CODE = 4


@dataclass
class Reading:
    """How the essay converted now is read: as CommonMark, or as pandoc (set per essay), and
    how many list items deep the parser is (where pandoc lets a list end a paragraph)."""

    pandoc: bool = False
    items: int = 0

    def ends_paragraph(self, item: re.Match[str]) -> bool:
        """Whether the list item on a paragraph's next line starts a list there."""
        if self.pandoc:
            return self.items > 0 and bool(item.group("text").strip())
        return interrupts(item)

    def starts_block(self, line: str, in_quote: bool = False) -> bool:
        """Whether `line`, after an open paragraph, starts a block rather than continuing
        it lazily: for pandoc only a fence does, or in a list another item."""
        if self.pandoc:
            return bool(opening_fence(line) or (not in_quote and list_item(line, fancy=True)))
        return starts_block(line)


def list_item(line: str, fancy: bool = False) -> re.Match[str] | None:
    """A list item's first line (not a thematic break such as `- - -`); with `fancy`, also
    pandoc's letters and roman numbers (`a.`, `(ii)`, `B)`)."""
    match = ITEM.match(line)
    if not match or (match.group("text") and not match.group("space")):
        return None
    if THEMATIC_BREAK.match(line):
        return None
    letters = fancy_letters(match)
    if letters and not fancy:
        return None
    # pandoc: a capital letter and a period need two spaces after them ("B. Russell").
    if len(letters) == 1 and letters.isupper() and match.group("marker").endswith(".") \
            and len(match.group("space")) < 2 and match.group("text"):
        return None
    if letters and len(letters) > 1 and not ROMAN.fullmatch(letters.lower()):
        return None
    return match


def fancy_letters(item: re.Match[str]) -> str:
    return item.group("fancy") or item.group("pfancy") or ""


def letters_type(letters: str, within: str = "") -> str:
    """The HTML list type ("a", "A", "i", "I") the letters are read as, or "" for none:
    as the list's type `within` when given, else as pandoc reads a first item (`i.` is
    roman, any other single letter alphabetic)."""
    if within:
        fits = len(letters) == 1 if within in "aA" else bool(ROMAN.fullmatch(letters.lower()))
        return within if fits and letters.islower() == within.islower() else ""
    if len(letters) == 1 and letters not in "iI":
        return "a" if letters.islower() else "A"
    return "i" if letters.islower() else "I"


def letters_value(letters: str, kind: str) -> int:
    if kind in "aA":
        return ord(letters.lower()) - ord("a") + 1
    values = [ROMAN_VALUES[c] for c in letters.lower()]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def interrupts(item: re.Match[str]) -> bool:
    """Whether a list item may end a paragraph: a bullet or `1.` as in CommonMark (pandoc's
    own markers never do, as in pandoc)."""
    return bool(item.group("text").strip()) and (
        item.group("marker")[0] in "-+*" or item.group("number") == "1")


def interrupts_paragraph(line: str) -> bool:
    """Whether `line` starts a block that ends a paragraph (so it is no lazy continuation)."""
    item = list_item(line)
    if item and interrupts(item):
        return True
    return bool(THEMATIC_BREAK.match(line) or ATX_HEADING.match(line) or QUOTE.match(line)
                or opening_fence(line))


def starts_block(line: str) -> bool:
    """Whether `line` starts a block once the container it follows is closed: it ends a
    list item or a quotation rather than continuing its paragraph lazily."""
    return bool(list_item(line) or THEMATIC_BREAK.match(line) or ATX_HEADING.match(line)
                or QUOTE.match(line) or opening_fence(line))


def lazy(line: str) -> str:
    """A lazy continuation line as its container's content: it continues a paragraph, so
    `===` there is text, not the underline of a heading."""
    return "\\" + line.lstrip(" ") if SETEXT_EQUALS.match(line) else line


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass
class ParagraphTracker:
    """Whether the last line read leaves a paragraph open (so a lazy line may continue it)."""

    fence: str = ""
    open: bool = False

    def read(self, line: str) -> None:
        if self.fence:
            self.fence = "" if closes(line, self.fence) else self.fence
            self.open = False
            return
        stripped = line.lstrip(" ")
        match = opening_fence(line)
        if match:
            self.fence, self.open = match.group("fence"), False
        elif not stripped or ATX_HEADING.match(line) or THEMATIC_BREAK.match(line):
            self.open = False
        elif indent_of(line) >= INDENTED_CODE and not self.open:
            self.open = False  # indented code
        else:
            quote = QUOTE.match(line)
            item = list_item(line)
            rest = line[quote.end():] if quote else (
                item.group("text") if item else stripped)
            self.open = bool(rest.strip())


@dataclass
class Item:
    marker: re.Match[str]  # its first line's
    width: int  # the content's indent
    lines: list[str] = field(default_factory=list)


class LineCursor:
    """The lines of a block and, on demand, of the blocks after it (a blank line between)."""

    def __init__(self, blocks: list[str]) -> None:
        self.blocks = blocks
        self.lines = blocks.pop(0).split("\n")

    def get(self, index: int) -> str | None:
        while index >= len(self.lines) and self.blocks:
            self.lines.extend(["", *self.blocks.pop(0).split("\n")])
        return self.lines[index] if index < len(self.lines) else None

    def give_back(self, index: int) -> None:
        """Return the lines from `index` on to the blocks still to parse."""
        rest = "\n".join(self.lines[index:])
        if index < len(self.lines):
            self.blocks[0:0] = rest.split("\n\n")


def marker_kind(item: re.Match[str]) -> str:
    return MARKER_KIND.sub("", item.group("marker"))


def same_list(first: re.Match[str], other: re.Match[str]) -> bool:
    """Whether `other` continues the list `first` opens: the same marker kind, and letters
    that read in the first item's list type."""
    if marker_kind(first) != marker_kind(other):
        return False
    letters, others = fancy_letters(first), fancy_letters(other)
    if not letters or not others:
        return letters == others
    return bool(letters_type(others, letters_type(letters)))


@dataclass
class Examples:
    """An essay's example items so far (they are numbered across its lists) and labels."""

    count: int = 0
    labels: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.count, self.labels = 0, {}

    def number(self, item: re.Match[str]) -> int:
        self.count += 1
        if item.group("example"):
            self.labels.setdefault(item.group("example"), self.count)
        return self.count


class ExampleReferenceProcessor(InlineProcessor):
    """`(@label)` in the text is its example's number, `(2)`; an unknown label stays."""

    def __init__(self, md: Markdown, examples: Examples) -> None:
        super().__init__(EXAMPLE_REFERENCE, md)
        self.examples = examples

    def handleMatch(  # noqa: N802
            self, m: re.Match[str], data: str) -> tuple[str | None, int | None, int | None]:
        number = self.examples.labels.get(m.group(1))
        if number is None:
            return None, None, None
        return f"({number})", m.start(0), m.end(0)


class ListProcessor(BlockProcessor):
    def __init__(self, md: Markdown, examples: Examples | None = None,
                 reading: Reading | None = None) -> None:
        super().__init__(md.parser)
        self.examples = examples if examples is not None else Examples()
        self.reading = reading if reading is not None else Reading()

    def test(self, parent: ET.Element, block: str) -> bool:
        return list_item(block.split("\n", 1)[0], self.reading.pandoc) is not None

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        cursor = LineCursor(blocks)
        first = list_item(cursor.lines[0], self.reading.pandoc)
        assert first is not None
        items, loose, index = self.read_items(cursor, first)
        container = self.list_element(parent, first, items)
        for item in items:
            li = ET.SubElement(container, "li")
            self.reading.items += 1
            try:
                self.parser.parseChunk(li, "\n".join(item.lines))
            finally:
                self.reading.items -= 1
            loose = loose or has_inner_blank(item, self.reading.pandoc)
        if not loose:
            for li in container:
                unwrap_paragraphs(li)
        cursor.give_back(index)

    def list_element(self, parent: ET.Element, first: re.Match[str],
                     items: list[Item]) -> ET.Element:
        """The <ul> or <ol> of the list, with its start number and delimiter's class."""
        kind = marker_kind(first)
        if kind in "-+*":
            return ET.SubElement(parent, "ul")
        container = ET.SubElement(parent, "ol")
        letters = fancy_letters(first)
        if kind == "(@)":
            numbers = [self.examples.number(item.marker) for item in items]
            start, classes = numbers[0], ["example", "two-parens"]
        elif letters:  # as pandoc writes it: <ol type="a" start="2">
            list_type = letters_type(letters)
            container.set("type", list_type)
            start = letters_value(letters, list_type)
            classes = [TYPE_CLASSES[list_type]]
            classes += [DELIMITER_CLASSES[kind]] if kind in DELIMITER_CLASSES else []
        else:
            start = int(first.group("number") or first.group("paren") or 1)
            classes = [DELIMITER_CLASSES[kind]] if kind in DELIMITER_CLASSES else []
        if start != 1:
            container.set("start", str(start))
        if classes:
            container.set("class", " ".join(classes))
        return container

    def read_items(self, cursor: LineCursor, first: re.Match[str]
                   ) -> tuple[list[Item], bool, int]:
        """The items of the list starting at line 0, whether blank lines separate them, and
        the index of the first line after the list."""
        items: list[Item] = []
        loose, index = False, 0
        while True:
            line = cursor.get(index)
            match = list_item(line, self.reading.pandoc) if line is not None else None
            if match is None or not same_list(first, match):
                return items, loose, index
            item = start_item(match)
            items.append(item)
            tracker = ParagraphTracker()
            tracker.read(item.lines[0])
            index += 1
            while (line := cursor.get(index)) is not None:
                if not line.strip():
                    following = next_filled(cursor, index)
                    # An item may begin with at most one blank line.
                    if following is None or indent_of(following[1]) < item.width or \
                            item.lines == [""]:
                        sibling = list_item(following[1], self.reading.pandoc) \
                            if following else None
                        if following and sibling and same_list(first, sibling):
                            loose, index = True, following[0]
                        break
                    item.lines.extend([""] * (following[0] - index))
                    index = following[0]
                    tracker.read("")
                    continue
                sibling = list_item(line, self.reading.pandoc)
                if indent_of(line) >= item.width:
                    item.lines.append(line[item.width:])
                elif sibling and same_list(first, sibling):
                    break
                elif tracker.open and not self.reading.starts_block(line):
                    item.lines.append(lazy(line))
                else:
                    return items, loose, index
                tracker.read(item.lines[-1])
                index += 1
            if line is None:
                return items, loose, index


def start_item(match: re.Match[str]) -> Item:
    indent, marker = len(match.group("indent")), len(match.group("marker"))
    spaces, text = len(match.group("space")), match.group("text")
    if not text:  # an item that starts with a blank line
        return Item(match, indent + marker + 1, [""])
    if spaces > INDENTED_CODE:  # the text is indented code: one space belongs to the marker
        return Item(match, indent + marker + 1, [" " * (spaces - 1) + text])
    return Item(match, indent + marker + spaces, [text])


def next_filled(cursor: LineCursor, index: int) -> tuple[int, str] | None:
    while (line := cursor.get(index)) is not None:
        if line.strip():
            return index, line
        index += 1
    return None


def has_inner_blank(item: Item, fancy: bool = False) -> bool:
    """Whether a blank line separates two of the item's own blocks (not lines of a fenced
    code block, nor blocks of a nested list, which make that list loose)."""
    fence, nested, previous = "", 0, ""
    for position, line in enumerate(item.lines):
        if fence:
            fence = "" if closes(line, fence) else fence
        elif line.strip():
            match = opening_fence(line)
            item_match = list_item(line, fancy)
            if match:
                fence = match.group("fence")
            if item_match and (not nested or indent_of(line) < nested):
                nested = start_item(item_match).width
            elif nested and indent_of(line) < nested and not previous.strip():
                nested = 0
        elif previous.strip():
            following = next((later for later in item.lines[position:] if later.strip()), None)
            if following is not None and not (
                    nested and (indent_of(following) >= nested or list_item(following, fancy))):
                return True
        previous = line
    return False


def unwrap_paragraphs(li: ET.Element) -> None:
    """A tight item's paragraphs become its text (CommonMark's rendering of tight lists)."""
    for position, child in reversed(list(enumerate(li))):
        if child.tag != "p":
            continue
        text = child.text or ""
        if position == 0:
            li.text = (li.text or "") + text
        else:
            previous = li[position - 1]
            previous.tail = (previous.tail or "") + text
        li.remove(child)
        for offset, grandchild in enumerate(list(child)):
            li.insert(position + offset, grandchild)
        tail = child.tail or ""
        if len(child):
            last = li[position + len(child) - 1]
            last.tail = (last.tail or "") + tail
        elif position == 0:
            li.text = (li.text or "") + tail
        else:
            li[position - 1].tail = (li[position - 1].tail or "") + tail


class QuoteProcessor(BlockProcessor):
    """`>` lines and lazy continuation lines; a blank line ends the quotation, so two
    quotations separated by one stay two."""

    def __init__(self, md: Markdown, reading: Reading | None = None) -> None:
        super().__init__(md.parser)
        self.reading = reading if reading is not None else Reading()

    def test(self, parent: ET.Element, block: str) -> bool:
        if self.reading.pandoc:  # pandoc: only after a blank line
            return bool(QUOTE.match(block))
        return any(QUOTE.match(line) for line in block.split("\n"))

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        lines = blocks.pop(0).split("\n")
        start = next(index for index, line in enumerate(lines) if QUOTE.match(line))
        if start:
            self.parser.parseBlocks(parent, ["\n".join(lines[:start])])
        content: list[str] = []
        tracker = ParagraphTracker()
        index = start
        while index < len(lines):
            line = lines[index]
            marker = QUOTE.match(line)
            if marker:
                content.append(line[marker.end():])
            elif tracker.open and not self.reading.starts_block(line, in_quote=True):
                content.append(lazy(line))
            else:
                break
            tracker.read(content[-1])
            index += 1
        if index < len(lines):
            blocks.insert(0, "\n".join(lines[index:]))
        quote = ET.SubElement(parent, "blockquote")
        self.parser.state.set("blockquote")
        items, self.reading.items = self.reading.items, 0  # a quotation is no list item
        try:
            self.parser.parseChunk(quote, "\n".join(content))
        finally:
            self.reading.items = items
            self.parser.state.reset()


class InterruptProcessor(BlockProcessor):
    """A paragraph ends where a list item or a fence starts (no blank line needed; for
    pandoc, a list item only inside another)."""

    def __init__(self, md: Markdown, reading: Reading | None = None) -> None:
        super().__init__(md.parser)
        self.reading = reading if reading is not None else Reading()

    def test(self, parent: ET.Element, block: str) -> bool:
        return self.split_at(block) > 0

    def split_at(self, block: str) -> int:
        lines = block.split("\n")
        for index, line in enumerate(lines[1:], 1):
            item = list_item(line, self.reading.pandoc)
            if opening_fence(line) or (item and self.reading.ends_paragraph(item)):
                return index
        return 0

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        lines = block.split("\n")
        split = self.split_at(block)
        blocks.insert(0, "\n".join(lines[split:]))
        self.parser.parseBlocks(parent, ["\n".join(lines[:split])])
