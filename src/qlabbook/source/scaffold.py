"""Start a new essay file: the next free number, a slug, today's date and a short guide."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import yaml

from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.essays import split_front_matter
from qlabbook.source.layout import read_layout
from qlabbook.source.text import slugify

NUMBER_LINE = re.compile(r"^number:\s*(\d+)\s*(?:#.*)?$", re.MULTILINE)
LEADING_NUMBER = re.compile(r"^(\d+)")

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
    numbers = []
    for path in sorted((root / folder).glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        number = None
        parts = split_front_matter(text.replace("\r\n", "\n"))
        if parts is not None:
            try:
                data = yaml.safe_load(parts[0])
                number = data.get("number") if isinstance(data, dict) else None
            except (yaml.YAMLError, ValueError):
                found = NUMBER_LINE.search(parts[0])
                number = int(found.group(1)) if found else None
        if not isinstance(number, int) or isinstance(number, bool):
            found = LEADING_NUMBER.match(path.name)
            number = int(found.group(1)) if found else None
        if number is not None:
            numbers.append(number)
    return numbers


def essay_text(title: str, number: int, today: dt.date) -> str:
    return (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nnumber: {number}\n"
            f"date: {today.isoformat()}\n{GUIDE}---\n\n")


def new_essay(root: Path, title: str, today: dt.date | None = None) -> Path:
    """Write essays/NN-slug.md (in the [essays] folder) for `title`; never overwrite. The
    path returned is relative to the collection."""
    layout = read_layout(root, Diagnostics())
    number = len(layout.order) + 1 if layout.order is not None else \
        max(essay_numbers(root, layout.folder), default=0) + 1
    slug = slugify(title) or "essay"
    relative = Path(layout.folder, f"{number:02d}-{slug}.md")
    target = root / relative
    text = essay_text(title.strip(), number, today or dt.date.today())
    diagnostics = Diagnostics()
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
