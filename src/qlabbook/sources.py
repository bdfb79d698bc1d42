"""Load stage: read qlabbook.toml and essays/*.md (front matter with line numbers)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from qlabbook.errors import Diagnostics
from qlabbook.model import (
    NOTE_PLACEMENTS,
    PAGE_SIZES,
    PDF_PROFILES,
    EssaySource,
    Metadata,
    Options,
    page_dimensions,
)
from qlabbook.text import XML_INVALID, format_date, slugify

CONFIG_NAME = "qlabbook.toml"
ESSAY_FIELDS = {"title", "number", "subtitle", "date", "authors", "summary", "slug"}
MONTH_DATE = re.compile(r"^(\d{4})-(\d{2})$")
# The largest essay file accepted: about 80,000 words of prose, a short book. Larger files
# are nearly always a paste gone wrong, and conversion time grows with size.
MAX_ESSAY_BYTES = 512 * 1024
STYLESHEETS = ("print.css", "epub.css")


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
    date = table.get("date")
    if date is not None and not isinstance(date, dt.date):
        diagnostics.error("C103", "'date' must be a date such as 2019-05-01", path, line_of("date"))
        date = None
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
    return metadata, replace(options, essays=essays)


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
    chosen = pdf.get(key, ["screen"])
    chosen = [chosen] if isinstance(chosen, str) else chosen
    if not isinstance(chosen, list) or not chosen or any(
            p not in PDF_PROFILES for p in chosen):
        diagnostics.error("C104", f"unknown PDF {key} {pdf.get(key)!r}", path, line_of(key),
                          'use "screen", "press" or both: profiles = ["screen", "press"]')
        chosen = ["screen"]
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
    from qlabbook.images import image_size

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


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) or None when the file has no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None


def key_lines(front: str) -> dict[str, int]:
    """Each top-level key's file line (front matter starts on line 2)."""
    node = yaml.compose(front, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 2 for k, _ in node.value}


def impossible_date(front: str) -> tuple[int, str]:
    """The file line and text of the first date-shaped value that is not a calendar date."""
    for index, text in enumerate(front.splitlines()):
        for found in re.finditer(r"\d{4}-\d{1,2}-\d{1,2}", text):
            try:
                dt.date(*map(int, found.group().split("-")))
            except ValueError:
                return index + 2, found.group()
    return 2, "a date"


def load_essay(root: Path, relative: Path, diagnostics: Diagnostics) -> EssaySource | None:
    """Read one essay file; report every problem in its front matter."""
    size = (root / relative).stat().st_size
    if size > MAX_ESSAY_BYTES:
        diagnostics.error("S107", f"the essay is {size // 1024} KB, above the limit of "
                          f"{MAX_ESSAY_BYTES // 1024} KB", relative, None,
                          "split it into several essays")
        return None
    text = read_text(root, relative, diagnostics)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        diagnostics.error("S102", "no front matter", relative, 1,
                          "start the file with a '---' line, title: and number:, then '---'")
        return None
    front, body, body_line = parts
    try:
        lines = key_lines(front)
        data = yaml.safe_load(front) or {}
    except ValueError as error:  # a date that does not exist, e.g. 2019-02-30
        line, value = impossible_date(front)
        diagnostics.error("S104", f"{value} is not a real date ({error})", relative, line,
                          "check the day and month")
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        diagnostics.error("S103", f"invalid YAML in front matter: {problem}", relative,
                          mark.line + 2 if mark else 2)
        return None
    if not isinstance(data, dict):
        diagnostics.error("S103", "front matter must be a mapping of fields", relative, 2)
        return None
    before = len(diagnostics.errors)
    fields = Fields(data, relative, lines.get, diagnostics, "S104")
    for key in sorted(set(map(str, data)) - ESSAY_FIELDS):
        diagnostics.warning("S106", f"unknown front matter field '{key}'", relative,
                            lines.get(key), "known fields: " + ", ".join(sorted(ESSAY_FIELDS)))
    number = data.get("number")
    if number is None:
        diagnostics.error("S104", "missing required field 'number'", relative, 2,
                          "add number: N (the essay's place in the series)")
    elif isinstance(number, bool) or not isinstance(number, int) or number < 1:
        diagnostics.error("S104", f"'number' must be a positive whole number, not {number!r}",
                          relative, lines.get("number"))
    title = fields.text("title", required=True)
    date, date_label = essay_date(data.get("date"), relative, lines.get("date"), diagnostics)
    slug = fields.text("slug") or slugify(relative.stem)
    if slugify(slug) != slug:
        diagnostics.error("S104", f"'slug' must be lowercase letters, digits and hyphens: {slug!r}",
                          relative, lines.get("slug"), f"try slug: {slugify(slug) or 'essay'}")
    if len(diagnostics.errors) > before:
        return None
    assert isinstance(number, int)
    return EssaySource(
        path=relative, number=number, slug=slug, title=title, body=body, body_line=body_line,
        subtitle=fields.text("subtitle"), date=date, date_label=date_label,
        authors=fields.names("authors"), summary=fields.text("summary"),
        field_lines=tuple(sorted(lines.items())),
    )


def essay_date(value: Any, path: Path, line: int | None,
               diagnostics: Diagnostics) -> tuple[dt.date | None, str]:
    """A front matter date: a full date (2019-05-14) or a month (2019-05)."""
    if value is None:
        return None, ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, format_date(value)
    month = MONTH_DATE.match(str(value))
    if month and 1 <= int(month.group(2)) <= 12:
        date = dt.date(int(month.group(1)), int(month.group(2)), 1)
        return date, format_date(date, month_only=True)
    diagnostics.error("S104", f"'date' must be a date (2019-05-14) or a month (2019-05), "
                      f"not {value!r}", path, line)
    return None, ""


def load_sources(root: Path, diagnostics: Diagnostics) -> tuple[Metadata, Options,
                                                                list[EssaySource]]:
    """Read the whole collection; raise once with every problem found."""
    config = load_config(root, diagnostics)
    essays_dir = root / "essays"
    paths = sorted(p for p in essays_dir.glob("*.md") if p.is_file()) \
        if essays_dir.is_dir() else []
    outside = links_outside(root, [*paths, *root.glob("styles/*"), *root.glob("templates/**/*")])
    paths = [p for p in paths if p not in outside]
    for path in outside:
        diagnostics.error("S109", "the file is a link to a place outside the collection",
                          path.relative_to(root), None,
                          "copy the file into the collection instead of linking to it")
    if not paths and not outside:
        diagnostics.error("A101", "the collection has no essays", Path("essays"), None,
                          "add Markdown files such as essays/01-title.md")
    sources = [load_essay(root, p.relative_to(root), diagnostics) for p in paths]
    check_stylesheets(root, diagnostics)
    if config is None or not paths:
        diagnostics.raise_if_errors()
    assert config is not None
    # Essays whose front matter failed are left out; the others still get converted so one
    # run reports every essay's problems. The errors recorded here end the build later.
    return config[0], config[1], [s for s in sources if s is not None]


def check_stylesheets(root: Path, diagnostics: Diagnostics) -> None:
    """A collection's own stylesheets may load only files inside the collection: no
    network, no absolute paths (the renderer would refuse them; this says where)."""
    for name in STYLESHEETS:
        relative = Path("styles") / name
        if not (root / relative).is_file() or links_outside(root, [root / relative]):
            continue  # links leaving the collection are reported with the essays
        text = read_text(root, relative, diagnostics)
        if text is None:
            continue
        for line, url in stylesheet_urls(text):
            target = (root / relative.parent / url).resolve()
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/\\]", url) or \
                    not target.is_relative_to(root.resolve()):
                diagnostics.error("S108", f"the stylesheet loads {url[:60]!r}, which is not "
                                  "a file inside the collection", relative, line,
                                  "put fonts and images in the collection and use relative "
                                  "URLs; nothing is fetched from the network")
            elif name == "epub.css" and not url.startswith("#"):
                diagnostics.error("S110", f"the EPUB stylesheet loads {url[:60]!r}, which the "
                                  "EPUB does not carry", relative, line,
                                  "EPUB readers bring their own fonts and backgrounds; load "
                                  "files from styles/print.css only")


def stylesheet_urls(css: str) -> list[tuple[int, str]]:
    """(line, URL) for every url() and @import in a stylesheet, escapes decoded."""
    import tinycss2

    found: list[tuple[int, str]] = []

    def walk(tokens: list[object]) -> None:
        for token in tokens:
            kind = getattr(token, "type", "")
            if kind == "url":
                found.append((token.source_line, token.value))  # type: ignore[attr-defined]
            elif kind == "function" and token.lower_name == "url":  # type: ignore[attr-defined]
                strings = [a for a in token.arguments  # type: ignore[attr-defined]
                           if getattr(a, "type", "") == "string"]
                found.extend((token.source_line, a.value) for a in strings)  # type: ignore[attr-defined]
            elif kind == "at-rule" and token.lower_at_keyword == "import":  # type: ignore[attr-defined]
                strings = [a for a in token.prelude  # type: ignore[attr-defined]
                           if getattr(a, "type", "") == "string"]
                found.extend((token.source_line, a.value) for a in strings)  # type: ignore[attr-defined]
            for attribute in ("prelude", "content", "arguments", "value"):
                nested = getattr(token, attribute, None)
                if isinstance(nested, list):
                    walk(nested)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def links_outside(root: Path, paths: list[Path]) -> list[Path]:
    """The files among `paths` that resolve (through symbolic links) outside the root."""
    real_root = root.resolve()
    return [p for p in paths if not p.resolve().is_relative_to(real_root)]
