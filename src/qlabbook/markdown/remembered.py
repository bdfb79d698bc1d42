"""Converted essays remembered between builds: an edit to one essay converts only that one.

An entry is plain data (JSON through the store), never code: a collection's cache folder
may come from anywhere. It is keyed by everything the conversion reads besides the images,
whose bytes are checked when it is taken."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from qlabbook.markdown.context import EssayContext
from qlabbook.source.diagnostics import Diagnostic, Severity
from qlabbook.source.fingerprint import Hasher, tool_fingerprint
from qlabbook.source.model import Essay, Figure, Footnote, Heading, IndexMark, Label


class RecordStore(Protocol):
    """Where records are kept between builds, by key."""

    def get(self, key: str) -> dict[str, Any] | None: ...
    def put(self, key: str, record: dict[str, Any]) -> None: ...


def conversion_key(context: EssayContext) -> str:
    hasher = Hasher()
    hasher.add("tool", tool_fingerprint())
    hasher.add("source", repr(context.source))
    hasher.add("anchor", context.anchor)
    for label, mapping in (("essays", context.essay_anchors), ("permalinks", context.permalinks),
                           ("slugs", context.essay_slugs)):
        hasher.add(label, repr(sorted(mapping.items())))
    hasher.add("site", context.site)
    hasher.add("chapters", repr(context.crossref_chapters))
    hasher.add("unreadable", repr(sorted(context.unreadable)))
    if context.bibliography is not None:
        hasher.add("bibliography", context.bibliography.fingerprint)
    if context.templates is not None:
        hasher.add("templates", context.templates.fingerprint)
    return hasher.hexdigest()


def image_digest(root: Path, src: str) -> str:
    hasher = Hasher()
    hasher.add_file(src, root / src)
    return hasher.hexdigest()


def converted(context: EssayContext, store: RecordStore | None,
              convert: Callable[[EssayContext], Essay]) -> Essay:
    """The essay as `convert` makes it, or as it was remembered: with the links it reported
    to the collection's check and what it said, taken into `context`. An essay with errors
    or with problems in its images is not remembered (the images may be put right)."""
    if store is None:
        return convert(context)
    key = conversion_key(context)
    record = store.get(key)
    essay = remembered_essay(context, record) if record is not None else None
    if essay is not None:
        return essay
    essay = convert(context)
    found = context.diagnostics.items
    # A missing alt text (I103) is the text's own, not a problem of its images.
    if not any(d.severity is Severity.ERROR or (d.code.startswith("I") and d.code != "I103")
               for d in found):
        store.put(key, essay_record(context, essay))
    return essay


def essay_record(context: EssayContext, essay: Essay) -> dict[str, Any]:
    return {"body_html": essay.body_html, "words": essay.words, "images": list(essay.images),
            "footnotes": [asdict(note) for note in essay.footnotes],
            "figures": [asdict(figure) for figure in essay.figures],
            "headings": [asdict(heading) for heading in essay.headings],
            "citations": list(essay.citations), "references": essay.references,
            "undescribed": list(essay.undescribed),
            "labels": [asdict(label) for label in essay.labels],
            "index_marks": [asdict(mark) for mark in essay.index_marks],
            "digests": {src: image_digest(context.root, src) for src in essay.images},
            "links": [list(link) for link in context.links],
            "diagnostics": [d.as_record() for d in context.diagnostics.items]}


def remembered_essay(context: EssayContext, record: dict[str, Any]) -> Essay | None:
    """The essay of a record, or None when its images changed or the record is damaged."""
    try:
        if any(image_digest(context.root, src) != digest
               for src, digest in record["digests"].items()):
            return None
        essay = Essay(source=context.source, anchor=context.anchor,
                      body_html=str(record["body_html"]), words=int(record["words"]),
                      images=tuple(str(src) for src in record["images"]),
                      footnotes=tuple(Footnote(**note) for note in record["footnotes"]),
                      figures=tuple(Figure(**figure) for figure in record["figures"]),
                      headings=tuple(Heading(**heading) for heading in record["headings"]),
                      citations=tuple(str(key) for key in record["citations"]),
                      references=str(record["references"]),
                      undescribed=tuple(str(src) for src in record["undescribed"]),
                      labels=tuple(Label(**label) for label in record["labels"]),
                      index_marks=tuple(IndexMark(**mark) for mark in record["index_marks"]))
        links = [(str(target), str(text), None if line is None else int(line))
                 for target, text, line in record["links"]]
        said = [Diagnostic.from_record(d) for d in record["diagnostics"]]
    except (KeyError, TypeError, ValueError):
        return None
    context.links.extend(links)
    for diagnostic in said:
        context.diagnostics.add(diagnostic)
    return essay
