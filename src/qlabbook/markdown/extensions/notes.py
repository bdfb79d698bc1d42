"""Footnotes as pandoc reads them: `[^label]: text` definitions, `[^label]` calls, `^[text]`
inline notes.

Numbering is by first call in reading order, which only the finished tree knows, so this
extension records definitions (with their source lines) and leaves neutral call markers.
Definitions are parsed in the same run as the body, after it: they share its link
references, abbreviations and stashed raw HTML and code, so nothing is converted twice and
no placeholder is left over. Each note's blocks follow a marker `<hr class="qlab-note-TOKEN">`
at the end of the output, where convert.py splits them off.
"""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import INLINE_PLACEHOLDER_RE, STX

from qlabbook.markdown.extensions.inline import ExtensionInlineProcessor

# Up to three spaces of indentation, as pandoc and CommonMark allow.
DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$")
CALL = r"\[\^([^\]\s]+)\]"
INLINE_NOTE = r"\^\["
CALL_CLASS = "qlab-notecall"
INLINE_LABEL = "^[{}]"  # an inline note's label: no written label has a '[' in it
CONTENT_INDENT = 4  # continuation blocks are indented this far (pandoc's tab stop)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
DIV_FENCE = re.compile(r"^ {0,3}:{3,}\s*$")
ESCAPED = re.compile(STX + r"(\d+)\x03")


@dataclass(frozen=True)
class NoteDefinition:
    label: str
    text: str  # Markdown, dedented
    line: int  # 0-based line of `[^label]:` within the body
    end: int = 0  # 0-based line after the definition's last line


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def dedent(line: str) -> str:
    """The line without up to the content indent of leading spaces."""
    return line[min(indent_of(line), CONTENT_INDENT):]


class DefinitionPreprocessor(Preprocessor):
    """Remove definitions: the first line, lazy continuation lines up to the next blank
    line, then blocks indented by the content indent. Fenced code is skipped, so a
    definition-like line in a code sample stays code."""

    def __init__(self, md: Markdown, extension: NotesExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        kept: list[str] = []
        index, fence = 0, ""
        while index < len(lines):
            line = lines[index]
            opening = FENCE.match(line)
            if fence:
                if opening and opening.group(1)[0] == fence[0] and \
                        len(opening.group(1)) >= len(fence) and \
                        not line[opening.end():].strip():
                    fence = ""
            elif opening:
                fence = opening.group(1)
            match = None if fence else DEFINITION.match(line)
            if not match:
                kept.append(line)
                index += 1
                continue
            start, end, body = index, *self.definition_lines(lines, index, match.group(2))
            index = end
            self.extension.definitions.append(NoteDefinition(
                match.group(1), self.preprocess(body), start, end))
            # Keep the line count so nothing else shifts.
            kept.extend([""] * (end - start))
        return kept

    @staticmethod
    def definition_lines(lines: list[str], index: int, first: str) -> tuple[int, list[str]]:
        """(the line after the definition, its dedented lines)."""
        body = [first.strip()] if first.strip() else []
        index += 1
        if not body:  # `[^1]:` alone: the text starts on the next line
            while index < len(lines) and not lines[index].strip():
                index += 1
        while index < len(lines):  # lazy lines until a blank line
            line = lines[index]
            if not line.strip() or DEFINITION.match(line) or DIV_FENCE.match(line):
                break
            body.append(dedent(line))
            index += 1
        while index < len(lines):  # indented blocks after blank lines
            after = index
            while after < len(lines) and not lines[after].strip():
                after += 1
            if after == len(lines) or indent_of(lines[after]) < CONTENT_INDENT:
                break
            body.extend([""] * (after - index))
            index = after
            while index < len(lines) and lines[index].strip() and \
                    (indent_of(lines[index]) >= CONTENT_INDENT or
                     not DEFINITION.match(lines[index])):
                body.append(dedent(lines[index]))
                index += 1
        return index, body

    def preprocess(self, body: list[str]) -> str:
        """The note's text through the preprocessors that have yet to run on the body
        (fenced code, raw HTML blocks), as the body's own text goes."""
        later = False
        for preprocessor in list(self.md.preprocessors):
            if later:
                body = preprocessor.run(body)
            later = later or preprocessor is self
        return "\n".join(body).strip("\n")


class NoteBlocksProcessor(Treeprocessor):
    """Parse each definition's text into blocks, after the body (so every reference link
    is known) and before inline patterns (so notes get them too)."""

    def __init__(self, md: Markdown, extension: NotesExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: ET.Element) -> None:
        for number, definition in enumerate(self.extension.definitions):
            ET.SubElement(root, "hr", {"class": f"qlab-note-{self.extension.token}",
                                       "title": str(number)})
            holder = ET.Element("div")
            self.md.parser.parseChunk(holder, definition.text)
            root.extend(holder)


def plain_label(label: str) -> str:
    """The label as written: escapes (`\\_`) back in their source form."""
    return str(ESCAPED.sub(lambda m: "\\" + chr(int(m.group(1))), label))


class CallProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[  # noqa: N802
            ET.Element | None, int | None, int | None]:
        label = plain_label(self.unstash(m.group(1)))
        if STX in label:  # a code span or other inline markup: not a label
            return None, None, None
        element = ET.Element("sup", {"class": CALL_CLASS, "data-label": label})
        return element, m.start(0), m.end(0)

    def unstash(self, text: str) -> str:
        """Text with the escapes that earlier patterns stashed put back."""
        stashed = getattr(self.md.treeprocessors["inline"], "stashed_nodes", {})

        def restore(found: re.Match[str]) -> str:
            node = stashed.get(found.group(1))
            return node if isinstance(node, str) else found.group(0)

        return str(INLINE_PLACEHOLDER_RE.sub(restore, text))


class InlineNoteProcessor(ExtensionInlineProcessor["NotesExtension"]):
    """`^[text]`: the note's text goes inside the call; notes.py takes it out."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[  # noqa: N802
            ET.Element | None, int | None, int | None]:
        end = closing_bracket(data, m.end(0))
        if end is None:
            return None, None, None
        text = data[m.end(0):end]
        nested = re.search(INLINE_NOTE, text)
        if nested:  # a note in a note: its text stays, inline, and notes.py warns
            self.extension.nested_inline.append(text)
            text = unwrap_inline_notes(text)
        self.extension.inline_count += 1
        element = ET.Element("sup", {"class": CALL_CLASS,
                                     "data-label": INLINE_LABEL.format(
                                         self.extension.inline_count),
                                     "data-inline": "1"})
        element.text = text
        return element, m.start(0), end + 1


def closing_bracket(data: str, start: int) -> int | None:
    """The index of the `]` that closes a bracket opened just before `start`."""
    depth, index = 1, start
    while index < len(data):
        char = data[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def unwrap_inline_notes(text: str) -> str:
    """`a ^[b] c` -> `a (b) c`: nested inline notes become parenthesised text."""
    while (found := re.search(INLINE_NOTE, text)) is not None:
        end = closing_bracket(text, found.end(0))
        if end is None:
            break
        text = text[:found.start()] + "(" + text[found.end():end] + ")" + text[end + 1:]
    return text


class NotesExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.definitions: list[NoteDefinition] = []
        self.nested_inline: list[str] = []
        self.inline_count = 0
        self.token = secrets.token_hex(8)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        # First of all (fenced code is stashed at 31, white space normalised at 30): line
        # numbers are still the source's, and every later preprocessor runs on each note's
        # text as on the body's.
        md.preprocessors.register(DefinitionPreprocessor(md, self), "qlab_note_definitions", 32)
        # After the body's blocks are parsed, before inline patterns (20).
        md.treeprocessors.register(NoteBlocksProcessor(md, self), "qlab_note_blocks", 30)
        # Above links (160) so `[^1]` is never read as a link; below code spans (190).
        md.inlinePatterns.register(CallProcessor(CALL, md), "qlab_note_calls", 175)
        md.inlinePatterns.register(InlineNoteProcessor(INLINE_NOTE, md, self),
                                   "qlab_inline_notes", 176)

    def reset(self) -> None:
        self.definitions = []
        self.nested_inline = []
        self.inline_count = 0
        self.token = secrets.token_hex(8)

    def split_output(self, html: str) -> tuple[str, dict[int, str]]:
        """The body's HTML, and each definition's by its index."""
        parts = re.split(f'<hr class="qlab-note-{self.token}" title="(\\d+)" />', html)
        notes = {int(parts[i]): parts[i + 1].strip() for i in range(1, len(parts), 2)}
        return parts[0].strip(), notes
