"""Font coverage: which characters of the edition the shipped fonts cannot print."""

from __future__ import annotations

import functools
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from qlabbook.assets import (
    BOOK_FONT,
    BOOK_FONT_NAME,
    CODE_FONT,
    CODE_FONT_NAME,
    FALLBACK_FONT,
    FALLBACK_FONT_NAME,
    characters_of,
)
from qlabbook.markdown.formulas import PLACEHOLDER_TAG
from qlabbook.source.config import CONFIG_NAME
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
    """Warn, once per character at its first place, about characters missing from the font
    meant for them (the book font, or the code font in code): printed from the next shipped
    font that has them (code: the book font, then the fallback), or by none at all."""
    book, code = characters_of(BOOK_FONT), characters_of(CODE_FONT)
    fallback = characters_of(FALLBACK_FONT)
    text_fonts = [(BOOK_FONT_NAME, book), (FALLBACK_FONT_NAME, fallback)]
    code_fonts = [(CODE_FONT_NAME, code), *text_fonts]
    seen: set[tuple[str, bool]] = set()
    for path, line, text, code_text in edition_texts(collection):
        for fonts, characters in ((text_fonts, text), (code_fonts, code_text)):
            in_code = fonts is code_fonts
            for character in distinct_characters(characters):
                if (character, in_code) in seen or ord(character) in fonts[0][1] or \
                        unicodedata.category(character) in INVISIBLE_CATEGORIES:
                    continue
                seen.add((character, in_code))
                report_missing(character, fonts, in_code, diagnostics, path, line(character))


def report_missing(character: str, fonts: list[tuple[str, frozenset[int]]], in_code: bool,
                   diagnostics: Diagnostics, path: Path, where: int | None) -> None:
    """R103 names the shipped font that prints the character instead; R104, that none can."""
    names = [name for name, _ in fonts]
    usual = f"{names[0]} (the code font)" if in_code else names[0]
    printer = next((name for name, characters in fonts[1:] if ord(character) in characters),
                   None)
    if printer is not None:
        diagnostics.warning(
            "R103", f"{describe(character)} is not in {usual}; the PDF prints it in {printer}",
            path, where)
    else:
        diagnostics.warning(
            "R104", f"{describe(character)} is in none of the shipped fonts "
            f"({', '.join(names)}); the PDF shows an empty box",
            path, where, "replace the character, or load a font that has it from the "
            "collection's styles/print.css")


def edition_texts(collection: Collection) -> Iterator[tuple[Path, Locate, str, str]]:
    """(file, a function locating a character's line in it, text, text set as code) for
    everything printed."""
    meta = collection.metadata
    config = collection.root / CONFIG_NAME
    config_text = config.read_text(encoding="utf-8", errors="replace") if config.is_file() else ""

    def config_line(character: str) -> int | None:
        index = config_text.find(character)
        return config_text.count("\n", 0, index) + 1 if index >= 0 else None

    yield (Path(CONFIG_NAME), config_line,
           " ".join([meta.title, meta.subtitle, meta.series, *meta.authors, meta.publisher,
                     meta.rights, meta.identifier]), "")
    for essay in collection.essays:
        source = essay.source
        parts = [xhtml_text(h) for h in (essay.body_html, *(n.html for n in essay.footnotes))]

        def essay_line(character: str, source: EssaySource = source) -> int | None:
            found = source.line_of(character)
            return found if found is not None else front_matter_line(source, character)

        yield (source.path, essay_line,
               " ".join([source.title, source.subtitle, source.summary, *source.authors,
                         *(text for text, _ in parts)]),
               " ".join(code for _, code in parts))


def front_matter_line(source: EssaySource, character: str) -> int | None:
    for key in ("title", "subtitle", "summary", "authors"):
        if character in str(getattr(source, key)):
            return source.field_line(key)
    return None


# A watch or serve checks every essay again after each save: an unchanged essay's text and
# characters are remembered (its strings are the same objects, whose hashes Python keeps).
REMEMBERED_TEXTS = 4096


@functools.lru_cache(maxsize=REMEMBERED_TEXTS)
def distinct_characters(text: str) -> tuple[str, ...]:
    """Each character of `text` once, in the order of first appearance."""
    return tuple(dict.fromkeys(text))


# Elements the print stylesheet sets in the code font.
CODE_ELEMENTS = {"code", "pre", "kbd", "samp"}


@functools.lru_cache(maxsize=REMEMBERED_TEXTS)
def xhtml_text(html: str) -> tuple[str, str]:
    """A fragment's text, and apart from it the text of its code."""
    text: list[str] = []
    code: list[str] = []

    def walk(element: ET.Element, in_code: bool) -> None:
        in_code = in_code or element.tag in CODE_ELEMENTS
        if element.tag != PLACEHOLDER_TAG:  # a formula is drawn by ziamath, not set in a font
            (code if in_code else text).append(element.text or "")
        for child in element:
            walk(child, in_code)
            (code if in_code else text).append(child.tail or "")

    walk(ET.fromstring(f"<div>{html}</div>"), False)
    return "".join(text), "".join(code)
