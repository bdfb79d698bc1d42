"""Font coverage: which characters of the edition the shipped fonts cannot print."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from qlabbook.assets import (
    BOOK_FONT,
    BOOK_FONT_NAME,
    FALLBACK_FONT,
    FALLBACK_FONT_NAME,
    characters_of,
)
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection, EssaySource

Locate = Callable[[str], int | None]

# Never drawn as glyphs: spaces, line ends, format characters such as the directional marks
# and joiners. Checking them would only give false alarms.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def describe(character: str) -> str:
    name = unicodedata.name(character, "an unnamed character")
    return f"U+{ord(character):04X} {name}"


def check_coverage(collection: Collection, diagnostics: Diagnostics) -> None:
    """Warn, once per character at its first place, about characters missing from the book
    font: printed from the shipped fallback font, or by nothing shipped at all."""
    book, fallback = characters_of(BOOK_FONT), characters_of(FALLBACK_FONT)
    seen: set[str] = set()
    for path, line, text in edition_texts(collection):
        for character in text:
            if character in seen or ord(character) in book or \
                    unicodedata.category(character) in INVISIBLE_CATEGORIES:
                continue
            seen.add(character)
            where = line(character)
            if ord(character) in fallback:
                diagnostics.warning(
                    "R103", f"{describe(character)} is not in {BOOK_FONT_NAME}; the PDF prints "
                    f"it in {FALLBACK_FONT_NAME}", path, where)
            else:
                diagnostics.warning(
                    "R104", f"{describe(character)} is in none of the shipped fonts "
                    f"({BOOK_FONT_NAME}, {FALLBACK_FONT_NAME}); the PDF shows an empty box",
                    path, where, "replace the character, or load a font that has it from the "
                    "collection's styles/print.css")


def edition_texts(collection: Collection) -> Iterator[tuple[Path, Locate, str]]:
    """(file, a function locating a character's line in it, text) for everything printed."""
    meta = collection.metadata
    config = collection.root / "qlabbook.toml"
    config_text = config.read_text(encoding="utf-8", errors="replace") if config.is_file() else ""

    def config_line(character: str) -> int | None:
        index = config_text.find(character)
        return config_text.count("\n", 0, index) + 1 if index >= 0 else None

    yield (Path("qlabbook.toml"), config_line,
           " ".join([meta.title, meta.subtitle, meta.series, *meta.authors, meta.publisher,
                     meta.rights, meta.identifier]))
    for essay in collection.essays:
        source = essay.source
        body_text = " ".join(xhtml_text(h) for h in
                             (essay.body_html, *(n.html for n in essay.footnotes)))

        def essay_line(character: str, source: EssaySource = source) -> int | None:
            found = source.line_of(character)
            return found if found is not None else front_matter_line(source, character)

        yield (source.path, essay_line,
               " ".join([source.title, source.subtitle, source.summary, *source.authors,
                         body_text]))


def front_matter_line(source: EssaySource, character: str) -> int | None:
    for key in ("title", "subtitle", "summary", "authors"):
        if character in str(getattr(source, key)):
            return source.field_line(key)
    return None


def xhtml_text(html: str) -> str:
    return "".join(ET.fromstring(f"<div>{html}</div>").itertext())
