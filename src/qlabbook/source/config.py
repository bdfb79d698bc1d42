"""Read qlabbook.toml: the collection's metadata and options, each problem at its line."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.frontmatter import parse_date
from qlabbook.source.images import image_size
from qlabbook.source.model import DEFAULT_FORMATS, FORMATS, BibliographyOptions, Metadata, Options
from qlabbook.source.profiles import (
    DEFAULT_PROFILE,
    NOTE_PLACEMENTS,
    PAGE_SIZES,
    PROFILES,
    page_dimensions,
)
from qlabbook.source.text import XML_INVALID

CONFIG_NAME = "qlabbook.toml"


def read_text(root: Path, relative: Path, diagnostics: Diagnostics) -> str | None:
    """A source file as text with LF line ends, no BOM and no XML-invalid characters."""
    raw = (root / relative).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        diagnostics.error("S101", f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})",
                          relative, line, "save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for match in XML_INVALID.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        diagnostics.warning("S105", f"removed control character U+{ord(match.group()):04X}",
                            relative, line)
    return XML_INVALID.sub("", text)


def load_config(root: Path, diagnostics: Diagnostics) -> tuple[Metadata, Options] | None:
    """Read the collection's metadata and options from qlabbook.toml."""
    path = Path(CONFIG_NAME)
    if not (root / path).is_file():
        diagnostics.error("C101", f"no {CONFIG_NAME} in the collection folder", path, None,
                          f"create {CONFIG_NAME} with a [collection] table and a title")
        return None
    text = read_text(root, path, diagnostics)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        diagnostics.error("C102", f"invalid TOML: {error}", path,
                          int(found.group(1)) if found else None)
        return None

    def line_of(key: str) -> int | None:
        found = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
        return text.count("\n", 0, found.start()) + 1 if found else None

    table = data.get("collection")
    if not isinstance(table, dict):
        diagnostics.error("C103", "missing [collection] table", path, None,
                          'add [collection] with at least title = "..."')
        return None
    fields = Fields(table, path, line_of, diagnostics, "C103")
    title = fields.text("title", required=True)
    found_date = collection_date(table.get("date"))
    date = found_date if isinstance(found_date, dt.date) else None
    if found_date is False:
        diagnostics.error("C103", "'date' must be a date such as 2019-05-01", path,
                          line_of("date"), "write it as date = 2019-05-01 (quotes are fine)")
    metadata = Metadata(
        title=title,
        subtitle=fields.text("subtitle"),
        series=fields.text("series"),
        authors=fields.names("authors"),
        publisher=fields.text("publisher"),
        language=fields.text("language") or "en",
        identifier=fields.text("identifier"),
        date=date,
        rights=fields.text("rights"),
        edition=fields.text("edition"),
    )
    pdf = data.get("pdf", {})
    options = pdf_options(pdf if isinstance(pdf, dict) else {}, root, path, line_of,
                          diagnostics)
    build = data.get("build", {})
    essays = build.get("essays", False) if isinstance(build, dict) else False
    if not isinstance(essays, bool):
        diagnostics.error("C104", f"[build] essays must be true or false, not {essays!r}", path,
                          line_of("essays"), "write essays = true")
        essays = False
    formats = build_formats(build if isinstance(build, dict) else {}, path, line_of,
                            diagnostics)
    web = data.get("web", {})
    web_url = web.get("url", "") if isinstance(web, dict) else ""
    if not isinstance(web_url, str) or (web_url and not re.match(r"https?://[^\s/]+", web_url)):
        diagnostics.error("C104", f"[web] url must be an http(s) address, not {web_url!r}",
                          path, line_of("url"), 'write url = "https://example.org/essays/"')
        web_url = ""
    bibliography = bibliography_options(data.get("bibliography"), text, path, diagnostics)
    return metadata, replace(options, essays=essays, formats=formats,
                             web_url=web_url.rstrip("/") + "/" if web_url else "",
                             bibliography=bibliography)


def build_formats(build: dict[str, Any], path: Path, line_of: Any,
                  diagnostics: Diagnostics) -> tuple[str, ...]:
    """[build] formats: the formats a build writes when the command line names none."""
    formats = build.get("formats", list(DEFAULT_FORMATS))
    if not isinstance(formats, list) or not formats or any(f not in FORMATS for f in formats):
        diagnostics.error("C104", f"[build] formats must be a list of {', '.join(FORMATS)}, "
                          f"not {formats!r}", path, line_of("formats"),
                          'write formats = ["pdf", "epub", "web"]')
        return DEFAULT_FORMATS
    return tuple(f for f in FORMATS if f in formats)


def bibliography_options(table: Any, text: str, path: Path,
                         diagnostics: Diagnostics) -> BibliographyOptions | None:
    """The `[bibliography]` table; whether its files and style exist is the references
    stage's to say."""
    if table is None:
        return None
    header = re.search(r"^\s*\[bibliography\]", text, re.MULTILINE)
    start = header.end() if header else 0

    def line_of(key: str) -> int | None:
        found = re.compile(rf"^\s*{key}\s*=", re.MULTILINE).search(text, start)
        return text.count("\n", 0, found.start()) + 1 if found else \
            (text.count("\n", 0, start) + 1 if header else None)

    if not isinstance(table, dict):
        diagnostics.error("C104", "[bibliography] must be a table", path, line_of("bibliography"))
        return None
    files = table.get("files", [])
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not files or not all(
            isinstance(f, str) and f.strip() for f in files):
        diagnostics.error("C104", "[bibliography] files must be a list of .bib or .json files",
                          path, line_of("files"), 'write files = ["references.bib"]')
        return None
    style = table.get("style", "chicago-note-bibliography")
    if not isinstance(style, str) or not style.strip():
        diagnostics.error("C104", "[bibliography] style must be a style's name or a .csl file",
                          path, line_of("style"), 'write style = "vancouver"')
        style = "chicago-note-bibliography"
    return BibliographyOptions(tuple(f.strip() for f in files), style.strip(),
                               line_of("files"), line_of("style"))


def pdf_options(pdf: dict[str, Any], root: Path, path: Path, line_of: Any,
                diagnostics: Diagnostics) -> Options:
    """The `[pdf]` table: trim size, profiles, bleed, note placement and cover image."""
    page_size = pdf.get("page_size", "A4")
    if not isinstance(page_size, str) or page_dimensions(page_size) is None:
        diagnostics.error("C104", f"unknown page_size {page_size!r}", path, line_of("page_size"),
                          "use one of " + ", ".join(PAGE_SIZES) + ' or a size such as '
                          '"156x234 mm" (90-297 mm wide, 120-420 mm tall)')
        page_size = "A4"
    key = "profiles" if "profiles" in pdf else "profile"
    chosen = pdf.get(key, [DEFAULT_PROFILE])
    chosen = [chosen] if isinstance(chosen, str) else chosen
    if not isinstance(chosen, list) or not chosen or any(
            p not in PROFILES for p in chosen):
        diagnostics.error("C104", f"unknown PDF {key} {pdf.get(key)!r}", path, line_of(key),
                          'use "screen", "press" or both: profiles = ["screen", "press"]')
        chosen = [DEFAULT_PROFILE]
    bleed = pdf.get("bleed_mm", 3.0)
    if isinstance(bleed, bool) or not isinstance(bleed, int | float) or not 0 <= bleed <= 10:
        diagnostics.error("C104", f"bleed_mm must be a number of millimetres from 0 to 10, "
                          f"not {bleed!r}", path, line_of("bleed_mm"), "printers ask for 3 to 5")
        bleed = 3.0
    notes = pdf.get("notes", "footnotes")
    if notes not in NOTE_PLACEMENTS:
        diagnostics.error("C104", f"unknown notes placement {notes!r}", path, line_of("notes"),
                          'use "footnotes" (at the page foot) or "endnotes" (after each essay)')
        notes = "footnotes"
    cover = pdf.get("cover", "")
    if not isinstance(cover, str):
        diagnostics.error("C104", "cover must be the path of an image in the collection",
                          path, line_of("cover"))
        cover = ""
    elif cover and not cover_is_usable(root, cover):
        diagnostics.error("I101", f"cover image {cover!r} is not a readable image inside the "
                          "collection", path, line_of("cover"),
                          'give a path relative to qlabbook.toml, e.g. "images/cover.jpg"')
        cover = ""
    return Options(page_size=page_size, profiles=tuple(dict.fromkeys(chosen)),
                   bleed_mm=float(bleed), notes=notes, cover=cover)


def cover_is_usable(root: Path, cover: str) -> bool:

    target = (root / cover).resolve()
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return False
    return target.is_file() and image_size(target) is not None


class Fields:
    """Typed access to a mapping of fields, reporting wrong types at their line."""

    def __init__(self, data: dict[str, Any], path: Path, line_of: Any,
                 diagnostics: Diagnostics, code: str) -> None:
        self.data, self.path, self.line_of = data, path, line_of
        self.diagnostics, self.code = diagnostics, code

    def _wrong(self, key: str, expected: str) -> None:
        self.diagnostics.error(self.code, f"'{key}' must be {expected}", self.path,
                               self.line_of(key))

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.diagnostics.error(self.code, f"missing required field '{key}'", self.path,
                                       self.line_of(key) or 1, f"add {key}: ...")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self._wrong(key, "text")
            return ""
        return self._clean(key, str(value)).strip()

    def _clean(self, key: str, value: str) -> str:
        """Escapes in YAML and TOML strings (\a, \u0000) can produce characters XML forbids."""
        for character in dict.fromkeys(XML_INVALID.findall(value)):
            self.diagnostics.warning("S105", f"removed control character "
                                     f"U+{ord(character):04X} from '{key}'", self.path,
                                     self.line_of(key))
        return XML_INVALID.sub("", value)

    def names(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            names = (self._clean(key, v).strip() for v in value)
            return tuple(name for name in names if name)
        self._wrong(key, "a name or a list of names")
        return ()


def collection_date(value: Any) -> dt.date | bool | None:
    """The collection's date: a TOML date, or one quoted as people write dates in YAML
    ("2026-11-01", "1 November 2026"); None when absent, False when it is no date."""
    if value is None:
        return None
    try:
        parsed = parse_date(value) if isinstance(value, str | dt.date) else None
    except ValueError:  # a day or month out of range
        parsed = None
    if parsed is None:
        return False
    return parsed.date() if isinstance(parsed, dt.datetime) else parsed
