"""The collection's metadata and options from qlabbook.toml, each problem at its line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from qlabbook.source.config.file import ConfigFile, read_config
from qlabbook.source.config.schema import KEYS
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.frontmatter import parse_date
from qlabbook.source.images import image_size
from qlabbook.source.model import BibliographyOptions, Metadata, Options
from qlabbook.source.text import XML_INVALID


def load_config(root: Path, diagnostics: Diagnostics) -> tuple[Metadata, Options] | None:
    """Read the collection's metadata and options from qlabbook.toml."""
    config = read_config(root, diagnostics)
    return collection_settings(config, root) if config is not None else None


def collection_settings(config: ConfigFile, root: Path) -> tuple[Metadata, Options] | None:
    """The `[collection]` table as Metadata, and `[pdf]`, `[build]`, `[web]`, `[crossref]` and
    `[bibliography]` as Options; None when there is no `[collection]`."""
    table = config.data.get("collection")
    if not isinstance(table, dict):
        config.diagnostics.error("C103", "missing [collection] table", config.path, None,
                                 'add [collection] with at least title = "..."')
        return None
    metadata = collection_metadata(config, table)
    options = pdf_options(config, root)
    build = config.table("build") or {}
    web = config.table("web") or {}
    crossref = config.table("crossref") or {}
    return metadata, replace(options, essays=config.value(build, "build", "essays"),
                             formats=config.value(build, "build", "formats"),
                             web_url=config.value(web, "web", "url"),
                             crossref_chapters=config.value(crossref, "crossref", "chapters"),
                             bibliography=bibliography_options(config))


def collection_metadata(config: ConfigFile, table: dict[str, Any]) -> Metadata:
    """`[collection]`'s fields, read as front matter is (Fields), wrong types as C103."""
    fields = Fields(table, config.path, lambda key: config.line_of("collection", key),
                    config.diagnostics, "C103")
    values: dict[str, Any] = {"title": fields.text("title", required=True)}
    found_date = collection_date(table.get("date"))
    if found_date is False:
        config.diagnostics.error("C103", "'date' must be a date such as 2019-05-01",
                                 config.path, config.line_of("collection", "date"),
                                 "write it as date = 2019-05-01 (quotes are fine)")
    for key in KEYS:
        if key.table == "collection" and key.name not in ("title", "date"):
            values[key.name] = fields.names(key.name) if key.type == "list of text" else \
                fields.text(key.name) or key.default
    return Metadata(date=found_date if isinstance(found_date, dt.date) else None, **values)


def bibliography_options(config: ConfigFile) -> BibliographyOptions | None:
    """The `[bibliography]` table; whether its files and style exist is the references
    stage's to say."""
    if "bibliography" not in config.data:
        return None
    table = config.table("bibliography")
    if table is None:
        return None
    files = config.value(table, "bibliography", "files")
    if files is None:
        return None
    return BibliographyOptions(files, config.value(table, "bibliography", "style"),
                               config.located("bibliography", "files"),
                               config.located("bibliography", "style"))


def pdf_options(config: ConfigFile, root: Path) -> Options:
    """The `[pdf]` table: trim size, profiles, bleed, note placement and cover image."""
    pdf = config.table("pdf") or {}
    page_size = config.value(pdf, "pdf", "page_size")
    profiles = config.value(pdf, "pdf", "profiles" if "profiles" in pdf else "profile")
    bleed_mm, notes = config.value(pdf, "pdf", "bleed_mm"), config.value(pdf, "pdf", "notes")
    cover = config.value(pdf, "pdf", "cover")
    if cover and not cover_is_usable(root, cover):
        config.diagnostics.error(
            "I101", f"cover image {cover!r} is not a readable image inside the collection",
            config.path, config.line_of("pdf", "cover"),
            'give a path relative to qlabbook.toml, e.g. "images/cover.jpg"')
        cover = ""
    return Options(page_size=page_size, profiles=profiles, bleed_mm=bleed_mm, notes=notes,
                   cover=cover)


def cover_is_usable(root: Path, cover: str) -> bool:

    target = (root / cover).resolve()
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return False
    return target.is_file() and image_size(target) is not None


class Fields:
    """Typed access to a mapping of fields, reporting wrong types at their line."""

    def __init__(self, data: dict[str, Any], path: Path,
                 line_of: Callable[[str], int | None], diagnostics: Diagnostics,
                 code: str) -> None:
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
