"""BibTeX and biblatex entries -> CSL-JSON items: types, names (corporate ones in double
braces kept whole), the LaTeX of the fields as pandoc prints it (latex.py), dates, DOIs, URLs
and access dates. What the LaTeX loses is reported at the field's line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from qlabbook.references import rich
from qlabbook.references.bibfile import BibEntry
from qlabbook.references.latex import convert

TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "manual": "report",
    "unpublished": "manuscript", "booklet": "pamphlet", "dataset": "dataset",
    "software": "software", "periodical": "periodical", "patent": "patent",
    "collection": "book", "misc": "document", "bookinbook": "chapter",
    "inreference": "entry-encyclopedia", "reference": "book", "mvcollection": "book",
    "mvproceedings": "book", "suppbook": "chapter", "suppcollection": "chapter",
}
# Fields printed with their formats (emphasis, links), as pandoc prints them.
TEXT_FIELDS = {
    "title": "title", "journal": "container-title", "journaltitle": "container-title",
    "booktitle": "container-title", "series": "collection-title", "publisher": "publisher",
    "address": "publisher-place", "location": "publisher-place", "note": "note",
    "howpublished": "medium", "abstract": "abstract", "shorttitle": "title-short",
    "eventtitle": "event-title",
}
# Fields that are numbers or codes: plain text (a style tests whether they are numeric).
PLAIN_FIELDS = {
    "volume": "volume", "edition": "edition", "isbn": "ISBN", "issn": "ISSN",
    "language": "language", "chapter": "chapter-number", "version": "version",
    "pmid": "PMID", "pmcid": "PMCID",
}
# Who published it, when the publisher field is not given.
PUBLISHERS = ("publisher", "institution", "organization", "school")
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
URL_IN_FIELD = re.compile(r"^\s*\\(?:url|href)\s*\{([^{}]*)\}")

# (line, message, hint) of something the LaTeX of a field loses.
Report = Callable[[int, str, str], None]


class Fields:
    """An entry's fields, decoded on demand, each loss reported once at its line."""

    def __init__(self, entry: BibEntry, report: Report, silent: frozenset[str]) -> None:
        self.entry = entry
        self.report = report
        self.silent = silent
        self.raw = entry.fields

    def __contains__(self, name: str) -> bool:
        found = self.raw.get(name)
        return found is not None and bool(found.value.strip())

    def value(self, name: str) -> str:
        found = self.raw.get(name)
        return found.value if found is not None else ""

    def decoded(self, name: str, formatted: bool = True, value: str | None = None) -> str:
        """The field's LaTeX as text (with rich.py's marks when `formatted`)."""
        found = self.raw[name]
        result = convert(found.value if value is None else value, formatted, self.silent)
        for loss in result.losses:
            line = found.line + found.value.count("\n", 0, loss.offset)
            where = f"the field {name!r} of {self.entry.key!r}"
            if loss.what.startswith("\\"):
                self.report(line, f"the LaTeX command {loss.what} in {where} prints nothing "
                            "qlabbook knows: it is left out",
                            "write the text or character the command stands for")
            else:
                self.report(line, f"{loss.what} in {where}: it is printed as plain text",
                            "remove the braces that protect nothing" if "braces" in loss.what
                            else "write the field's text without its LaTeX commands")
        return result.text

    def plain(self, name: str, value: str | None = None) -> str:
        """The field as plain text, HTML's reserved characters marked."""
        return rich.mark_specials(self.decoded(name, False, value))


def verbatim(value: str) -> str:
    """A URL or DOI: a \\url{} around it gone, braces gone, TeX escapes of URL characters
    undone, nothing decoded."""
    found = URL_IN_FIELD.match(value)
    if found:
        value = found.group(1)
    value = re.sub(r"\\([_%&#$~])", r"\1", value)
    return "".join(value.replace("{", "").replace("}", "").split())


def split_top_level(value: str, separator: str) -> list[str]:
    """`value` split at `separator` where no brace is open."""
    parts, depth, start, index = [], 0, 0, 0
    pattern = re.compile(separator)
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            found = pattern.match(value, index)
            if found and found.end() > index:
                parts.append(value[start:index])
                start = index = found.end()
                continue
        index += 1
    parts.append(value[start:])
    return [part.strip() for part in parts if part.strip()]


def name(raw: str, decode: Callable[[str], str]) -> dict[str, str]:
    """One BibTeX name: `{World Health Organization}` is one literal name, `Last, First`,
    `Last, Jr, First` and `First von Last` are split as BibTeX does."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and matched_braces(raw):
        return {"literal": decode(raw[1:-1])}
    parts = split_top_level(raw, r"\s*,\s*")
    if len(parts) >= 2:
        raw_family, given = parts[0], parts[-1]
        person = {"family": decode(raw_family), "given": decode(given)}
        if len(parts) == 3:
            person["suffix"] = decode(parts[1])
    else:
        words = split_top_level(raw, r"\s+")
        if len(words) <= 1:
            family = decode(raw)
            return {"family": family} if family else {}
        particle = next((i for i, w in enumerate(words[:-1]) if w[:1].islower()), None)
        split = particle if particle is not None else len(words) - 1
        raw_family = " ".join(words[split:])
        person = {"family": decode(raw_family), "given": decode(" ".join(words[:split]))}
    family = person["family"]
    braced = raw_family.startswith("{") and matched_braces(raw_family)  # {de C. Williams}
    particle_match = None if braced else re.match(r"^((?:[a-z'’]+\s)+)(.+)$", family)
    if particle_match:  # "van der Kolk": the particle is not sorted on
        person["non-dropping-particle"] = particle_match.group(1).strip()
        person["family"] = particle_match.group(2)
    return {key: value for key, value in person.items() if value}


def matched_braces(raw: str) -> bool:
    """Whether the first brace of `raw` closes at its last character."""
    depth = 0
    for index, char in enumerate(raw):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0:
            return index == len(raw) - 1
    return False


def names(fields: Fields, field: str) -> list[dict[str, str]]:
    def decode(part: str) -> str:
        return fields.plain(field, part).replace("\u00a0", " ")

    people = [name(part, decode) for part in split_top_level(fields.value(field),
                                                            r"\s+and\s+")
              if part.strip() != "others"]
    return [person for person in people if person]


def date(value: str) -> dict[str, Any] | None:
    found = DATE.match(value.strip())
    if not found:
        return {"literal": value.strip()} if value.strip() else None
    parts = [int(part) for part in found.groups() if part]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        parts = parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        parts = parts[:2]
    return {"date-parts": [parts]}


def month(value: str) -> int | None:
    value = value.strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return MONTHS.get(value[:3])


def to_csl(entry: BibEntry, report: Report, silent: frozenset[str] = frozenset()
           ) -> dict[str, Any]:
    """One entry as a CSL-JSON item; what its LaTeX loses reported through `report`."""
    fields = Fields(entry, report, silent)
    item: dict[str, Any] = {"id": entry.key, "type": TYPES.get(entry.entry_type, "document")}
    if item["type"] == "document" and "url" in fields:
        item["type"] = "webpage"
    for field, variable in TEXT_FIELDS.items():
        if field in fields and variable not in item:
            put(item, variable, fields.decoded(field))
    for field, variable in PLAIN_FIELDS.items():
        if field in fields and variable not in item:
            put(item, variable, fields.plain(field))
    if "number" in fields:
        variable = "issue" if item["type"] in ("article-journal", "periodical") else "number"
        put(item, variable, fields.plain("number"))
    if "issue" in fields:
        put(item, "issue", fields.plain("issue"))
    if "pages" in fields:
        put(item, "page", re.sub(r"\s*[-–—]+\s*", "-", fields.plain("pages")))
    if "publisher" not in item:
        for field in PUBLISHERS[1:]:
            if field in fields:
                put(item, "publisher", fields.decoded(field))
                break
    if item["type"] == "thesis" and entry.entry_type in ("phdthesis", "mastersthesis"):
        item["genre"] = "PhD thesis" if entry.entry_type == "phdthesis" else "Master’s thesis"
    elif "type" in fields:
        put(item, "genre", fields.decoded("type"))
    for field in ("author", "editor", "translator"):
        if field in fields and (people := names(fields, field)):
            item[field] = people
    issued = issued_date(fields)
    if issued:
        item["issued"] = issued
    if "doi" in fields and (doi := verbatim(fields.value("doi"))):
        item["DOI"] = rich.mark_specials(re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi,
                                                flags=re.IGNORECASE))
    url = verbatim(fields.value("url")) if "url" in fields else ""
    if not url and "howpublished" in fields and URL_IN_FIELD.match(fields.value("howpublished")):
        url = verbatim(fields.value("howpublished"))  # @misc's old way of giving its address
        if re.fullmatch(r"\s*\\(?:url|href)\s*\{[^{}]*\}\s*", fields.value("howpublished")):
            item.pop("medium", None)
    if url:
        item["URL"] = rich.mark_specials(url)
        if item["type"] == "document":
            item["type"] = "webpage"
    if "urldate" in fields and (accessed := date(fields.plain("urldate"))):
        item["accessed"] = accessed
    return item


def put(item: dict[str, Any], variable: str, value: str) -> None:
    if value.strip():
        item[variable] = value


def issued_date(fields: Fields) -> dict[str, Any] | None:
    if "date" in fields:
        return date(fields.plain("date"))
    if "year" not in fields:
        return None
    year_text = fields.plain("year")
    year = re.search(r"\d{4}", year_text)
    parts = [int(year.group())] if year else []
    month_number = month(fields.plain("month")) if "month" in fields else None
    if parts and month_number:
        parts.append(month_number)
        day = fields.plain("day").strip() if "day" in fields else ""
        if day.isdigit() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]} if parts else {"literal": year_text}

