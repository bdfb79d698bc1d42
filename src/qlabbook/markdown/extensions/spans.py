"""pandoc's bracketed spans: `[words]{#id .class key="value"}` is a <span> with that id,
those classes and, for the keys a span may carry (`lang`, `dir`, `title`), those values.
`[words]{.index}` marks a term for the back-of-book index (markdown/backindex.py reads its
`term`, `sort` and `sub` keys); `.smallcaps` sets the words in small capitals. Other keys
are left to the sanitizer, which says what it removed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

# One level of brackets inside (`[a [b] c]{.x}`), never a link's `](` or a citation's `[@`.
SPAN = r"\[(?!@)((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\{([^{}\n]*)\}"
ATTRIBUTE = re.compile(r"""#(?P<id>[^\s#.{}="']+)|\.(?P<class>[\w-]+)"""
                       r"""|(?P<key>[\w-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))"""
                       r"|(?P<other>\S+)")
INDEX_CLASS = "index"
# The keys an index mark carries, as data-index-* until the marks are gathered.
INDEX_KEYS = ("term", "sort", "sub")


def span_attributes(written: str) -> tuple[dict[str, str], list[str]] | None:
    """The attributes `{...}` gives a span, and its classes in order; None when it holds
    something that is no attribute (then the brackets are left as text)."""
    attributes: dict[str, str] = {}
    classes: list[str] = []
    for found in ATTRIBUTE.finditer(written):
        if found.group("other") is not None:
            return None
        if found.group("id"):
            attributes["id"] = found.group("id")
        elif found.group("class"):
            classes.append(found.group("class"))
        else:
            value = next(v for v in found.group("dq", "sq", "bare") if v is not None)
            attributes[found.group("key")] = value
    return attributes, classes


class BracketedSpanProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[  # noqa: N802
            ET.Element | None, int | None, int | None]:
        parsed = span_attributes(m.group(2))
        if parsed is None:
            return None, None, None
        attributes, classes = parsed
        span = ET.Element("span")
        span.text = m.group(1)
        if INDEX_CLASS in classes:  # its keys are the index's, not the element's
            for key in INDEX_KEYS:
                if key in attributes:
                    span.set(f"data-index-{key}", attributes.pop(key))
        if "id" in attributes:
            span.set("id", attributes.pop("id"))
        if classes:
            span.set("class", " ".join(classes))
        for key, value in attributes.items():
            span.set(key, value)
        return span, m.start(0), m.end(0)


class SpanExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        # Above citations (170) and links (160): `[words]{...}` is neither.
        md.inlinePatterns.register(BracketedSpanProcessor(SPAN, md), "qlab_spans", 171)
