"""citeproc-py's HTML made plain XHTML the sanitizer accepts, and every DOI and web address
in a formatted reference made a link (citeproc prints `doi:10...` and URLs as text)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

DOI_OR_URL = re.compile(r"(?:\bdoi:\s?|https?://(?:dx\.)?doi\.org/)"
                        r"(?P<doi>10\.\d{4,9}/[^\s<>\"]+)|(?P<url>https?://[^\s<>\"]+)",
                        re.IGNORECASE)
TRAILING = ".,;:!?’”'\""


def clean_markup(html: str) -> str:
    html = re.sub(r'<span style="font-variant:\s*small-caps;?">', '<span class="smallcaps">',
                  html)
    html = html.replace("<l>", "<span>").replace("</l>", "</span>")
    return html


def trim(text: str) -> str:
    """A match without the punctuation that ends its sentence (balanced brackets kept)."""
    while text and (text[-1] in TRAILING or (text[-1] == ")" and text.count("(") <
                                              text.count(")"))):
        text = text[:-1]
    return text


def link_for(match: re.Match[str]) -> tuple[str, str]:
    """(the text to link, its href)."""
    text = trim(match.group(0))
    if match.group("doi"):
        doi = trim(match.group("doi"))
        return text, "https://doi.org/" + quote(doi, safe="/:;()._-")
    return text, text


def linkify(element: ET.Element) -> list[str]:
    """Make links of the DOIs and URLs in `element`'s text (not inside links); the hrefs made."""
    inside_links = {node for link in element.iter("a") for node in link.iter()}
    made: list[str] = []
    for node in list(element.iter()):
        if node in inside_links:
            continue
        made += _link_text(node)
        for child in list(node):
            made += _link_tail(node, child)
    return made


def _split(text: str) -> list[str | ET.Element]:
    parts: list[str | ET.Element] = []
    index = 0
    for match in DOI_OR_URL.finditer(text):
        linked, href = link_for(match)
        parts.append(text[index:match.start()])
        link = ET.Element("a", {"href": href})
        link.text = linked
        parts.append(link)
        index = match.start() + len(linked)
    parts.append(text[index:])
    return parts


def _link_text(node: ET.Element) -> list[str]:
    if not node.text or not DOI_OR_URL.search(node.text):
        return []
    parts = _split(node.text)
    node.text = str(parts[0])
    made, position = [], 0
    for part in parts[1:]:
        if isinstance(part, ET.Element):
            node.insert(position, part)
            position += 1
            made.append(part.get("href", ""))
        else:
            node[position - 1].tail = part
    return made


def _link_tail(parent: ET.Element, child: ET.Element) -> list[str]:
    if not child.tail or not DOI_OR_URL.search(child.tail):
        return []
    parts = _split(child.tail)
    child.tail = str(parts[0])
    made, position = [], list(parent).index(child) + 1
    previous = child
    for part in parts[1:]:
        if isinstance(part, ET.Element):
            parent.insert(position, part)
            position += 1
            previous = part
            made.append(part.get("href", ""))
        else:
            previous.tail = part
    return made
