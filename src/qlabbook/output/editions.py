"""Plan the editions: the collected book and one small book per essay, each a Collection."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from qlabbook.source import ids
from qlabbook.source.metadata import essay_metadata
from qlabbook.source.model import FORMATS as FORMATS
from qlabbook.source.model import Collection, EditionFormat, Essay
from qlabbook.source.profiles import DEFAULT_PROFILE, pdf_file_name

ESSAYS_FOLDER = "essays"
# The web edition's folder: one site for the whole series, made for the collected book only.
WEB_FOLDER = "web"


@dataclass(frozen=True)
class Edition:
    """One file to write: a collection (the whole series or one essay) in one format."""

    collection: Collection
    format: EditionFormat
    path: Path  # relative to the output folder
    essay: int | None = None  # the essay's number for a one-essay edition
    profile: str = ""  # PDFs: a name in profiles.PROFILES

    @property
    def label(self) -> str:
        which = "collected edition" if self.essay is None else f"essay {self.essay}"
        kind = f" ({self.profile})" if self.profile not in ("", DEFAULT_PROFILE) else ""
        return f"{which} {self.format.upper()}{kind}"


def plan_editions(collection: Collection, formats: Sequence[EditionFormat],
                  collected: bool, essays: list[int],
                  profiles: Sequence[str] | None = None) -> list[Edition]:
    """The collected edition (when asked for), then each chosen essay's, in series order;
    a PDF for each profile (default: the collection's [pdf] profiles); the web edition
    with the collected one."""
    chosen = list(dict.fromkeys(profiles or collection.options.profiles))

    def files(book: Collection, folder: Path, essay: int | None) -> list[Edition]:
        stem = book.file_stem
        found = []
        for fmt in FORMATS:
            if fmt not in formats:
                continue
            if fmt == "web":
                # What is rendered with the book is its page map; the site is written from
                # it once every download's size is known.
                found += [Edition(book, fmt, Path(WEB_FOLDER))] if essay is None else []
            elif fmt == "pdf":
                found += [Edition(book, fmt, folder / pdf_file_name(stem, p), essay, p)
                          for p in chosen]
            else:
                found.append(Edition(book, fmt, folder / f"{stem}.{fmt}", essay))
        return found

    plan = files(collection, Path(), None) if collected else []
    for essay in collection.essays:
        if essay.number in essays:
            plan += files(essay_collection(collection, essay), Path(ESSAYS_FOLDER),
                          essay.number)
    return plan


def essay_collection(collection: Collection, essay: Essay) -> Collection:
    """One essay as a book of its own: its title, subtitle, authors and date on the title
    page and in the metadata (source.metadata's essay_metadata, which its citation reads
    too), the series and its number alongside. Links to the other essays keep their text
    but lose their target, which is not in this book."""
    alone = replace(
        essay, body_html=unlink_other_essays(essay.body_html, essay.number),
        footnotes=tuple(replace(note, html=unlink_other_essays(note.html, essay.number))
                        for note in essay.footnotes))
    return replace(collection, metadata=essay_metadata(collection.metadata, essay.source),
                   essays=(alone,))


def unlink_other_essays(html: str, number: int) -> str:
    def unlink(match: re.Match[str]) -> str:
        return match.group(0) if int(match.group(1)) == number else match.group(2)

    return ids.ESSAY_LINK.sub(unlink, html)
