"""What converting one essay needs to know, and how it locates problems in the source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import EssaySource


@dataclass
class EssayContext:
    """What converting one essay needs to know about the collection around it."""

    root: Path
    source: EssaySource
    anchor: str
    essay_anchors: dict[str, str]  # collection-relative essay path -> its anchor
    diagnostics: Diagnostics
    links: list[tuple[str, str, int | None]] = field(default_factory=list)  # target, text, line
    permalinks: dict[str, str] = field(default_factory=dict)  # site_key -> essay anchor
    essay_slugs: dict[str, str] = field(default_factory=dict)  # slug -> essay anchor
    site: str = ""  # the essays' web address: site paths (/about/) are pages under it

    def error(self, code: str, message: str, needle: str | None = None,
              hint: str | None = None) -> None:
        self.diagnostics.error(code, message, self.source.path, self.line(needle), hint)

    def warning(self, code: str, message: str, needle: str | None = None,
                hint: str | None = None) -> None:
        self.diagnostics.warning(code, message, self.source.path, self.line(needle), hint)

    def line(self, needle: str | None) -> int | None:
        if not needle:
            return None
        line = self.source.line_of(needle)
        if line is None:  # raw HTML keeps its own case; try without it
            index = self.source.body.lower().find(needle.lower())
            line = self.source.line_of(self.source.body[index:index + len(needle)]) \
                if index >= 0 else None
        if line is None and needle.startswith("("):
            # Reference-style links and raw HTML name the target without a parenthesis.
            line = self.source.line_of(needle[1:])
        if line is None:
            # Escapes and character references change the text: try its longest plain word,
            # then fall back on the body's first line rather than no location at all.
            words = sorted(re.findall(r"[A-Za-z0-9_.-]{3,}", needle), key=len, reverse=True)
            line = self.source.line_of(words[0]) if words else None
        return line if line is not None else self.source.body_line

    def line_of_occurrence(self, needle: str, occurrence: int) -> int | None:
        """The line of the `occurrence`-th (from 0) `needle`, or of the first if there are fewer."""
        index = -1
        for _ in range(occurrence + 1):
            index = self.source.body.find(needle, index + 1)
            if index < 0:
                return self.line(needle)
        return self.source.line_of(needle, index)
