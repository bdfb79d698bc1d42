"""Footnotes: lift `[^label]: text` definitions out, mark `[^label]` calls for numbering later.

Numbering is by first call in reading order, which only the finished tree knows, so this
extension only records definitions (with their lines) and leaves neutral call markers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]?(.*)$")
CALL = r"\[\^([^\]\s]+)\]"
CALL_CLASS = "qlab-notecall"


@dataclass(frozen=True)
class NoteDefinition:
    label: str
    text: str  # Markdown, dedented
    line: int  # 0-based line within the converted text


class DefinitionPreprocessor(Preprocessor):
    """Remove definitions (a first line, then indented or blank continuation lines)."""

    def __init__(self, md: Markdown, extension: NotesExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        kept: list[str] = []
        index = 0
        while index < len(lines):
            match = DEFINITION.match(lines[index])
            if not match:
                kept.append(lines[index])
                index += 1
                continue
            start, body = index, [match.group(2)]
            index += 1
            while index < len(lines):
                line = lines[index]
                if line.startswith(("    ", "\t")):
                    body.append(line[4:] if line.startswith("    ") else line[1:])
                elif not line.strip() and index + 1 < len(lines) and \
                        lines[index + 1].startswith(("    ", "\t")):
                    body.append("")
                else:
                    break
                index += 1
            self.extension.definitions.append(
                NoteDefinition(match.group(1), "\n".join(body).strip(), start))
            # Keep the line count so nothing else shifts.
            kept.extend([""] * (index - start))
        return kept


class CallProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[ET.Element, int, int]:  # noqa: N802
        element = ET.Element("sup", {"class": CALL_CLASS, "data-label": m.group(1)})
        return element, m.start(0), m.end(0)


class NotesExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.definitions: list[NoteDefinition] = []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        # After fenced code (25) has stashed code blocks, before raw HTML blocks (20).
        md.preprocessors.register(DefinitionPreprocessor(md, self), "qlab_note_definitions", 24)
        # Above links (160) so `[^1]` is never read as a link; below code spans (190).
        md.inlinePatterns.register(CallProcessor(CALL, md), "qlab_note_calls", 175)

    def reset(self) -> None:
        self.definitions = []
