"""Pandoc's citations, `[see @a, p. 12; @b]`, `[-@a]` and narrative `@a`, as neutral
`<cite>` markers that markdown/citations.py numbers and formats once the essay's reading
order is known. Only active when the collection has a bibliography; code, escapes (`\\@`),
e-mail addresses and URLs are never citations."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict

from markdown import Extension, Markdown
from markdown.util import STX

from qlabbook.markdown.crossref import is_crossref_key
from qlabbook.markdown.extensions.inline import ExtensionInlineProcessor
from qlabbook.references.syntax import (
    BRACKETED,
    NARRATIVE,
    CiteItem,
    cite_item,
    key_of,
    parse_bracketed,
)

MARKER_CLASS = "qlab-cite"
LINK_CLASS = "qlab-biblioref"  # a citation's link to its entry, made complete: links.py skips it


def marker(items: list[CiteItem], narrative: bool, written: str) -> ET.Element:
    element = ET.Element("cite", {
        "class": MARKER_CLASS, "data-items": json.dumps([asdict(i) for i in items]),
        "data-written": written})
    if narrative:
        element.set("data-narrative", "1")
    return element


class BracketedProcessor(ExtensionInlineProcessor["CitationExtension"]):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[  # noqa: N802
            ET.Element | None, int | None, int | None]:
        content = m.group("content")
        if not self.extension.active or STX in content:
            return None, None, None
        items = parse_bracketed(content)
        if items is None or all(is_crossref_key(item.key) for item in items):
            return None, None, None  # pandoc-crossref's [@fig:x]: markdown/crossref.py's
        return marker(items, False, m.group(0)), m.start(0), m.end(0)


class NarrativeProcessor(ExtensionInlineProcessor["CitationExtension"]):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[  # noqa: N802
            ET.Element | None, int | None, int | None]:
        if not self.extension.active or is_crossref_key(key_of(m)):
            return None, None, None
        item = cite_item(key_of(m), m.group("locator") or "")
        return marker([item], True, m.group(0)), m.start(0), m.end(0)


class CitationExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.active = False

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        # Above links (160), so `[@a]` is never a link's text; below inline notes (176), so
        # the text of `^[see @a]` is read for citations as the body is.
        md.inlinePatterns.register(BracketedProcessor(BRACKETED, md, self), "qlab_citations",
                                   170)
        md.inlinePatterns.register(NarrativeProcessor(NARRATIVE, md, self),
                                   "qlab_narrative_citations", 169)
