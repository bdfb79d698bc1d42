"""BibTeX and biblatex entries -> CSL-JSON items: types, names (corporate ones in double
braces kept whole), LaTeX accents and escapes, dates, DOIs, URLs and access dates."""

from __future__ import annotations

import re
from typing import Any

TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "manual": "report",
    "unpublished": "manuscript", "booklet": "pamphlet", "dataset": "dataset",
    "software": "software", "periodical": "periodical", "patent": "patent",
    "collection": "book", "misc": "document",
}
TEXT_FIELDS = {
    "title": "title", "journal": "container-title", "journaltitle": "container-title",
    "booktitle": "container-title", "series": "collection-title", "volume": "volume",
    "edition": "edition", "publisher": "publisher", "address": "publisher-place",
    "location": "publisher-place", "note": "note", "isbn": "ISBN", "issn": "ISSN",
    "howpublished": "medium", "abstract": "abstract", "language": "language",
    "shorttitle": "title-short", "chapter": "chapter-number", "eventtitle": "event-title",
    "version": "version", "pmid": "PMID", "pmcid": "PMCID",
}
# Who published it, when the publisher field is not given.
PUBLISHERS = ("publisher", "institution", "organization", "school")
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def decode(value: str) -> str:
    """LaTeX text as Unicode: accents, \\L{}, \\&, dashes; braces that protect case go."""
    from pylatexenc.latex2text import LatexNodes2Text

    if "\\" not in value and "{" not in value and "--" not in value and "~" not in value:
        return " ".join(value.split())
    text = LatexNodes2Text(math_mode="verbatim").latex_to_text(value)
    return " ".join(text.replace("\u00a0", " ").split())


def verbatim(value: str) -> str:
    """A URL or DOI: braces gone, TeX escapes of URL characters undone, nothing decoded."""
    value = re.sub(r"\\([_%&#$~])", r"\1", value)
    return "".join(value.replace("{", "").replace("}", "").split())


def split_top_level(value: str, separator: str) -> list[str]:
    """`value` split at `separator` where no brace is open."""
    parts, depth, start, index = [], 0, 0, 0
    pattern = re.compile(separator)
    while index < len(value):
        char = value[index]
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


def name(raw: str) -> dict[str, str]:
    """One BibTeX name: `{World Health Organization}` is one literal name, `Last, First`,
    `Last, Jr, First` and `First von Last` are split as BibTeX does."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and matched_braces(raw):
        return {"literal": decode(raw[1:-1])}
    parts = split_top_level(raw, r"\s*,\s*")
    if len(parts) >= 2:
        family, given = parts[0], parts[-1]
        person = {"family": decode(family), "given": decode(given)}
        if len(parts) == 3:
            person["suffix"] = decode(parts[1])
    else:
        words = split_top_level(raw, r"\s+")
        if len(words) == 1:
            return {"family": decode(words[0])}
        particle = next((i for i, w in enumerate(words[:-1]) if w[:1].islower()), None)
        split = particle if particle is not None else len(words) - 1
        family_words = words[split:]
        person = {"family": decode(" ".join(family_words)),
                  "given": decode(" ".join(words[:split]))}
    family = person["family"]
    particle_match = re.match(r"^((?:[a-z'’]+\s)+)(.+)$", family)
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


def names(value: str) -> list[dict[str, str]]:
    return [name(part) for part in split_top_level(value, r"\s+and\s+")
            if part.strip() != "others"]


def date(value: str) -> dict[str, Any] | None:
    found = DATE.match(value.strip())
    if not found:
        return {"literal": value.strip()} if value.strip() else None
    return {"date-parts": [[int(part) for part in found.groups() if part]]}


def month(value: str) -> int | None:
    value = value.strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return MONTHS.get(value[:3])


def to_csl(key: str, entry_type: str, fields: dict[str, str]) -> dict[str, Any]:
    """One entry as a CSL-JSON item."""
    fields = {name.lower(): str(value) for name, value in fields.items()}
    item: dict[str, Any] = {"id": key, "type": TYPES.get(entry_type.lower(), "document")}
    if item["type"] == "document" and "url" in fields:
        item["type"] = "webpage"
    for field, variable in TEXT_FIELDS.items():
        if field in fields and variable not in item:
            item[variable] = decode(fields[field])
    if "number" in fields:
        variable = "issue" if item["type"] in ("article-journal", "periodical") else "number"
        item[variable] = decode(fields["number"])
    if "issue" in fields:
        item["issue"] = decode(fields["issue"])
    if "pages" in fields:
        item["page"] = re.sub(r"\s*-+\s*", "-", decode(fields["pages"]).replace("–", "-"))
    if "publisher" not in item:
        for field in PUBLISHERS[1:]:
            if field in fields:
                item["publisher"] = decode(fields[field])
                break
    if item["type"] == "thesis" and entry_type.lower() in ("phdthesis", "mastersthesis"):
        item["genre"] = "PhD thesis" if entry_type.lower() == "phdthesis" else "Master’s thesis"
    for field, variable in (("author", "author"), ("editor", "editor"),
                            ("translator", "translator")):
        if field in fields:
            item[variable] = names(fields[field])
    if "date" in fields:
        issued = date(fields["date"])
    elif "year" in fields:
        year = re.search(r"\d{4}", fields["year"])
        parts = [int(year.group())] if year else []
        if parts and "month" in fields and month(fields["month"]):
            parts.append(month(fields["month"]) or 1)
            if "day" in fields and fields["day"].strip().isdigit():
                parts.append(int(fields["day"]))
        issued = {"date-parts": [parts]} if parts else {"literal": decode(fields["year"])}
    else:
        issued = None
    if issued:
        item["issued"] = issued
    if "doi" in fields:
        item["DOI"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", verbatim(fields["doi"]),
                             flags=re.IGNORECASE)
    if "url" in fields:
        item["URL"] = verbatim(fields["url"])
    if "urldate" in fields and (accessed := date(fields["urldate"])):
        item["accessed"] = accessed
    return item
