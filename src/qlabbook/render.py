"""Render stage: one context, Jinja templates -> print HTML (PDF) and XHTML documents (EPUB)."""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)
from markupsafe import Markup

from qlabbook import __version__
from qlabbook.convert import NOTE_CALL, parse_fragment, serialize_children
from qlabbook.model import Collection, Essay, Figure, Footnote, Metadata
from qlabbook.text import format_date

PACKAGE_STYLES = Path(str(files("qlabbook") / "styles"))
INTERNAL_HREF = re.compile(r'href="#(e\d+)((?:-[^"]*)?)"')
# Block elements a note may hold; in print the note floats inside a paragraph, so they
# become spans that the print stylesheet sets as blocks.
NOTE_BLOCKS = {"p", "ul", "ol", "li", "blockquote", "pre", "div", "dl", "dt", "dd", "table",
               "tr", "td", "th", "thead", "tbody", "h1", "h2", "h3", "h4", "h5", "h6",
               "figure", "figcaption", "hr"}


def build_time(collection: Collection) -> dt.datetime:
    """The edition's timestamp: SOURCE_DATE_EPOCH when set, else the collection's date, so
    the same sources always give the same bytes; today only when neither is known."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    day = collection.metadata.date or dt.datetime.now(dt.UTC).date()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def environment(collection: Collection) -> Environment:
    """Templates from the collection's templates/ first, then the package's own."""
    own = collection.root / "templates"
    return template_environment(own if own.is_dir() else None)


@cache
def template_environment(own: Path | None) -> Environment:
    """One environment per templates folder, so templates compile once per process (Jinja
    still reloads a template whose file changed)."""
    loaders: list[BaseLoader] = []
    if own is not None:
        loaders.append(FileSystemLoader(own))
    loaders.append(PackageLoader("qlabbook", "templates"))
    return Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                       autoescape=True, keep_trailing_newline=True)


def series_line(collection: Collection) -> Callable[[Essay], str]:
    def line(essay: Essay) -> str:
        parts = [collection.metadata.series, f"Essay {essay.number}", essay.source.date_label]
        return " \u00b7 ".join(p for p in parts if p)
    return line


def base_context(collection: Collection) -> dict[str, object]:
    meta = collection.metadata
    return {
        "meta": meta,
        "essays": collection.essays,
        "version": __version__,
        "date_label": format_date(meta.date, month_only=True) if meta.date else "",
        "timestamp": build_time(collection).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "series_line": series_line(collection),
        "edition_line": edition_line(meta),
        "part_of": part_of(meta),
    }


def edition_line(meta: Metadata) -> str:
    """Above the book's title: the series, and for a one-essay edition its number."""
    number = f"Essay {meta.essay_number}" if meta.essay_number else ""
    return " \u00b7 ".join(p for p in (meta.series, number) if p)


def part_of(meta: Metadata) -> str:
    """A one-essay edition's imprint says where else the essay is published."""
    if not meta.essay_number:
        return ""
    series = f" in the series {meta.series}" if meta.series else ""
    return (f"Essay {meta.essay_number}{series}, also published in the collected edition "
            f"{meta.collection_title}.")


def call_id(essay: Essay, number: int, call: int) -> str:
    return f"{essay.anchor}-fnref{number}" + (f"-{call}" if call > 1 else "")


# -- print ---------------------------------------------------------------------------------

def print_note_html(note: Footnote) -> str:
    tree = parse_fragment(note.html)
    for element in tree.iter():
        if element.tag in NOTE_BLOCKS:
            element.set("class", f"note-{element.tag}")
            element.tag = "span"
            # White space between two note blocks would make an empty line in the note.
            if element.tail is not None and not element.tail.strip():
                element.tail = None
    # The first paragraph runs on from the hanging number; only later ones are blocks.
    if len(tree) and tree[0].get("class") == "note-p":
        tree[0].set("class", "note-first")
    return serialize_children(tree)


def print_body(essay: Essay, notes: str = "footnotes") -> str:
    """Page-foot notes float from their first call, later calls are plain links to the
    note; as endnotes every call links to the note in the essay's Notes section."""
    by_number = {note.number: note for note in essay.footnotes}

    def replace(match: re.Match[str]) -> str:
        number, call = int(match.group(1)), int(match.group(2))
        if call == 1 and notes == "footnotes":
            # The empty mark before the note tells the PDF stage which page the call is on.
            return (f'<span class="call-mark" id="{call_id(essay, number, 1)}"></span>'
                    f'<span class="footnote" id="{essay.anchor}-fn{number}">'
                    f"{print_note_html(by_number[number])}</span>")
        return (f'<a class="noteref" href="#{essay.anchor}-fn{number}" '
                f'id="{call_id(essay, number, call)}">{number}</a>')

    return NOTE_CALL.sub(replace, essay.body_html)


LINK_HREF = re.compile(r'(<a\b[^>]*?)\s+href="[^"]*"')


def without_links(html: str) -> str:
    """The press PDF has no link annotations (PDF/X keeps the trimmed page free of them):
    anchors stay, as text."""
    return LINK_HREF.sub(r"\1", html)


def url_breaks(url: str) -> Markup:
    """A URL that may break after its slashes (and nowhere else), for narrow columns."""
    return Markup("/<wbr>").join(Markup.escape(part) for part in url.split("/"))


def credits(collection: Collection) -> list[tuple[Essay, Figure]]:
    """Every figure with a credit, licence or source, in reading order."""
    return [(essay, figure) for essay in collection.essays for figure in essay.figures
            if figure.credit or figure.licence or figure.source]


# A deferred figure stays in its section and keeps its place among the figures.
FIXED_BLOCKS = {"h2", "h3", "h4", "h5", "h6", "figure"}


def defer_figures(html: str, moves: Mapping[str, int]) -> str:
    """Move each figure named in `moves` down past that many following blocks (never past
    a heading or another figure), so text fills the page the figure did not fit on."""
    body = parse_fragment(html)
    for figure_id, count in moves.items():
        figure = next((child for child in body if child.get("id") == figure_id), None)
        if figure is None:
            continue
        index = list(body).index(figure)
        target = index
        while target - index < count and target + 1 < len(body) \
                and body[target + 1].tag not in FIXED_BLOCKS:
            target += 1
        if target != index:
            body.remove(figure)
            body.insert(target, figure)
    return serialize_children(body)


def render_print_html(collection: Collection, profile: str = "screen", links: bool = True,
                      cover: bool = True, moves: Mapping[str, int] | None = None) -> str:
    """The whole book as one HTML document: cover (screen), front matter, the essays,
    picture credits. `links` off leaves every anchor unlinked (press); `moves` defers
    figures (see defer_figures)."""
    env = environment(collection)
    env.filters["url_breaks"] = url_breaks
    template = env.get_template("print.html")
    notes = collection.options.notes
    edit = (lambda html: html) if links else without_links
    bodies = {e.anchor: Markup(edit(defer_figures(print_body(e, notes), moves)
                                    if moves and any(f.anchor in moves for f in e.figures)
                                    else print_body(e, notes)))
              for e in collection.essays}
    endnotes = {e.anchor: [(note, Markup(edit(note.html))) for note in e.footnotes]
                for e in collection.essays} if notes == "endnotes" else {}
    html = template.render(
        **base_context(collection), bodies=bodies, endnotes=endnotes, call_id=call_id,
        profile=profile, links=links, cover=cover, cover_image=collection.options.cover,
        credits=credits(collection))
    return html if links else without_links(html)


# -- EPUB ----------------------------------------------------------------------------------

def epub_file_name(essay: Essay) -> str:
    return f"{essay.slug}.xhtml"


def epub_body(essay: Essay, files: dict[str, str]) -> str:
    def call(match: re.Match[str]) -> str:
        number, n = int(match.group(1)), int(match.group(2))
        return (f'<a class="noteref" epub:type="noteref" role="doc-noteref" '
                f'id="{call_id(essay, number, n)}" href="#{essay.anchor}-fn{number}">{number}</a>')

    return retarget_links(NOTE_CALL.sub(call, essay.body_html), essay, files)


def retarget_links(html: str, essay: Essay, files: dict[str, str]) -> str:
    """Links to other essays point into their own documents."""
    def href(match: re.Match[str]) -> str:
        anchor, rest = match.group(1), match.group(2)
        if anchor == essay.anchor or anchor not in files:
            return match.group(0)
        return f'href="{files[anchor]}#{anchor}{rest}"'

    return INTERNAL_HREF.sub(href, html)


def render_epub_documents(collection: Collection) -> dict[str, str]:
    """File name -> XHTML for the title page and each essay, in reading order."""
    env = environment(collection)
    context = base_context(collection)
    files = {e.anchor: epub_file_name(e) for e in collection.essays}
    documents = {"titlepage.xhtml": env.get_template("titlepage.xhtml").render(**context)}
    essay_template = env.get_template("essay.xhtml")
    for essay in collection.essays:
        documents[files[essay.anchor]] = essay_template.render(
            **context, essay=essay, body=Markup(epub_body(essay, files)),
            call_id=call_id,
            note_html=lambda note, essay=essay: Markup(retarget_links(note.html, essay, files)))
    for xhtml in documents.values():
        ET.fromstring(xhtml.encode("utf-8"))  # every document must be well-formed XML
    return documents


def render_nav(collection: Collection, pages: Sequence[tuple[str, str, str]]) -> str:
    """The navigation document: contents with sections, landmarks and the page list, given as
    (file, marker id, label) in reading order."""
    files = {e.anchor: epub_file_name(e) for e in collection.essays}
    xhtml = environment(collection).get_template("nav.xhtml").render(
        **base_context(collection), files=files, pages=pages)
    ET.fromstring(xhtml.encode("utf-8"))
    return xhtml


def stylesheet(collection: Collection, name: str) -> Path | None:
    """A collection's own stylesheet in styles/, loaded after the package's defaults."""
    path = collection.root / "styles" / name
    return path if path.is_file() else None
