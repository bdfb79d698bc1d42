"""The collection as plain data: frozen dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SIZES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4)}


@dataclass(frozen=True)
class Metadata:
    """The collection's `[collection]` table."""

    title: str
    subtitle: str = ""
    series: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    language: str = "en"
    identifier: str = ""
    date: dt.date | None = None
    rights: str = ""
    # Set on a one-essay edition: the collected edition's title and the essay's number.
    collection_title: str = ""
    essay_number: int | None = None


@dataclass(frozen=True)
class Options:
    """Rendering options from the `[pdf]` and `[epub]` tables, and `[build]`."""

    page_size: str = "A4"
    essays: bool = False  # [build] essays: also write one PDF and EPUB per essay


@dataclass(frozen=True)
class EssaySource:
    """An essay as read from disk, before conversion."""

    path: Path  # relative to the collection root
    number: int
    slug: str
    title: str
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    subtitle: str = ""
    date: dt.date | None = None
    date_label: str = ""  # as printed: "May 2019"
    authors: tuple[str, ...] = ()
    summary: str = ""
    field_lines: tuple[tuple[str, int], ...] = ()  # front matter key -> file line

    def field_line(self, key: str) -> int | None:
        return dict(self.field_lines).get(key)

    def line_of(self, needle: str, start: int = 0) -> int | None:
        """The file line of the first occurrence of `needle` in the body at or after `start`."""
        index = self.body.find(needle, start)
        if index < 0:
            return None
        return self.body_line + self.body.count("\n", 0, index)


@dataclass(frozen=True)
class Footnote:
    number: int
    label: str
    html: str  # the note's text as XHTML paragraphs
    calls: int  # how many times the text calls it


@dataclass(frozen=True)
class Figure:
    src: str  # collection-relative POSIX path of the image file
    alt: str
    caption: str
    credit: str
    width: int
    height: int


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Essay:
    """One converted essay. `body_html` is well-formed XHTML with neutral note calls."""

    source: EssaySource
    anchor: str  # id prefix for everything in this essay, e.g. "e1"
    body_html: str
    footnotes: tuple[Footnote, ...]
    figures: tuple[Figure, ...]
    headings: tuple[Heading, ...]
    words: int

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def title(self) -> str:
        return self.source.title


@dataclass(frozen=True)
class Collection:
    root: Path
    metadata: Metadata
    options: Options
    essays: tuple[Essay, ...] = field(default=())

    @property
    def slug(self) -> str:
        from qlabbook.text import slugify

        return slugify(self.metadata.title) or "collection"

    @property
    def images(self) -> tuple[str, ...]:
        """Every image file the essays use, once each, in reading order."""
        return tuple(dict.fromkeys(f.src for e in self.essays for f in e.figures))
