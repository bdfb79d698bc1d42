"""Fenced code as CommonMark reads it: ``` or ~~~, closed only by a fence of the same
character at least as long as the opening one, running to the end of its container when
never closed, and possible inside list items, quotations and definitions.

Fences at the left margin are stashed by a preprocessor (as Python-Markdown's fenced_code
does) so that raw HTML, note definitions and reference definitions inside them stay code;
fences inside containers are read by a block processor once the container's own markers are
stripped. Both emit `<pre><code class="language-x">`.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor, CodeBlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import PrettifyTreeprocessor
from markdown.util import ETX, STX, AtomicString, code_escape

# An opening fence: up to three spaces, three or more ` or ~, an info string (no backtick
# in the info string of a backtick fence).
OPENING = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}(?=[^`]*$)|~{3,})(?P<info>.*)$")
LANGUAGE = re.compile(r"^\{?\s*\.?(?P<language>[^\s{}]+)")
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def opening_fence(line: str) -> re.Match[str] | None:
    return OPENING.match(line)


def closes(line: str, fence: str) -> bool:
    """Whether `line` closes a fence opened with `fence` (same character, at least as long)."""
    stripped = line.rstrip(" ")
    body = stripped.lstrip(" ")
    return (len(stripped) - len(body) <= 3 and len(body) >= len(fence)
            and body == fence[0] * len(body))


def language(info: str) -> str:
    """The language named by an info string: its first word (`python`, `{.python}`)."""
    match = LANGUAGE.match(info.strip())
    if not match:
        return ""
    return html.unescape(ESCAPED.sub(r"\1", match.group("language")))


@dataclass(frozen=True)
class UnclosedFence:
    opening: str  # the opening line, as in the source once container marks are removed
    occurrence: int | None  # how many identical lines come before it, when known


def read_fence(lines: list[str], start: int) -> tuple[str, list[str], int]:
    """(language, code lines, index after the closing fence) for the fence opened at
    `lines[start]`; without a closing fence the code runs to the end of `lines`, which
    `is_closed` tells."""
    match = opening_fence(lines[start])
    assert match is not None
    indent, fence = len(match.group("indent")), match.group("fence")
    code: list[str] = []
    index = start + 1
    while index < len(lines):
        line = lines[index]
        index += 1
        if closes(line, fence):
            return language(match.group("info")), code, index
        code.append(remove_indent(line, indent))
    while code and not code[-1].strip():  # blank lines before the end of the document
        code.pop()
    return language(match.group("info")), code, index


def is_closed(lines: list[str], start: int, end: int) -> bool:
    """Whether the fence read from `lines[start]` up to `end` ended on a closing fence."""
    match = opening_fence(lines[start])
    return match is not None and end - 1 > start and end <= len(lines) and \
        closes(lines[end - 1], match.group("fence"))


def remove_indent(line: str, indent: int) -> str:
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, indent):]


def code_html(lang: str, code: list[str]) -> str:
    text = "".join(line + "\n" for line in code)
    attribute = f' class="language-{html.escape(lang, quote=True)}"' if lang else ""
    return f"<pre><code{attribute}>{code_escape(text)}</code></pre>"


def code_element(parent: ET.Element, lang: str, code: list[str]) -> ET.Element:
    pre = ET.SubElement(parent, "pre")
    element = ET.SubElement(pre, "code")
    if lang:
        element.set("class", f"language-{lang}")
    # Python-Markdown's prettifier writes a newline into empty code; None keeps it empty.
    text = "".join(line + "\n" for line in code)
    element.text = ExactCode(code_escape(text)) if text else None
    return pre


class ExactCode(AtomicString):
    """Code text whose every line, blank or not, is the author's."""


class IndentedCodeProcessor(CodeBlockProcessor):
    """Indented code. Python-Markdown appends an indented block to the code block before it;
    after a fence (which closed), it starts a block of its own."""

    def lastChild(self, parent: ET.Element) -> ET.Element | None:  # noqa: N802
        last: ET.Element | None = super().lastChild(parent)
        if last is not None and last.tag == "pre" and len(last) and last[0].tag == "code" \
                and (last[0].text is None or isinstance(last[0].text, ExactCode)):
            return None
        return last


class ExactCodePrettifier(PrettifyTreeprocessor):
    """Python-Markdown's prettifier, which trims the white space at the end of all code,
    except of fenced code read inside a container: its blank lines are content."""

    def run(self, root: ET.Element) -> None:
        exact = [(code, code.text) for code in root.iter("code")
                 if isinstance(code.text, ExactCode)]
        super().run(root)
        for code, text in exact:
            code.text = text


class FencePreprocessor(Preprocessor):
    """Stash fences that open at the left margin, where they can belong to no container.
    Fences indented one to three spaces (in a list item, or not) are left to the block
    processor, but their closing fence is not taken for an opening one."""

    def __init__(self, md: Markdown, unclosed: list[UnclosedFence]) -> None:
        super().__init__(md)
        self.unclosed = unclosed

    def run(self, lines: list[str]) -> list[str]:
        # Before Python-Markdown's whitespace normalisation, so that code keeps its tabs and
        # white-space-only lines; so normalise line ends and drop the stash markers here.
        text = "\n".join(lines).replace(STX, "").replace(ETX, "")
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        kept: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            match = opening_fence(line) if line.lstrip(" ").startswith(("`", "~")) else None
            if match and not match.group("indent"):
                start = index
                lang, code, index = read_fence(lines, index)
                if not is_closed(lines, start, index):
                    self.unclosed.append(UnclosedFence(line, lines[:start].count(line)))
                placeholder = self.md.htmlStash.store(code_html(lang, code))
                kept.extend(["", placeholder, ""])
                if index >= len(lines):  # so that the placeholder ends a block of its own
                    kept.append("")
            elif match:
                end = read_fence(lines, index)[2]
                kept.extend(lines[index:end])
                index = end
            else:
                kept.append(line)
                index += 1
        return kept


class WhitespaceNormaliser(Preprocessor):
    """Python-Markdown's whitespace normalisation, less the removal of the stash markers,
    which FencePreprocessor did before it stashed code (and whose placeholders must stay)."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines) + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


class FenceBlockProcessor(BlockProcessor):
    """A fence at the start of a block inside a container (or indented up to three spaces);
    its code may run on over blank lines, i.e. over later blocks."""

    def __init__(self, md: Markdown, unclosed: list[UnclosedFence]) -> None:
        super().__init__(md.parser)
        self.unclosed = unclosed

    def test(self, parent: ET.Element, block: str) -> bool:
        return opening_fence(block.split("\n", 1)[0]) is not None

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        lines = blocks.pop(0).split("\n")
        match = opening_fence(lines[0])
        assert match is not None
        fence = match.group("fence")
        # Take whole blocks (blank lines between them) until one holds the closing fence.
        while blocks and not any(closes(line, fence) for line in lines[1:]):
            lines.extend(["", *blocks.pop(0).split("\n")])
        lang, code, end = read_fence(lines, 0)
        if not is_closed(lines, 0, end):
            self.unclosed.append(UnclosedFence(lines[0], None))
        code_element(parent, lang, code)
        if end < len(lines):
            blocks.insert(0, "\n".join(lines[end:]))
