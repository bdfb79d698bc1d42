"""The files qlabbook ships and a collection may override: fonts, stylesheets, templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)

from qlabbook import __version__
from qlabbook.markdown.markup import NoteClass
from qlabbook.source import ids
from qlabbook.source.model import Collection, Essay, Figure, Metadata
from qlabbook.source.names import display_names
from qlabbook.source.text import format_date
from qlabbook.source.timestamp import build_time

ASSETS = Path(__file__).parent
# The package's stylesheets; print.css loads its fonts from fonts/ beside it.
PACKAGE_STYLES = ASSETS / "styles"
FONTS = PACKAGE_STYLES / "fonts"
BOOK_FONT, BOOK_FONT_NAME = FONTS / "LinLibertine_R.otf", "Linux Libertine"
BOOK_ITALIC_FONT = FONTS / "LinLibertine_RI.otf"
CAPTION_FONT = FONTS / "LinBiolinum_R.otf"
FALLBACK_FONT, FALLBACK_FONT_NAME = FONTS / "DejaVuSans.ttf", "DejaVu Sans"
# Code (code, pre, kbd, samp) is set in a monospace serif with real bold and italic, which
# syntax highlighting uses; characters it lacks come from the book font, then the fallback.
CODE_FONT, CODE_FONT_NAME = FONTS / "cmuntt.ttf", "CMU Typewriter Text"
CODE_BOLD_FONT, CODE_ITALIC_FONT = FONTS / "cmuntb.ttf", FONTS / "cmunit.ttf"
# A font configuration with no font folders: the renderer sees only the fonts the
# stylesheets load, never the machine's.
FONT_CONFIG = FONTS / "fonts.conf"


@cache
def characters_of(font: Path) -> frozenset[int]:
    """The code points a font has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(font, lazy=True) as opened:
        return frozenset(opened.getBestCmap())


def screen_stylesheet(name: str) -> str:
    """A screen format's package stylesheet (epub.css, web.css), then what both formats
    share: code highlighting, pandoc's list markers and the index's lists."""
    return "\n".join((PACKAGE_STYLES / file).read_text(encoding="utf-8")
                     for file in (name, "code.css", "lists.css"))


def stylesheet(collection: Collection, name: str) -> Path | None:
    """A collection's own stylesheet in styles/, loaded after the package's defaults."""
    path = collection.root / "styles" / name
    return path if path.is_file() else None


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
    loaders.append(PackageLoader("qlabbook", "assets/templates"))
    env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                      autoescape=True, keep_trailing_newline=True)
    env.globals["note_class"] = NoteClass  # the class names the page map finds notes by
    # Authors as a reader is shown them ("Lovelace, Ada" is "Ada Lovelace"), as the
    # metadata and the citations name them.
    env.filters["display_names"] = display_names
    env.filters["names"] = lambda names: ", ".join(display_names(names))
    return env


def base_context(collection: Collection) -> dict[str, object]:
    """What every format's templates are given: the metadata, the essays, the ids."""
    meta = collection.metadata
    return {
        "meta": meta,
        "essays": collection.essays,
        "version": __version__,
        "date_label": format_date(meta.date, month_only=True) if meta.date else "",
        "author_names": display_names(meta.authors),  # the metadata's, as citations read them
        "timestamp": build_time(collection).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "series_line": series_line(collection),
        "edition_line": edition_line(meta),
        "part_of": part_of(meta),
        "note_id": ids.note_id,
        "call_id": ids.call_id,
        "notes_id": ids.notes_id,
        "credits": credited_figures(collection),
        "fonts_licence": FONTS_LICENCE,
    }


# The imprint's colophon, in both formats: the shipped fonts and their licence.
FONTS_LICENCE = "Set in Linux Libertine and Linux Biolinum (SIL Open Font License)"


def credited_figures(collection: Collection) -> list[tuple[Essay, Figure]]:
    """Every figure with a credit, licence or source, in reading order: the picture-credits
    pages of both formats."""
    return [(essay, figure) for essay in collection.essays for figure in essay.figures
            if figure.credit or figure.licence or figure.source]


def series_line(collection: Collection) -> Callable[[Essay], str]:
    def line(essay: Essay) -> str:
        parts = [collection.metadata.series, f"Essay {essay.number}", essay.source.date_label]
        return " \u00b7 ".join(p for p in parts if p)
    return line


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
