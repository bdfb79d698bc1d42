"""The book in parts, each laid out on its own: the front matter, every essay, the back matter.

Every essay opens on a right-hand page, so no part's pages depend on another's pages: a part
is laid out alone (in a process of its own, and again only when what it reads changes), and
the parts are joined into one PDF (join.py). The facts that cross parts are printed page
numbers only: the folios are stamped on after joining, and the contents and the picture
credits are given theirs by the essays' layouts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote

from qlabbook.assets import PACKAGE_STYLES, credited_figures, stylesheet
from qlabbook.markdown.backindex import INDEX_ANCHOR, has_index
from qlabbook.source.diagnostics import Diagnostic
from qlabbook.source.model import Collection
from qlabbook.source.profiles import PROFILES
from qlabbook.source.renderkey import RenderKey
from qlabbook.typeset.geometry import page_rule
from qlabbook.typeset.html import render_print_html

# A link to an anchor in another part is written as a link to this scheme, which the
# renderer keeps as it is; joining the parts turns it back into a link inside the book.
OTHER_PART = "qlabbook-part:"


@dataclass(frozen=True)
class Part:
    # "front", "essay" or "back"; or a sheet of the pages joining adds: "blank", "folios"
    kind: str
    # "front", the essay's anchor (e1, e2, ...), "back", "blank"; the sheet's first folio
    name: str


# The pages joining adds, which print nothing of the collection's text.
FURNITURE = ("blank", "folios")
# A folio sheet's pages print only their folio, to be stamped on the book's pages. Sheets
# cover SHEET_PAGES folios each, so a book that grows rarely needs another.
SHEET_PAGES = 64
# The folio the back matter opens on (a key of the folios, not an anchor), and its sections
# in order: the contents give their pages.
BACK_MATTER = "back-matter"
BACK_SECTIONS = ("picture-credits", INDEX_ANCHOR)
# As specific as print.css's rules for left and right pages, and later, so they win.
NO_FURNITURE = ("@page :left { @top-left { content: none; } @bottom-left { content: none; } }"
                "@page :right { @top-right { content: none; } @bottom-right { content: none; } }")
NO_HEADS = ("@page :left { @top-left { content: none; } }"
            "@page :right { @top-right { content: none; } }")
# Folios are drawn over pages that already have a background (and, for press, marks).
NO_MARKS = "@page { marks: none; background: none; }"


@dataclass(frozen=True)
class PartJob:
    """What a process needs to lay one part out: for an essay, the collection with that
    essay alone, so that little is sent to it."""

    collection: Collection
    profile: str
    part: Part
    folios: tuple[tuple[str, str], ...] = ()  # printed page numbers, by anchor (front, back)

    def html(self, moves: Mapping[str, int] | None = None) -> str:
        if self.part.kind in ("blank", "folios"):
            pages = SHEET_PAGES if self.part.kind == "folios" else 0
            body = '<div style="break-before: page"></div>' * pages
            return f'<html lang="{self.collection.metadata.language}"><body>{body}</body></html>'
        return link_across_parts(render_print_html(
            self.collection, self.profile, moves, part=self.part.kind,
            folios=dict(self.folios)))

    def stylesheets(self) -> list[tuple[str, str]]:
        if self.part.kind == "blank":
            rules = NO_FURNITURE
        elif self.part.kind == "folios":
            rules = f"{NO_HEADS}{NO_MARKS}@page :first {{ counter-reset: page {self.part.name} }}"
        else:
            rules = part_rules(self.collection)
        return print_stylesheets(self.collection, self.profile, rules)

    def key(self) -> str:
        """Everything the layout of this part reads: what its HTML is made from (the essay
        as converted, the metadata and options, the folios it prints, the collection's
        templates), the stylesheets and what they load, the images it shows, the profile's
        PDF settings, the timestamp and the tool (whose fingerprint covers its templates)."""
        if self.part.kind in FURNITURE:
            return self.furniture_key()
        key = RenderKey(self.collection, self.profile)
        key.add("identifier", self.collection.metadata.identifier or
                self.collection.metadata.title)
        # What the part's HTML is made from, not the HTML itself: making it for every essay
        # would cost more than the rest of a build in which one essay changed. Not where
        # the collection is, or how its path was spelled ("." or in full): nothing printed
        # depends on that.
        key.add("collection", repr(replace(self.collection, root=Path("."))))
        key.add("part", repr((self.part, self.folios)))
        for css, _ in self.stylesheets():
            key.add("css", css)
        key.add_styles()
        key.add_images(part_images(self))
        return key.hexdigest()

    def furniture_key(self) -> str:
        """A sheet's key: what its pages draw (its HTML, the stylesheets and what they
        load), the profile and the timestamp its fonts carry, and not the collection's
        metadata, which only the sheet's own document reads. The book takes its pages
        alone, so one sheet serves every collection whose pages look alike."""
        key = RenderKey(self.collection, self.profile)
        key.add("part", repr(self.part))
        key.add("html", self.html())
        for css, _ in self.stylesheets():
            key.add("css", css)
        key.add_styles(templates=False)
        return key.hexdigest()


def print_stylesheets(collection: Collection, profile: str,
                      rules: str = "") -> list[tuple[str, str]]:
    """(CSS, what its URLs are relative to) of every print stylesheet, in cascade order: the
    package's, the page geometry, `rules` (a part's own), the collection's."""
    options = collection.options
    sheets = [((PACKAGE_STYLES / "print.css").read_text(encoding="utf-8"), "styles"),
              (page_rule(options.page_size, PROFILES[profile], options.bleed_mm), "")]
    if rules:
        sheets.append((rules, ""))
    own = stylesheet(collection, "print.css")
    if own is not None:
        sheets.append((own.read_text(encoding="utf-8"), "collection-styles"))
    return sheets


def part_images(job: PartJob) -> list[str]:
    """The collection-relative images a part shows."""
    images = list(job.collection.images) if job.part.kind == "essay" else []
    if job.part.kind == "front" and job.collection.options.cover and \
            PROFILES[job.profile].cover:
        images.append(job.collection.options.cover)
    return images


def css_string(text: str) -> str:
    """A CSS string literal of `text`: quotes, backslashes, CSS's newlines (\\r and \\f as
    well as \\n, which would end the string and drop the rule) and other control characters
    escaped."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\' or unicodedata.category(c) == "Cc"
                         else c for c in text) + '"'


def part_rules(collection: Collection) -> str:
    """What a part says that the whole book's flow would have carried: the collection's
    title for left-hand running heads (set by the title page, which is in another part),
    and no folios, which are stamped on the joined book."""
    return (f".essay, .picture-credits {{ string-set: book-title "
            f"{css_string(collection.metadata.title)}; }}"
            "@page :left { @bottom-left { content: none; } }"
            "@page :right { @bottom-right { content: none; } }")


ANCHOR = re.compile(r'\sid="([^"]*)"')
INTERNAL_LINK = re.compile(r'(\shref=")#([^"]+)"')


def link_across_parts(html: str) -> str:
    """Links to anchors that are not in this part's HTML, rewritten to OTHER_PART: a link to
    an absent anchor is dropped by the renderer."""
    here = {unescape(name) for name in ANCHOR.findall(html)}

    def relink(match: re.Match[str]) -> str:
        target = unescape(match.group(2))
        if target in here:
            return match.group(0)
        return f'{match.group(1)}{OTHER_PART}{quote(target, safe="")}"'

    return INTERNAL_LINK.sub(relink, html)


def linked_anchor(uri: str) -> str | None:
    """The anchor an OTHER_PART link names, None for any other URI."""
    return unquote(uri[len(OTHER_PART):]) if uri.startswith(OTHER_PART) else None


def essay_jobs(collection: Collection, profile: str) -> list[PartJob]:
    return [PartJob(replace(collection, essays=(essay,)), profile, Part("essay", essay.anchor))
            for essay in collection.essays]


def matter_jobs(collection: Collection, profile: str,
                folios: Mapping[str, str]) -> list[PartJob]:
    """The front matter, and the back matter when there are picture credits or an index;
    the folios they print are those of the essays, their References, the figures, the index
    marks and the back matter's sections."""
    # The matter lists the essays and their figures; it does not print their text, so an
    # edit to an essay's text leaves it (and its cache key) as it was.
    listed = replace(collection, essays=tuple(
        replace(essay, source=replace(essay.source, body=""), body_html="", footnotes=(),
                headings=(), words=0) for essay in collection.essays))
    # The contents give the page of each essay, its References and the back matter's
    # sections (the picture credits, the index).
    listed_anchors = {*BACK_SECTIONS} | {essay.anchor for essay in collection.essays} | {
        essay.references for essay in collection.essays if essay.references}
    jobs = [PartJob(listed, profile, Part("front", "front"),
                    tuple(sorted((a, f) for a, f in folios.items() if a in listed_anchors)))]
    if credited_figures(collection) or has_index(collection):
        # The credits give each figure's page, the index each mark's.
        shown = {figure.anchor for _, figure in credited_figures(collection)} | {
            mark.target for essay in collection.essays for mark in essay.index_marks}
        jobs.append(PartJob(listed, profile, Part("back", "back"),
                            tuple(sorted((a, f) for a, f in folios.items() if a in shown))))
    return jobs


def sheet_jobs(collection: Collection, profile: str, folios: int,
               first: int = 1) -> list[PartJob]:
    """The folio sheets for folios `first` (the first of a sheet) to `folios`; from folio 1,
    the blank page first. They read nothing of the essays, so no edit changes them."""
    plain = replace(collection, essays=())
    blank = [PartJob(plain, profile, Part("blank", "blank"))] if first == 1 else []
    return blank + [PartJob(plain, profile, Part("folios", str(start)))
                    for start in range(first, max(folios, 1) + 1, SHEET_PAGES)]


@dataclass
class LaidOutPart:
    """A part as laid out and written: its PDF, how many pages, on which of them each anchor
    is, where each page starts in the text units the EPUB's page list shares, and what the
    renderer said. Kept in the cache, so made of plain data."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]
    starts: list[tuple[int, str, int, int]]  # (page, scope, unit, offset) of page_map
    texts: dict[str, list[str]]
    misaligned: str = ""  # why the pages could not be mapped to the text, if they could not
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def record(self) -> dict[str, object]:
        return {"pages": self.pages, "anchors": self.anchors,
                "starts": [list(start) for start in self.starts], "texts": self.texts,
                "misaligned": self.misaligned,
                "diagnostics": [d.as_record() for d in self.diagnostics]}

    @classmethod
    def from_record(cls, pdf: bytes, record: dict[str, object]) -> LaidOutPart:
        return cls(pdf=pdf, pages=int(record["pages"]),  # type: ignore[call-overload]
                   anchors=dict(record["anchors"]),  # type: ignore[call-overload]
                   starts=[(int(p), str(s), int(u), int(o))
                           for p, s, u, o in record["starts"]],  # type: ignore[attr-defined]
                   texts=dict(record["texts"]),  # type: ignore[call-overload]
                   misaligned=str(record["misaligned"]),
                   diagnostics=[Diagnostic.from_record(d)
                                for d in record["diagnostics"]])  # type: ignore[attr-defined]
