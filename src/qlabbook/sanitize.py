"""Raw HTML policy: an allow-list of harmless elements and attributes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

# Removed with everything inside them.
DANGEROUS = {
    "script", "style", "iframe", "object", "embed", "applet", "frame", "frameset", "noscript",
    "template", "link", "meta", "base", "form", "input", "button", "select", "textarea",
    "svg", "math", "video", "audio", "source", "track", "canvas", "portal", "head", "title",
}
ALLOWED = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr",
    "cite", "q", "dfn", "code", "kbd", "samp", "var", "span", "div", "a", "ul", "ol", "li",
    "dl", "dt", "dd", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption", "img",
    "del", "ins", "time", "bdi", "bdo", "wbr",
}
GLOBAL_ATTRIBUTES = {"class", "title", "lang", "dir", "id"}
ELEMENT_ATTRIBUTES = {
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"}, "time": {"datetime"}, "ol": {"start", "reversed"},
    "blockquote": {"cite"}, "q": {"cite"}, "abbr": {"title"},
    "figure": {"data-credit", "data-licence", "data-source"}, "sup": {"data-label"},
}
URL_ATTRIBUTES = {"href", "src", "cite"}
SAFE_SCHEME = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.IGNORECASE)

Report = Callable[[str, str], None]  # (message, needle to locate in the source)


def sanitize(body: ET.Element, report: Report) -> None:
    """Drop or unwrap disallowed elements and attributes in place, reporting each removal."""
    clean_children(body, report)
    for element in body.iter():
        allowed = GLOBAL_ATTRIBUTES | ELEMENT_ATTRIBUTES.get(str(element.tag), set())
        for name, value in list(element.attrib.items()):
            if name not in allowed:
                report(f"removed attribute {name}= from <{element.tag}>", f"{name}=")
                del element.attrib[name]
            elif name in URL_ATTRIBUTES and not SAFE_SCHEME.match(value.strip()):
                report(f"removed unsafe URL {value[:40]!r} from <{element.tag}>", value[:20])
                del element.attrib[name]


def clean_children(parent: ET.Element, report: Report) -> None:
    index = 0
    while index < len(parent):
        child = parent[index]
        tag = child.tag if isinstance(child.tag, str) else ""  # comments have a function tag
        if tag in DANGEROUS or not tag:
            if tag:
                report(f"removed <{tag}> element and its content", f"<{tag}")
            remove_keeping_tail(parent, child)
        elif tag not in ALLOWED:
            report(f"removed <{tag}> tag (its text is kept)", f"<{tag}")
            unwrap(parent, child)  # its children now stand at `index` and are checked next
        else:
            clean_children(child, report)
            index += 1


def remove_keeping_tail(parent: ET.Element, child: ET.Element) -> None:
    index = list(parent).index(child)
    append_text(parent, index - 1, child.tail)
    parent.remove(child)


def unwrap(parent: ET.Element, child: ET.Element) -> None:
    index = list(parent).index(child)
    append_text(parent, index - 1, child.text)
    for offset, grandchild in enumerate(list(child)):
        parent.insert(index + offset, grandchild)
    last = index + len(child) - 1
    parent.remove(child)
    append_text(parent, last, child.tail)


def append_text(parent: ET.Element, index: int, text: str | None) -> None:
    """Add text after the child at `index` (or at the start of `parent` when index is -1)."""
    if not text:
        return
    if index < 0:
        parent.text = (parent.text or "") + text
    else:
        sibling = parent[index]
        sibling.tail = (sibling.tail or "") + text
