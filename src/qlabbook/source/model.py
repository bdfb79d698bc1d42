"""The collection as plain data: frozen dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from qlabbook.source.ids import essay_file_stem
from qlabbook.source.profiles import DEFAULT_PROFILE, NotePlacement
from qlabbook.source.text import slugify


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
    month_only: bool = False  # the date names its month only (a one-essay edition's "2019-06")
    # Set on a one-essay edition: the collected edition's title and the essay's number.
    collection_title: str = ""
    essay_number: int | None = None
    edition: str = ""  # printed in the imprint, e.g. "First edition"

    @property
    def date_parts(self) -> tuple[int, ...]:
        """The date as far as it is known: (year, month, day), (year, month) for a month,
        () without a date. Every format's metadata and the citation records read it here."""
        if self.date is None:
            return ()
        parts = (self.date.year, self.date.month, self.date.day)
        return parts[:2] if self.month_only else parts


# Every format a build can write, in the order they are rendered and listed; a build writes
# DEFAULT_FORMATS unless the command line or qlabbook.toml's [build] formats says otherwise.
EditionFormat = Literal["pdf", "epub", "web"]
FORMATS: tuple[EditionFormat, ...] = get_args(EditionFormat)
DEFAULT_FORMATS: tuple[EditionFormat, ...] = ("pdf", "epub")
# How an essay's blocks are read: as CommonMark, or as pandoc and Quarto read them.
MarkdownReading = Literal["commonmark", "pandoc"]


@dataclass(frozen=True)
class BibliographyOptions:
    """The `[bibliography]` table: the files of references and the citation style."""

    files: tuple[str, ...]  # collection-relative .bib and .json files
    style: str  # a shipped style's name or a collection-relative .csl file
    files_line: int | None = None  # where qlabbook.toml names them
    style_line: int | None = None


@dataclass(frozen=True)
class Options:
    """Rendering options from the `[pdf]` and `[epub]` tables, and `[build]`."""

    page_size: str = "A4"  # a profiles.PAGE_SIZES name or "WxH mm"
    essays: bool = False  # [build] essays: also write one PDF and EPUB per essay
    profiles: tuple[str, ...] = (DEFAULT_PROFILE,)  # which PDFs a build writes (profiles.PROFILES)
    bleed_mm: float = 3.0  # press only: how far backgrounds and covers run past the trim
    notes: NotePlacement = "footnotes"
    cover: str = ""  # collection-relative path of a supplied cover image; "" draws one
    site: str = ""  # [essays] site: the address the essays had on the web, if any
    formats: tuple[EditionFormat, ...] = DEFAULT_FORMATS  # [build] formats: what a build writes
    web_url: str = ""  # [web] url: where the web edition is published ("" leaves it unsaid)
    crossref_chapters: bool = False  # [crossref] chapters: "Figure 3.2", the essay's number first
    bibliography: BibliographyOptions | None = None  # [bibliography], when given


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
    month_only: bool = False  # the date was given as a month (2019-05): its day is no fact
    authors: tuple[str, ...] = ()
    summary: str = ""
    field_lines: tuple[tuple[str, int], ...] = ()  # front matter key -> file line
    permalinks: tuple[str, ...] = ()  # where its site published it (permalinks.site_key)
    markdown: MarkdownReading = "commonmark"

    def field_line(self, key: str) -> int | None:
        return dict(self.field_lines).get(key)

    def line_of(self, needle: str, start: int = 0) -> int | None:
        """The file line of the first occurrence of `needle` in the body at or after `start`."""
        index = self.body.find(needle, start)
        if index < 0:
            return None
        return self.body_line + self.body.count("\n", 0, index)


@dataclass(frozen=True)
class Sources:
    """A collection as read from disk, before conversion: its settings and its essays."""

    metadata: Metadata
    options: Options
    essays: tuple[EssaySource, ...]


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
    licence: str = ""
    source: str = ""
    anchor: str = ""  # the figure's id in the combined document, e.g. "e1-fig2"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Label:
    """A cross-reference label of an essay: `fig-harbour` (Quarto's) or `fig:plan`
    (pandoc-crossref's), lower-cased, the id of what it labels and its number as printed
    ("2", "1.1" for a section, "3.2" with [crossref] chapters)."""

    name: str
    target: str
    number: str


@dataclass(frozen=True)
class IndexMark:
    """A term marked for the back-of-book index (`[harbour board]{.index}`): the entry
    (`term=`, else the marked words), its subentry (`sub=`, or ""), the key it sorts by
    (`sort=`, or "": the entry itself) and the id of the mark in the essay's text."""

    term: str
    sub: str
    sort: str
    target: str


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
    images: tuple[str, ...] = ()  # every image shown, figures or inline, in reading order
    citations: tuple[str, ...] = ()  # the bibliography keys it cites, in order of first citation
    references: str = ""  # the id of its References section's heading, when it cites any
    # The images it shows (in the text or its notes) without alt text: the EPUB and the PDF
    # then claim no text alternative for every image.
    undescribed: tuple[str, ...] = ()
    labels: tuple[Label, ...] = ()  # what its cross-references can name, in reading order
    index_marks: tuple[IndexMark, ...] = ()  # its terms for the index, in reading order

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def file_stem(self) -> str:
        """The stem of this essay's own edition files, e.g. `02-challenges`."""
        return essay_file_stem(self.number, self.slug)


@dataclass(frozen=True)
class Collection:
    root: Path
    metadata: Metadata
    options: Options
    essays: tuple[Essay, ...] = field(default=())

    @property
    def slug(self) -> str:
        return slugify(self.metadata.title) or "collection"

    @property
    def file_stem(self) -> str:
        """The stem of this book's files: the collection's slug, or for a one-essay
        edition the essay's own stem."""
        return self.essays[0].file_stem if self.metadata.essay_number else self.slug

    @property
    def images(self) -> tuple[str, ...]:
        """Every image file the essays use, once each: an essay's figures, then the images
        inline in its text (collection-relative paths, as the conversion found them)."""
        return tuple(dict.fromkeys(src for e in self.essays
                                   for src in (*(f.src for f in e.figures), *e.images)))
