"""Start a new essay file: the next free number, a slug, today's date and a short guide."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import yaml

from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.essays import split_front_matter
from qlabbook.source.frontmatter import name_slug
from qlabbook.source.layout import read_layout
from qlabbook.source.text import slugify

NUMBER_LINE = re.compile(r"^number:\s*(\d+)\s*(?:#.*)?$", re.MULTILINE)
LEADING_NUMBER = re.compile(r"^(\d+)")
TITLE_LINE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)

# Lines starting with # in the front matter are YAML comments: never printed.
GUIDE = """\
# subtitle: "A line under the title"
# authors: [A. Writer]
# summary: "One or two sentences, printed as the standfirst."
#
# A short guide (these lines are comments, not printed):
#   Footnotes: put a call in the text,[^label] and anywhere in the file a line
#     [^label]: The note's text. Indent further paragraphs by four spaces.
#   Figures: an image alone in its paragraph, with alt text, a caption and a credit
#     ![What the photo shows](../images/photo.jpg "The caption"){ credit="Name" }
#   Quotations: a blockquote whose last paragraph starts with an em dash
#     > Being listened to was the treatment.
#     >
#     > — Lab participant, 2019
#   Links to other essays: [the first essay](01-first-essay.md#a-heading)
#   Check your work with `qlabbook check`, see it with `qlabbook watch`.
"""


def essay_numbers(root: Path, folder: str = "essays") -> list[int]:
    """The numbers the existing essays use, read as leniently as possible: a file whose
    front matter is broken still holds its number."""
    return [number for number, _, _ in existing_essays(root, folder) if number is not None]


def existing_essays(root: Path, folder: str) -> list[tuple[int | None, str, Path]]:
    """(number, title, path) of each essay file in the folder, from front matter that may
    be broken: the number from a `number:` line or the file name, the title from a
    `title:` line when the YAML cannot be read."""
    found = []
    for path in sorted((root / folder).glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        number, title = None, ""
        parts = split_front_matter(text.replace("\r\n", "\n"))
        if parts is not None:
            try:
                data = yaml.safe_load(parts[0])
                data = data if isinstance(data, dict) else {}
                number, title = data.get("number"), str(data.get("title") or "")
            except (yaml.YAMLError, ValueError):
                found_number = NUMBER_LINE.search(parts[0])
                number = int(found_number.group(1)) if found_number else None
                found_title = TITLE_LINE.search(parts[0])
                title = found_title.group(1).strip().strip("'\"") if found_title else ""
        if not isinstance(number, int) or isinstance(number, bool):
            found_number = LEADING_NUMBER.match(path.name)
            number = int(found_number.group(1)) if found_number else None
        found.append((number, title, path))
    return found


def same_title(root: Path, folder: str, title: str) -> tuple[Path, str] | None:
    """The essay already called `title` (the same words, whatever their case or
    punctuation), relative to the collection, and its title as it is written."""
    wanted = slugify(title)
    for _, existing, path in existing_essays(root, folder):
        # An essay without a title is called by its file name (essays.py).
        named = existing or LEADING_NUMBER.sub("", name_slug(path.stem)).lstrip("-_")
        if slugify(named) == wanted:
            return path.relative_to(root), named
    return None


def essay_text(title: str, number: int, today: dt.date) -> str:
    return (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nnumber: {number}\n"
            f"date: {today.isoformat()}\n{GUIDE}---\n\n")


def new_essay(root: Path, title: str, today: dt.date | None = None) -> Path:
    """Write essays/NN-slug.md (in the [essays] folder) for `title`; never overwrite. The
    path returned is relative to the collection."""
    layout = read_layout(root, Diagnostics())
    diagnostics = Diagnostics()
    same = same_title(root, layout.folder, title)
    if same is not None:
        taken, existing = same
        diagnostics.error("W104", f"{taken.as_posix()} already has the title {existing!r}; "
                          "nothing was written", taken, title_line(root / taken),
                          "give the new essay another title, or edit the existing one")
        raise QlabbookError(diagnostics.items)
    number = len(layout.order) + 1 if layout.order is not None else \
        max(essay_numbers(root, layout.folder), default=0) + 1
    slug = slugify(title) or "essay"
    relative = Path(layout.folder, f"{number:02d}-{slug}.md")
    target = root / relative
    text = essay_text(title.strip(), number, today or dt.date.today())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as file:  # "x": fails if the file exists
            file.write(text)
    except FileExistsError:
        diagnostics.error("W102", f"{relative.as_posix()} already exists; nothing was written",
                          relative, None, "choose another title, or rename the existing file")
        raise QlabbookError(diagnostics.items) from None
    except OSError as error:
        diagnostics.error("W101", f"cannot write {relative.as_posix()}: {error.strerror}",
                          relative, None, "check that the essays folder is writable")
        raise QlabbookError(diagnostics.items) from error
    return relative


def title_line(path: Path) -> int | None:
    """The line of an essay's `title:` field."""
    text = path.read_text(encoding="utf-8", errors="replace")
    found = TITLE_LINE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None
