"""Read essays/*.md: front matter with line numbers, and the whole collection at once."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from qlabbook.source.config import Fields, load_config, read_text
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import EssaySource, Metadata, Options
from qlabbook.source.stylesheets import check_stylesheets, links_outside
from qlabbook.source.text import format_date, slugify

ESSAY_FIELDS = {"title", "number", "subtitle", "date", "authors", "summary", "slug"}
MONTH_DATE = re.compile(r"^(\d{4})-(\d{2})$")
# The largest essay file accepted: about 80,000 words of prose, a short book. Larger files
# are nearly always a paste gone wrong, and conversion time grows with size.
MAX_ESSAY_BYTES = 512 * 1024


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

