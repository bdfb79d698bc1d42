"""Read the essays (essays/*.md, or the folder and order qlabbook.toml names): front matter
with line numbers, and the whole collection at once."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from qlabbook.source import frontmatter
from qlabbook.source.config import Fields, collection_settings, read_config, read_text
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.generators import date_in_path, is_draft, is_known
from qlabbook.source.layout import UNREAD_POSTS, Layout, essays_layout
from qlabbook.source.model import EssaySource, Sources
from qlabbook.source.permalinks import permalinks
from qlabbook.source.reading import readings
from qlabbook.source.stylesheets import check_stylesheets, links_outside
from qlabbook.source.text import format_date, slugify

ESSAY_FIELDS = {"title", "number", "subtitle", "date", "authors", "summary", "slug"}
MONTH_DATE = re.compile(r"^(\d{4})-(\d{2})$")
# The largest essay file accepted: about 80,000 words of prose, a short book. Larger files
# are nearly always a paste gone wrong, and conversion time grows with size.
MAX_ESSAY_BYTES = 512 * 1024


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) or None when the file has no `---` front
    matter (`qlabbook new` reads numbers with it)."""
    parts = frontmatter.split(text)
    return parts[1:] if parts is not None and parts[0] == "yaml" else None


def impossible_date(front: str, offset: int = 2) -> tuple[int, str]:
    """The file line and text of the first date-shaped value that is not a calendar date."""
    for index, text in enumerate(front.splitlines()):
        for found in re.finditer(r"\d{4}-\d{1,2}-\d{1,2}", text):
            try:
                dt.date(*map(int, found.group().split("-")))
            except ValueError:
                return index + offset, found.group()
    return offset, "a date"


def read_matter(text: str, relative: Path,
                diagnostics: Diagnostics) -> frontmatter.FrontMatter | None:
    """The file's front matter in any of the forms people write, or None after an error."""
    head = text.split("\n+++", 1)[0] if text.startswith("+++") else \
        text.split("\n---", 1)[0]
    try:
        matter = frontmatter.read(text)
    except ValueError as error:  # a date that does not exist, e.g. 2019-02-30
        if isinstance(error, tomllib.TOMLDecodeError):
            found = re.search(r"line (\d+)", str(error))
            diagnostics.error("S103", f"invalid TOML in front matter: {error}", relative,
                              int(found.group(1)) + 1 if found else 2)
            return None
        line, value = impossible_date(head, offset=1)  # head starts at the opening line
        diagnostics.error("S104", f"{value} is not a real date ({error})", relative, line,
                          "check the day and month")
        return None
    except yaml.YAMLError as error:
        line, message, hint = yaml_problem(head, error)
        diagnostics.error("S103", message, relative, line, hint)
        return None
    if not isinstance(matter.data, dict):
        diagnostics.error("S103", "front matter must be a mapping of fields", relative, 2)
        return None
    frontmatter.canonical(matter)
    frontmatter.drop_repeated_title(matter)
    return matter


# `key: "value` with no closing quote on the line: YAML reads on into the next fields.
UNCLOSED_QUOTE = re.compile(r"""^\s*([\w-]+):\s*(?:(")(?:[^"\\]|\\.)*|(')(?:[^']|'')*)$""")
OPENED_BY = {"flow sequence": "[", "flow mapping": "{"}


def yaml_problem(head: str, error: yaml.YAMLError) -> tuple[int, str, str | None]:
    """(file line, message, hint) for a YAML error in the front matter, at the line that
    causes it: an unclosed quote or bracket is reported where it opens, not where YAML
    noticed (often the end of the front matter). `head` starts at the opening line."""
    lines = head.split("\n")
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    last = problem_mark.line + 1 if problem_mark else len(lines) - 1
    for index, text in enumerate(lines[1:last + 1], start=1):
        found = UNCLOSED_QUOTE.match(text)
        if found:
            quote = found.group(2) or found.group(3)
            return (index + 1, f"the quoted value of '{found.group(1)}' is never closed",
                    f"end it with {quote} on the same line")
    for name, bracket in OPENED_BY.items():
        if name in context and context_mark is not None:
            closing = "]" if bracket == "[" else "}"
            return (context_mark.line + 2, f"a list opened with {bracket} is never closed",
                    f"end it with {closing} on the same line, items separated by commas")
    line = problem_mark.line + 2 if problem_mark else 2
    text = lines[line - 1] if 0 < line - 1 < len(lines) else ""
    if "mapping values are not allowed" in problem and text[:1].isspace() and ":" in text:
        return (line, f"'{text.split(':')[0].strip()}' is indented, so YAML reads it as part "
                "of the field above", "start it at the beginning of the line")
    if "mapping values are not allowed" in problem and ":" in text:
        key, _, value = text.partition(":")
        return (line, f"the value of '{key.strip()}' holds ': ', which YAML reads as a new "
                "field", f'put the value in quotes: {key.strip()}: "{value.strip()}"')
    return line, f"invalid YAML in front matter: {problem}", None


def load_essay(root: Path, relative: Path, diagnostics: Diagnostics,
               position: int | None = None, layout: Layout | None = None) -> EssaySource | None:
    """Read one essay file; report every problem in its front matter. `position` is the
    essay's place in the order qlabbook.toml states (then `number:` is not needed)."""
    size = (root / relative).stat().st_size
    if size > MAX_ESSAY_BYTES:
        diagnostics.error("S107", f"the essay is {size // 1024} KB, above the limit of "
                          f"{MAX_ESSAY_BYTES // 1024} KB", relative, None,
                          "split it into several essays")
        return None
    text = read_text(root, relative, diagnostics)
    if text is None:
        return None
    opener = text.split("\n", 1)[0].strip()
    if frontmatter.split(text) is None and opener in ("---", "+++"):
        diagnostics.error("S102", f"the front matter has no closing '{opener}' line", relative,
                          1, f"end the front matter with a line '{opener}'")
        return None
    if position is None and frontmatter.split(text) is None and not text.startswith("%"):
        diagnostics.error("S102", "no front matter", relative, 1,
                          "start the file with a '---' line, title: and number:, then '---'")
        return None
    matter = read_matter(text, relative, diagnostics)
    if matter is None:
        return None
    data, lines = matter.data, matter.lines
    if is_draft(data):  # as the site's generator does, unless it is told to show drafts
        diagnostics.warning("S112", "a draft: left out of the book", relative,
                            lines.get("draft", lines.get("published")),
                            "set draft: false to publish it, or add it to [essays] exclude")
        return None
    before = len(diagnostics.errors)
    fields = Fields(data, relative, lines.get, diagnostics, "S104")
    for key in sorted(k for k in set(map(str, data)) - ESSAY_FIELDS if not is_known(k)):
        diagnostics.warning("S106", f"unknown front matter field '{key}'", relative,
                            lines.get(key), "known fields: " + ", ".join(sorted(ESSAY_FIELDS)))
    number = essay_number(data.get("number"), position, relative, lines, diagnostics)
    stem = relative.parent.name if relative.stem == "index" and position else relative.stem
    title = fields.text("title", required=position is None) or \
        frontmatter.name_slug(stem).replace("-", " ").replace("_", " ").strip().capitalize()
    raw_date = data.get("date", (frontmatter.date_from_name(stem) or date_in_path(
        data.get("path"))) if position else None)
    date, date_label, month_only = essay_date(raw_date, relative, lines.get("date"),
                                              diagnostics, free_text=matter.kind == "pandoc")
    slug = fields.text("slug") or slugify(frontmatter.name_slug(stem)) or "essay"
    if slugify(slug) != slug:
        diagnostics.error("S104", f"'slug' must be lowercase letters, digits and hyphens: {slug!r}",
                          relative, lines.get("slug"), f"try slug: {slugify(slug) or 'essay'}")
    if len(diagnostics.errors) > before or number is None:
        return None
    return EssaySource(
        path=relative, number=number, slug=slug, title=title, body=matter.body,
        body_line=matter.body_line, subtitle=fields.text("subtitle"), date=date,
        date_label=date_label, month_only=month_only, authors=fields.names("authors"),
        summary=fields.text("summary"),
        field_lines=tuple(sorted(lines.items())),
        permalinks=permalinks(layout or Layout(), data, date, slug, relative),
    )


def essay_number(value: Any, position: int | None, relative: Path, lines: dict[str, int],
                 diagnostics: Diagnostics) -> int | None:
    """The series number: the essay's place in [essays] order, else its `number:` field."""
    if position is not None:
        return position
    if value is None:
        diagnostics.error("S104", "missing required field 'number'", relative, 2,
                          "add number: N (the essay's place in the series)")
    elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
        diagnostics.error("S104", f"'number' must be a positive whole number, not {value!r}",
                          relative, lines.get("number"))
    else:
        return value
    return None


def essay_date(value: Any, path: Path, line: int | None, diagnostics: Diagnostics,
               free_text: bool = False) -> tuple[dt.date | None, str, bool]:
    """A front matter date: a full date (2019-05-14), with or without a time and zone, or a
    month (2019-05), as (date, as printed, whether it names its month only). A pandoc title
    block's date may be any text: it is printed as written."""
    if value is None or value == "":
        return None, "", False
    month = MONTH_DATE.match(str(value))
    if month and 1 <= int(month.group(2)) <= 12:
        date = dt.date(int(month.group(1)), int(month.group(2)), 1)
        return date, format_date(date, month_only=True), True
    try:
        parsed = frontmatter.parse_date(value)
    except ValueError as error:
        diagnostics.error("S104", f"{value} is not a real date ({error})", path, line,
                          "check the day and month")
        return None, "", False
    if isinstance(parsed, dt.datetime):
        parsed = parsed.date()
    if parsed is not None:
        return parsed, format_date(parsed), False
    if free_text:
        return None, str(value), False
    diagnostics.error("S104", f"'date' must be a date (2019-05-14) or a month (2019-05), "
                      f"not {value!r}", path, line)
    return None, "", False


def load_sources(root: Path, diagnostics: Diagnostics) -> Sources:
    """Read the whole collection; raise once with every problem found."""
    read = read_config(root, diagnostics)  # parsed once, for every table
    config = collection_settings(read, root) if read is not None else None
    layout = essays_layout(read, root) if read is not None else Layout()
    folder = root / layout.folder
    listed = layout.order if layout.order is not None else ()
    if layout.order is None:
        paths = layout.essay_files(root)
    else:
        paths = [folder / name for name in listed if (folder / name).is_file()]
        left_out = [p for p in layout.essay_files(root) if p not in paths
                    and p.relative_to(folder).as_posix() not in layout.exclude]
        for path in left_out:
            diagnostics.warning("S111", "not in [essays] order in qlabbook.toml: left out of "
                                "the book", path.relative_to(root), None,
                                "add it to order, or to exclude to silence this")
    for path in layout.unread_posts(root):
        if path.relative_to(folder).as_posix() not in layout.exclude:
            diagnostics.warning("S113", f"{UNREAD_POSTS[path.suffix]}: left out of the book",
                                path.relative_to(root), None, "export it to Markdown (jupyter "
                                "nbconvert --to markdown), or add it to [essays] exclude")
    outside = links_outside(root, [*paths, *root.glob("styles/*"), *root.glob("templates/**/*")])
    for path in outside:
        diagnostics.error("S109", "the file is a link to a place outside the collection",
                          path.relative_to(root), None,
                          "copy the file into the collection instead of linking to it")
    if not paths and not outside:
        diagnostics.error("A101", "the collection has no essays", Path(layout.folder), None,
                          f"add Markdown files such as {layout.folder}/01-title.md")
    positions = {p: index + 1 for index, p in enumerate(paths)} if layout.order is not None \
        else {}
    sources = [load_essay(root, p.relative_to(root), diagnostics, positions.get(p), layout)
               for p in paths if p not in outside]
    check_stylesheets(root, diagnostics)
    if config is None or not paths:
        diagnostics.raise_if_errors()
    assert config is not None
    # Essays whose front matter failed are left out; the others still get converted so one
    # run reports every essay's problems. The errors recorded here end the build later.
    kept = [s for s in sources if s is not None]
    if layout.order is not None:  # numbered 1, 2, 3... in order, drafts left out
        kept = [replace(s, number=index) for index, s in enumerate(kept, 1)]
    markdown = readings(root, [s.path for s in kept])
    kept = [replace(s, markdown=markdown[s.path]) for s in kept]
    return Sources(config[0], replace(config[1], site=layout.site), tuple(kept))
