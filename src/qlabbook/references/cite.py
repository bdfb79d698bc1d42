"""How to cite an essay of the series, or the series: its record in CSL-JSON, that record
formatted by a CSL style as a reference list entry (what citeproc-py gives), and the same
record as BibTeX and RIS for reference managers."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qlabbook.references.bibliography import resolve_style
from qlabbook.references.links import clean_markup
from qlabbook.references.rich import mark_specials, to_html, verbatim
from qlabbook.references.styles import Style, load_style, shipped_style_path
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.metadata import essay_metadata
from qlabbook.source.model import Collection, Essay, Metadata
from qlabbook.source.names import people, sort_name
from qlabbook.source.text import numeric_date

# Without [bibliography], essays are cited as the shipped author-date style has it.
DEFAULT_STYLE = "apa"


def issued(meta: Metadata) -> dict[str, Any] | None:
    """The edition's date in CSL-JSON, to the precision it has (a month stays a month)."""
    return {"date-parts": [list(meta.date_parts)]} if meta.date_parts else None


def essay_item(collection: Collection, essay: Essay, url: str) -> dict[str, Any]:
    """The essay's CSL-JSON record: an article within the series, at `url` if it has one.
    Its title, authors and date are what the essay's own edition says of itself."""
    series, own = collection.metadata, essay_metadata(collection.metadata, essay.source)
    item: dict[str, Any] = {
        "id": essay.file_stem, "type": "article", "title": own.title,
        "author": people(own.authors),
        "container-title": series.title, "collection-title": own.series or None,
        "number": str(essay.number), "publisher": own.publisher or None,
        "issued": issued(own), "URL": url or None, "language": own.language}
    return {key: value for key, value in item.items() if value}


def series_item(collection: Collection, url: str) -> dict[str, Any]:
    """The series' CSL-JSON record: a book of its essays."""
    meta = collection.metadata
    item: dict[str, Any] = {
        "id": "series", "type": "book", "title": meta.title, "author": people(meta.authors),
        "collection-title": meta.series or None, "publisher": meta.publisher or None,
        "issued": issued(meta), "URL": url or None,
        "language": meta.language}
    return {key: value for key, value in item.items() if value}


def citation_style(collection: Collection) -> Style:
    """The collection's [bibliography] style, found as its citations find it (a problem with
    it is reported there, by the conversion), else DEFAULT_STYLE."""
    options = collection.options.bibliography
    found = resolve_style(collection.root, options, collection.metadata.language,
                          Diagnostics()) if options is not None else None
    if found is not None:
        return found
    path = shipped_style_path(DEFAULT_STYLE)
    assert path is not None
    return load_style(path, DEFAULT_STYLE, collection.metadata.language)


def record_date(item: dict[str, Any], separator: str = "-") -> str:
    """The record's date year first, to the precision it has: 2019-05-14 or 2019-05 as ISO
    8601 (schema.org) writes it, 2019/05/14 with "/" as RIS and Highwire Press do."""
    return numeric_date(item.get("issued", {}).get("date-parts", [[]])[0], separator)


# citeproc-py takes about 10 ms a record: a serve or watch formats each record once.
REMEMBERED: dict[tuple[str, ...], str] = {}
REMEMBERED_RECORDS = 4096
# Where a paragraph's place goes in an essay's citation, which is formatted once per essay
# and filled in for each paragraph (by the web page's script).
PLACE = "\u2042"


def formatted_reference(style: Style, item: dict[str, Any]) -> str:
    """The record as `style`'s reference list prints it, as HTML."""
    return remembered(style, item, "reference", lambda: format_reference(style, item))


def remembered(style: Style, item: dict[str, Any], form: str, make: Callable[[], str]) -> str:
    key = (str(style.path), str(style.path.stat().st_mtime_ns), style.name, style.locale, form,
           json.dumps(item, sort_keys=True, ensure_ascii=False))
    if key not in REMEMBERED:
        if len(REMEMBERED) >= REMEMBERED_RECORDS:
            REMEMBERED.clear()
        REMEMBERED[key] = make()
    return REMEMBERED[key]


def format_reference(style: Style, item: dict[str, Any]) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    record = {**marked_record(item), "id": "cited"}
    processor = CitationStylesBibliography(style.csl, CiteProcJSON([record]), formatter.html)
    processor.register(Citation([CitationItem("cited")]))
    entry = to_html(clean_markup(str(processor.bibliography()[0])))
    if style.label_column:  # a numeric style's "1." means nothing for one record
        entry = re.sub(r"^\s*(?:<[^>]+>)*\s*\[?1[.\]]\s*", "", entry)
    return entry


@dataclass(frozen=True)
class PlaceForms:
    """How `style` cites a place in an essay, with the place left as PLACE: on one print
    page ("(Writer, 2019, p. ⁂)"), on several ("pp. ⁂"), and as a paragraph alone where
    there is no print edition ("para. ⁂"); and the locale's words for those places."""

    page: str
    pages: str
    paragraph: str
    page_term: str  # "p."
    pages_term: str  # "pp."
    paragraph_term: str  # "para."


def place_forms(style: Style, item: dict[str, Any]) -> PlaceForms:
    page, pages, paragraph = (
        remembered(style, item, f"place {label} {plural}",
                   functools.partial(format_place, style, item, label, plural))
        for label, plural in (("page", False), ("page", True), ("paragraph", False)))
    return PlaceForms(page, pages, paragraph, locator_term(style, "page", False),
                      locator_term(style, "page", True), locator_term(style, "paragraph", False))


def format_place(style: Style, item: dict[str, Any], label: str, plural: bool) -> str:
    """The citation of a place in the record. A numeric style's citation ("(1)") means
    nothing without its list, so there it is the reference entry and the place."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    if style.kind == "numeric":
        term = locator_term(style, label, plural)
        return f"{format_reference(style, item).rstrip()} {term} {PLACE}."
    # Written so no style's text case reaches it; "1⁂2" reads as a range (plural) to citeproc.
    locator = f"1{verbatim(PLACE)}2" if plural else verbatim(PLACE)
    record = {**marked_record(item), "id": "cited"}
    processor = CitationStylesBibliography(style.csl, CiteProcJSON([record]), formatter.html)
    citation = Citation([CitationItem("cited", locator=Locator(label, locator))])
    processor.register(citation)
    cited = to_html(clean_markup(str(processor.cite(citation, lambda item: None))))
    return cited.replace(f"1{PLACE}2", PLACE)


def locator_term(style: Style, name: str, plural: bool) -> str:
    """The short word the style's locale has for a locator: "p.", "pp.", "para.", "S."."""
    term = style.csl.root.get_term(name, "short")
    if term is None:
        return ""
    form = term.find(f"{{*}}{'multiple' if plural else 'single'}")
    return str((form.text if form is not None else term.text) or "").strip()


def marked_record(value: Any) -> Any:
    """A record as citeproc-py takes it: its text with the characters HTML reserves marked
    (citeproc-py prints text as given), so a title such as "Why x < y" comes out escaped."""
    if isinstance(value, str):
        return mark_specials(value)
    if isinstance(value, dict):
        return {key: marked_record(field) for key, field in value.items()}
    if isinstance(value, list):
        return [marked_record(field) for field in value]
    return value


def csl_json(item: dict[str, Any]) -> str:
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def bibtex_text(value: str) -> str:
    """A field's value for BibTeX: its special characters escaped, braces kept balanced."""
    escaped = re.sub(r"([&%$#_])", r"\\\1", value.replace("\\", "\\textbackslash{}"))
    return escaped.replace("{", "\\{").replace("}", "\\}").replace("\\textbackslash\\{\\}",
                                                                   "\\textbackslash{}")


def bibtex(item: dict[str, Any]) -> str:
    """The record as a BibTeX entry (@article within the series, @book for the series)."""
    kind = "book" if item["type"] == "book" else "article"
    names = " and ".join(
        f"{{{bibtex_text(n['literal'])}}}" if "literal" in n else
        f"{bibtex_text(n['family'])}, {bibtex_text(n['given'])}" for n in item.get("author", []))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    fields = [("title", bibtex_text(item["title"])), ("author", names),
              ("journal" if kind == "article" else "series",
               bibtex_text(item.get("container-title", item.get("collection-title", "")))),
              ("number", item.get("number", "")), ("publisher",
                                                     bibtex_text(item.get("publisher", ""))),
              ("year", str(parts[0]) if parts else ""),
              ("month", str(parts[1]) if len(parts) > 1 else ""),
              ("url", item.get("URL", "")), ("langid", item.get("language", ""))]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{item['id']},\n{body}\n}}\n"


def ris(item: dict[str, Any]) -> str:
    """The record in RIS (JOUR within the series, BOOK for the series)."""
    lines = [("TY", "BOOK" if item["type"] == "book" else "JOUR"), ("TI", item["title"])]
    lines += [("AU", sort_name(name)) for name in item.get("author", [])]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines += [("PY", str(parts[0])), ("DA", record_date(item, "/"))]
    for tag, key in (("JO", "container-title"), ("T3", "collection-title"), ("IS", "number"),
                     ("PB", "publisher"), ("UR", "URL"), ("LA", "language")):
        if item.get(key):
            lines.append((tag, str(item[key])))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)
