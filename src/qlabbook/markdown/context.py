"""What converting one essay needs to know, and how it locates problems in the source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from qlabbook.markdown.templates import scan
from qlabbook.references.bibliography import Bibliography
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import EssaySource
from qlabbook.source.templating import TemplateValues

# An indented code block's line, after a blank line (a list's indented paragraph is not code:
# its item's marker, or another indented line, comes before the blank).
INDENTED_CODE = re.compile(r"(?:\A|^(?![ \t]*(?:[-*+]|\d+[.)])[ \t])[^ \t\n][^\n]*\n)"
                           r"(?:[ \t]*\n)+((?:(?: {4}|\t)[^\n]*(?:\n|\Z)|[ \t]*\n)+)",
                           re.MULTILINE)


@lru_cache(maxsize=4)
def code_ranges(body: str) -> tuple[tuple[int, int], ...]:
    """Where the body is code (fences, spans, indented blocks): text written there is shown,
    not read, so a problem with a call or link is located outside it first."""
    ranges = [(node.start, node.end) for node in scan(body) if node.kind in ("code", "highlight")]
    ranges += [found.span(1) for found in INDENTED_CODE.finditer(body)]
    return tuple(sorted(ranges))


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
    # Essay files that could not be read (their errors are reported where they are).
    unreadable: frozenset[Path] = frozenset()
    bibliography: Bibliography | None = None  # [bibliography]'s works and style, if any
    # Where in the body (character ranges) to look for what is reported, before anywhere
    # else: a note's own lines, or the body without its notes.
    regions: tuple[tuple[int, int], ...] = ()
    # Heading ids the author wrote that were not valid, as written -> the heading's id.
    aliases: dict[str, str] = field(default_factory=dict)
    # What the essay's site templates can print (Liquid, shortcodes); None when it has none.
    templates: TemplateValues | None = None
    crossref_chapters: bool = False  # [crossref] chapters: figures numbered "3.2"

    def within(self, regions: tuple[tuple[int, int], ...]) -> EssayContext:
        """The same essay, reporting problems at lines inside `regions` first."""
        return replace(self, regions=regions)

    def find(self, needle: str, occurrence: int = 0, prose: bool = False) -> int:
        """The body index of the `occurrence`-th (from 0) `needle`, in the regions first;
        with `prose`, outside code first (what code shows is not a call or a link)."""
        body = self.source.body
        code = code_ranges(body) if prose else ()
        for regions in (self.regions, ((0, len(body)),)):
            for skip_code in ((True, False) if code else (False,)):
                found: list[int] = []
                for start, end in regions:
                    index = body.find(needle, start, end)
                    while index >= 0 and len(found) <= occurrence:
                        if not skip_code or not any(a <= index < b for a, b in code):
                            found.append(index)
                        index = body.find(needle, index + 1, end)
                if len(found) > occurrence:
                    return found[occurrence]
        return -1

    def line_at(self, index: int) -> int:
        return self.source.body_line + self.source.body.count("\n", 0, index)

    def _line_of(self, needle: str) -> int | None:
        index = self.find(needle, prose=True)
        return self.line_at(index) if index >= 0 else None

    def error(self, code: str, message: str, needle: str | None = None,
              hint: str | None = None) -> None:
        self.diagnostics.error(code, message, self.source.path, self.line(needle), hint)

    def warning(self, code: str, message: str, needle: str | None = None,
                hint: str | None = None) -> None:
        self.diagnostics.warning(code, message, self.source.path, self.line(needle), hint)

    def line(self, needle: str | None) -> int | None:
        if not needle:
            return None
        line = self._line_of(needle)
        if line is None:  # raw HTML keeps its own case; try without it
            index = self.source.body.lower().find(needle.lower())
            line = self._line_of(self.source.body[index:index + len(needle)]) \
                if index >= 0 else None
        if line is None and needle.startswith("("):
            # Reference-style links and raw HTML name the target without a parenthesis.
            line = self._line_of(needle[1:])
        if line is None:
            # Escapes and character references change the text: try its longest plain word,
            # then fall back on the body's first line rather than no location at all.
            words = sorted(re.findall(r"[A-Za-z0-9_.-]{3,}", needle), key=len, reverse=True)
            line = self._line_of(words[0]) if words else None
        return line if line is not None else self.source.body_line

    def line_of_occurrence(self, needle: str, occurrence: int,
                           prose: bool = True) -> int | None:
        """The line of the `occurrence`-th (from 0) `needle`, or of the first if there are
        fewer; outside code first unless the needle is code's own (`prose=False`)."""
        index = self.find(needle, occurrence, prose)
        return self.line_at(index) if index >= 0 else self.line(needle)
