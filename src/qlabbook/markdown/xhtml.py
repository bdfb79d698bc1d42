"""XHTML fragments: parsed as a browser would, written so that HTML and XML parsers agree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tinyhtml5.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


SELF_CLOSED = re.compile(r"<([a-zA-Z][\w-]*)([^<>]*?)\s*/>")


def parse_fragment(html: str) -> ET.Element:
    """Parse HTML as a browser would: the result is always a well-formed tree."""
    fragment: ET.Element = HTMLParser(False).parse_fragment(html, container="div")
    return fragment


def serialize_children(element: ET.Element) -> str:
    """Children as XHTML; non-void elements never self-close, so HTML parsers agree."""
    parts = [ET.tostring(child, encoding="unicode", method="xml") for child in element]
    xml = escape_text(element.text or "") + "".join(parts)
    def open_and_close(match: re.Match[str]) -> str:
        tag, attributes = match.group(1), match.group(2)
        return match.group(0) if tag in VOID else f"<{tag}{attributes}></{tag}>"

    return SELF_CLOSED.sub(open_and_close, xml)


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
