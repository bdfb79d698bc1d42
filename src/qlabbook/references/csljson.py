"""CSL-JSON files (what Zotero and Mendeley export, and pandoc reads): items with an "id",
their variables checked for the shapes citeproc-py can print, their rich text (`<i>`,
`<b>`, `<sup>`, `<sub>`, small capitals) kept and every other `<`, `>` and `&` printed as
itself; each problem located at the item's line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from qlabbook.references import rich
from qlabbook.source.diagnostics import Diagnostics

NAME_VARIABLES = {
    "author", "editor", "translator", "container-author", "collection-editor", "composer",
    "director", "editorial-director", "illustrator", "interviewer", "original-author",
    "recipient", "reviewed-author", "chair", "compiler", "contributor", "curator",
    "executive-producer", "guest", "host", "narrator", "organizer", "performer", "producer",
    "script-writer", "series-creator",
}
DATE_VARIABLES = {"issued", "accessed", "event-date", "original-date", "submitted",
                  "available-date"}
# Printed as written (no rich text), HTML's reserved characters marked all the same.
VERBATIM = {"id", "type", "URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "language"}
RICH_TAG = re.compile(r'<(/?)(i|b|sup|sub)>|<span style="font-variant:\s*small-caps;?">|'
                      r'<span class="nocase">|</span>', re.IGNORECASE)
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
# What XML cannot hold, which a JSON escape (\u0000) can still give.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def rich_text(value: str) -> str:
    """A CSL-JSON string as rich.py's marks: its few HTML elements formats (a nocase span
    kept for citeproc-py), every other reserved character marked as text."""
    out: list[str] = []
    spans: list[str] = []
    index = 0
    for found in RICH_TAG.finditer(value):
        out.append(rich.mark_specials(value[index:found.start()]))
        index = found.end()
        tag = found.group(0).lower()
        if tag == "</span>":
            kind = spans.pop() if spans else ""
            out.append("</span>" if kind == "nocase" else
                       chr(ord(rich.KINDS["sc"]) + 1) if kind == "sc" else "")
        elif tag.startswith("<span class"):
            spans.append("nocase")
            out.append('<span class="nocase">')
        elif tag.startswith("<span"):
            spans.append("sc")
            out.append(rich.KINDS["sc"])
        else:
            mark = rich.KINDS[found.group(2).lower()]
            out.append(chr(ord(mark) + 1) if found.group(1) else mark)
    out.append(rich.mark_specials(value[index:]))
    return "".join(out)


def read_items(text: str, path: Path, diagnostics: Diagnostics
               ) -> list[tuple[str, dict[str, Any], int | None]]:
    """(key, item, line) of each item of a CSL-JSON file's `text`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        diagnostics.error("B102", f"invalid CSL-JSON: {error.msg}", path, error.lineno,
                          "a CSL-JSON file is a list of items, each with an \"id\"")
        return []
    except RecursionError:
        diagnostics.error("B102", "invalid CSL-JSON: nested too deeply", path, 1)
        return []
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        diagnostics.error("B102", "CSL-JSON must be a list of items", path, 1)
        return []
    entries = []
    for index, item in enumerate(data):
        key = item.get("id") if isinstance(item, dict) else None
        if not isinstance(key, str | int) or isinstance(key, bool) or not str(key):
            diagnostics.error("B102", f"item {index + 1} has no \"id\"", path,
                              item_line(text, index), "give every item an \"id\": its key")
            continue
        found = re.search(r'"id"\s*:\s*"?' + re.escape(str(key)) + r'"?\s*[,}\n]', text)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        assert isinstance(item, dict)
        entries.append((str(key), clean_item(item, str(key), path, line, diagnostics), line))
    return entries


def clean_item(item: dict[str, Any], key: str, path: Path, line: int | None,
               diagnostics: Diagnostics) -> dict[str, Any]:
    """The item with each variable in a shape citeproc-py prints; a variable in another
    shape left out with a warning."""
    cleaned: dict[str, Any] = {"id": key, "type": str(item.get("type") or "document")}

    def drop(variable: str, shape: str) -> None:
        diagnostics.warning("B109", f"the item {key!r} gives {variable!r} as {shape}: it is "
                            "left out", path, line, "see the CSL-JSON schema for its shape")

    for variable, value in item.items():
        if variable in ("id", "type") or value is None:
            continue
        if variable in NAME_VARIABLES:
            people = clean_names(value)
            if people is None:
                drop(variable, "something other than a list of names")
            elif people:
                cleaned[variable] = people
        elif variable in DATE_VARIABLES:
            found_date = clean_date(value)
            if found_date is None:
                drop(variable, "something other than a date")
            else:
                cleaned[variable] = found_date
        elif isinstance(value, bool | list | dict):
            if not variable.startswith("_"):
                drop(variable, "a list or an object" if not isinstance(value, bool)
                     else "true or false")
        elif isinstance(value, int | float):
            cleaned[variable] = str(value)
        elif isinstance(value, str) and (text := CONTROL.sub("", value).strip()):
            cleaned[variable] = rich.mark_specials(text) if variable in VERBATIM else \
                rich_text(text)
    return cleaned


def clean_names(value: Any) -> list[dict[str, str]] | None:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return None
    people = []
    for person in value:
        if not isinstance(person, dict):
            return None
        parts = {str(part): rich.mark_specials(CONTROL.sub("", str(text)))
                 for part, text in person.items()
                 if isinstance(text, str | int) and not isinstance(text, bool) and str(text)}
        parts = {part: text for part, text in parts.items()
                 if part in ("family", "given", "literal", "suffix", "dropping-particle",
                             "non-dropping-particle")}
        if parts:
            people.append(parts)
    return people


def clean_date(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = {"raw": str(value)}
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts:
        ranges = []
        for part in parts[:2]:
            if not isinstance(part, list):
                return None
            numbers = []
            for number in part[:3]:
                if isinstance(number, int) and not isinstance(number, bool):
                    numbers.append(number)
                elif isinstance(number, str) and number.strip().lstrip("-").isdigit():
                    numbers.append(int(number))
                else:
                    break
            if numbers:
                ranges.append(numbers)
        if ranges:
            return {"date-parts": ranges, **({"circa": 1} if value.get("circa") else {})}
    for field in ("raw", "literal"):
        text = value.get(field)
        if isinstance(text, str | int) and str(text).strip():
            found = DATE.match(str(text).strip())
            if found and field == "raw":
                return {"date-parts": [[int(part) for part in found.groups() if part]]}
            return {"literal": rich.mark_specials(str(text).strip())}
    return None


def item_line(text: str, index: int) -> int | None:
    """The line of the `index`-th object of a top-level JSON list (a best effort)."""
    starts = [m.start() for m in re.finditer(r"^\s{0,4}\{", text, re.MULTILINE)]
    return text.count("\n", 0, starts[index]) + 1 if index < len(starts) else None
