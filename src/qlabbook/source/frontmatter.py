"""Front matter as Jekyll, Hugo and pandoc users write it: YAML between `---` lines, TOML
between `+++` lines, a pandoc `% title` block, or none (the first `#` heading is the title).
Each key keeps its file line so every problem is reported where it is."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from qlabbook.source.generators import author_names, calendar_date

# Field names other tools use for qlabbook's own fields (first one found wins).
ALIASES = {"author": "authors", "description": "summary", "excerpt": "summary",
           "abstract": "summary", "weight": "number", "order": "number"}
ATX_TITLE = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_RULE = re.compile(r"^=+[ \t]*$")
# Jekyll names posts 2019-05-14-title.md; Zola also 2019-05-14_title.md.
DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_]")
# 2019-05-14, 2019-05-14 10:30, 2019-05-14T10:30:00Z, 2019-05-14 10:30:00 +0100 ...
DATE_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
                       r"(?:\.\d+)?\s*(?:Z|[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5})?)?$")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WORDY_DATE = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})"
                        r"|([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))$")


# Which head a file has: YAML, TOML, a pandoc title block, or none.
FrontMatterKind = Literal["yaml", "toml", "pandoc", "none"]


@dataclass
class FrontMatter:
    """What a file's head says: its fields with their lines, and where the body starts."""

    kind: FrontMatterKind
    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    heading_title: bool = False  # the title is the body's first heading (removed from body)
    problems: list[tuple[str, int]] = field(default_factory=list)  # (message, line)


def split(text: str) -> tuple[FrontMatterKind, str, str, int] | None:
    """(kind, front matter, body, body's first line) for `---` or `+++` front matter."""
    lines = text.split("\n")
    opener = lines[0].strip() if lines else ""
    if opener not in ("---", "+++"):
        return None
    closers = ("---", "...") if opener == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].strip() in closers:
            return ("yaml" if opener == "---" else "toml", "\n".join(lines[1:index]),
                    "\n".join(lines[index + 1:]), index + 2)
    return None


def read(text: str) -> FrontMatter:
    """Parse whatever head the file has; raise yaml.YAMLError, tomllib.TOMLDecodeError or
    ValueError (an impossible date) for broken YAML or TOML."""
    parts = split(text)
    if parts is not None:
        kind, front, body, body_line = parts
        if kind == "yaml":
            node, data = parsed_yaml(front)
            lines = {str(k.value): k.start_mark.line + 2 for k, _ in node.value} \
                if isinstance(node, yaml.MappingNode) else {}
            data = {} if data is None else data
        else:
            data = tomllib.loads(front)
            lines = {}
            for index, line in enumerate(front.split("\n")):
                if line.lstrip().startswith("["):
                    break  # keys below a [table] header belong to it
                found = re.match(r"\s*([A-Za-z0-9_-]+|\"[^\"]+\")\s*=", line)
                if found:
                    lines.setdefault(found.group(1).strip('"'), index + 2)
        return FrontMatter(kind, data, lines, body, body_line)
    if text.startswith("%"):
        return pandoc_block(text)
    return untitled(text)


# libyaml's parser where PyYAML has it: a tenth of the time, which a collection of a
# hundred essays notices on every build.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parsed_yaml(front: str) -> tuple[Any, Any]:
    """(the node tree, for the keys' lines; the data) of a YAML head. Broken YAML is parsed
    again by the pure-Python loader, whose messages the diagnostics quote."""
    try:
        return yaml.compose(front, Loader=FAST_LOADER), yaml.load(front, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(front, Loader=yaml.SafeLoader), yaml.safe_load(front)


def pandoc_block(text: str) -> FrontMatter:
    """pandoc's title block: up to three `%` lines (title, authors, date); continuation lines
    start with a space."""
    lines = text.split("\n")
    values: list[tuple[str, int]] = []
    index = 0
    while index < len(lines) and len(values) < 3 and lines[index].startswith("%"):
        value, first = lines[index][1:].strip(), index + 1
        index += 1
        while index < len(lines) and lines[index].startswith((" ", "\t")) and lines[index].strip():
            value += " " + lines[index].strip()
            index += 1
        values.append((value, first))
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    for key, (value, line) in zip(("title", "authors", "date"), values, strict=False):
        if value:
            data[key] = [a.strip() for a in value.split(";") if a.strip()] \
                if key == "authors" else value
            where[key] = line
    return FrontMatter("pandoc", data, where, "\n".join(lines[index:]), index + 1)


def untitled(text: str) -> FrontMatter:
    """No front matter: the first `# heading` (or `Title` over `===`) is the title."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        found = ATX_TITLE.match(line)
        setext = index + 1 < len(lines) and SETEXT_RULE.match(lines[index + 1])
        if found or setext:
            title = found.group(1) if found else line.strip()
            rest = lines[:]  # the heading's lines become blank: later lines keep their numbers
            rest[index] = ""
            if setext:
                rest[index + 1] = ""
            return FrontMatter("none", {"title": title}, {"title": index + 1},
                               "\n".join(rest), 1, heading_title=True)
        break
    return FrontMatter("none", {}, {}, text, 1)


def canonical(matter: FrontMatter) -> None:
    """Rename aliases (author -> authors, description -> summary, weight -> number) in place,
    keeping the first of several."""
    # Zola keeps the authors in [extra] when the theme asks for one author.
    extra = matter.data.get("extra")
    if "author" not in matter.data and "authors" not in matter.data and \
            isinstance(extra, dict) and extra.get("author"):
        matter.data["authors"] = extra["author"]
    for alias, name in ALIASES.items():
        if alias in matter.data:
            value = matter.data.pop(alias)
            line = matter.lines.pop(alias, None)
            if name not in matter.data:
                matter.data[name] = value
                if line is not None:
                    matter.lines[name] = line
    if "authors" in matter.data:  # Quarto's and pandoc's author objects, Markdown in names
        matter.data["authors"] = author_names(matter.data["authors"])


def drop_repeated_title(matter: FrontMatter) -> None:
    """A body that opens with `# <the title>` repeats it: blank that line (its number kept)."""
    title = matter.data.get("title")
    if not isinstance(title, str) or matter.heading_title:
        return
    lines = matter.body.split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            found = ATX_TITLE.match(line)
            if found and " ".join(found.group(1).split()).casefold() == \
                    " ".join(title.split()).casefold():
                lines[index] = ""
                matter.body = "\n".join(lines)
            return


def parse_date(value: Any) -> dt.datetime | dt.date | None:
    """A date as people write it: a YAML or TOML date or datetime, ISO text with or without a
    time and zone, '14 May 2019' or 'May 14, 2019'. The date is the one written, in its zone."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    text = str(value).strip().strip("'\"")
    found = DATE_TIME.match(text)
    if found:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in found.groups())
        if found.group(4):
            return dt.datetime(year, month, day, hour, minute, second)
        return dt.date(year, month, day)
    found = WORDY_DATE.match(text)
    if found:
        day_text, month_name, year_text = found.group(1, 2, 3) if found.group(1) \
            else found.group(5, 4, 6)
        if month_name[:3].lower() in MONTHS:
            return dt.date(int(year_text), MONTHS.index(month_name[:3].lower()) + 1,
                           int(day_text))
    return None


def date_from_name(name: str) -> dt.date | None:
    """Jekyll's post names start with their date: 2019-05-14-title.md."""
    return calendar_date(DATE_PREFIX.match(name))


def name_slug(stem: str) -> str:
    """The file name without a Jekyll date prefix (Jekyll's :title)."""
    return DATE_PREFIX.sub("", stem) or stem
