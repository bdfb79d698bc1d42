"""Every table and key qlabbook reads from qlabbook.toml, declared once: its type, default,
check, the error a wrong value gives and the line README's key table shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from qlabbook.source.model import DEFAULT_FORMATS, FORMATS, EditionFormat
from qlabbook.source.profiles import (
    DEFAULT_PROFILE,
    NOTE_PLACEMENTS,
    PAGE_SIZES,
    PROFILES,
    page_dimensions,
)

# Turns a value as written into the value qlabbook uses; raises ValueError when it is wrong.
Check = Callable[[Any], Any]
# A key's type as README's key table names it.
KeyType = Literal["text", "list of text", "number", "true or false", "date"]


@dataclass(frozen=True)
class Key:
    """One key of one table."""

    table: str
    name: str
    type: KeyType
    default: Any  # the value used when the key is absent or wrong
    doc: str  # README's key table: what it is for, with its default
    # None: [collection]'s fields, read by config.settings.Fields as front matter is.
    check: Check | None = None
    message: str = ""  # the error for a wrong value, formatted with value=
    hint: str | None = None
    required: bool = False  # absent is as wrong as a wrong value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value.strip()


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def choice(*allowed: Any) -> Check:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(value)
        return value
    return check


def page_size(value: Any) -> str:
    if not isinstance(value, str) or page_dimensions(value) is None:
        raise ValueError(value)
    return value


def profiles(value: Any) -> tuple[str, ...]:
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, list) or not chosen or any(p not in PROFILES for p in chosen):
        raise ValueError(value)
    return tuple(dict.fromkeys(chosen))


def bleed(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
        raise ValueError(value)
    return float(value)


def path_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def formats(value: Any) -> tuple[EditionFormat, ...]:
    if not isinstance(value, list) or not value or any(f not in FORMATS for f in value):
        raise ValueError(value)
    return tuple(f for f in FORMATS if f in value)


def web_address(value: Any) -> str:
    if not isinstance(value, str) or (value and not re.match(r"https?://[^\s/]+", value)):
        raise ValueError(value)
    return value.rstrip("/") + "/" if value else ""


def file_list(value: Any) -> tuple[str, ...]:
    files = [value] if isinstance(value, str) else value
    if not isinstance(files, list) or not files or not all(
            isinstance(f, str) and f.strip() for f in files):
        raise ValueError(value)
    return tuple(f.strip() for f in files)


def style(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(value)
    return value.strip()


def names(value: Any) -> tuple[str, ...]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError(value)
    return tuple(value)


def collection(name: str, type_: KeyType, doc: str) -> Key:
    return Key("collection", name, type_, "", doc)


SIZES = ", ".join(f'"{name}"' for name in PAGE_SIZES) + ' or "WxH mm", 90 x 120 to 297 x 420'
KEYS: tuple[Key, ...] = (
    collection("title", "text", "the book's title (required)"),
    collection("subtitle", "text", "printed under the title"),
    collection("series", "text", "printed on each essay's opening"),
    collection("authors", "list of text", "the authors' names (one name is fine)"),
    collection("publisher", "text", "printed in the imprint"),
    Key("collection", "language", "text", "en", 'BCP 47, e.g. "en-GB" (default "en")'),
    collection("identifier", "text", "a UUID URN or ISBN; keep it stable"),
    collection("date", "date", '2019-05-01, "2019-05-01" or "1 May 2019"'),
    collection("rights", "text", "printed in the imprint"),
    collection("edition", "text", 'printed in the imprint, e.g. "First edition"'),
    Key("pdf", "page_size", "text", "A4", f'the trim size: {SIZES} (default "A4")', page_size,
        "unknown page_size {value!r}",
        "use one of " + ", ".join(PAGE_SIZES) + ' or a size such as "156x234 mm" (90-297 mm '
        'wide, 120-420 mm tall)'),
    Key("pdf", "profiles", "list of text", (DEFAULT_PROFILE,),
        'which PDFs a build writes: "screen", "press" (default ["screen"])', profiles,
        "unknown PDF profiles {value!r}",
        'use "screen", "press" or both: profiles = ["screen", "press"]'),
    Key("pdf", "profile", "text", (DEFAULT_PROFILE,), "one profile, when profiles is not given",
        profiles, "unknown PDF profile {value!r}",
        'use "screen", "press" or both: profiles = ["screen", "press"]'),
    Key("pdf", "bleed_mm", "number", 3.0, "the press PDF's bleed, 0 to 10 mm (default 3)",
        bleed, "bleed_mm must be a number of millimetres from 0 to 10, not {value!r}",
        "printers ask for 3 to 5"),
    Key("pdf", "notes", "text", "footnotes", '"footnotes" (default) or "endnotes"',
        choice(*NOTE_PLACEMENTS), "unknown notes placement {value!r}",
        'use "footnotes" (at the page foot) or "endnotes" (after each essay)'),
    Key("pdf", "cover", "text", "", 'a cover image in the collection, e.g. "images/cover.jpg"',
        path_text, "cover must be the path of an image in the collection"),
    Key("build", "essays", "true or false", False,
        "also write the per-essay editions (default false)", boolean,
        "[build] essays must be true or false, not {value!r}", "write essays = true"),
    Key("build", "formats", "list of text", DEFAULT_FORMATS,
        'what a build writes without --format: "pdf", "epub", "web" (default ["pdf", "epub"])',
        formats, f"[build] formats must be a list of {', '.join(FORMATS)}, not {{value!r}}",
        'write formats = ["pdf", "epub", "web"]'),
    Key("web", "url", "text", "", "the address the web edition is published at", web_address,
        "[web] url must be an http(s) address, not {value!r}",
        'write url = "https://example.org/essays/"'),
    Key("crossref", "chapters", "true or false", False,
        'number figures, tables and equations by essay: "Figure 3.2" (default false: '
        '"Figure 2")', boolean, "[crossref] chapters must be true or false, not {value!r}",
        "write chapters = true"),
    Key("bibliography", "files", "list of text", None,
        "BibTeX and CSL-JSON files, relative to qlabbook.toml (required)", file_list,
        "[bibliography] files must be a list of .bib or .json files",
        'write files = ["references.bib"]', required=True),
    Key("bibliography", "style", "text", "chicago-note-bibliography",
        'a shipped style\'s name or a .csl file (default "chicago-note-bibliography")', style,
        "[bibliography] style must be a style's name or a .csl file",
        'write style = "vancouver"'),
    Key("essays", "folder", "text", "essays", 'where the essays are (default "essays")', text,
        "[essays] folder must be text, not {value!r}"),
    Key("essays", "order", "list of text", None, "the essays' file names in series order",
        names, "[essays] order must be a list of file names",
        'order = ["first.md", "second.md"]'),
    Key("essays", "exclude", "list of text", (), "Markdown files in folder that are not essays",
        names, "[essays] exclude must be a list of file names",
        'exclude = ["first.md", "second.md"]'),
    Key("essays", "permalink", "text", "", 'the site\'s pattern, e.g. "/:year/:month/:title/"',
        text, "[essays] permalink must be text, not {value!r}"),
    Key("essays", "site", "text", "", 'the site\'s address, e.g. "https://example.org/blog"',
        text, "[essays] site must be text, not {value!r}"),
)
SCHEMA: dict[tuple[str, str], Key] = {(key.table, key.name): key for key in KEYS}
TABLES: dict[str, tuple[str, ...]] = {}
for _key in KEYS:
    TABLES[_key.table] = (*TABLES.get(_key.table, ()), _key.name)


def reference_table() -> str:
    """README's table of every key, generated from the schema (a test keeps README so)."""
    rows = ["| table | key | type | what it is |", "|:--|:--|:--|:--|"]
    rows += [f"| `[{k.table}]` | `{k.name}` | {k.type} | {k.doc} |" for k in KEYS]
    return "\n".join(rows) + "\n"
