"""XHTML fragments: parsed as a browser would, written so that HTML and XML parsers agree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tinyhtml5.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


SELF_CLOSED = re.compile(r"<([a-zA-Z][\w-]*)([^<>]*?)\s*/>")


# The neutral note call the renderers replace: <qlab-note n="3" call="1"></qlab-note>
NOTE_CALL = re.compile(r'<qlab-note n="(\d+)" call="(\d+)"></qlab-note>')
# Two calls side by side ("later.[^1][^2]"): a superior comma between them, or they would
# read as one number ("12"). Its class marks it as part of the calls (left out of the text
# that the EPUB's page list compares with print).
ADJACENT_CALLS = re.compile(r'(?<=</qlab-note>)(?=<qlab-note )')
CALL_SEPARATOR = '<span class="noteref noteref-separator">,</span>'


def separate_calls(html: str) -> str:
    return ADJACENT_CALLS.sub(CALL_SEPARATOR, html)


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
