"""Raw HTML policy: an allow-list of harmless elements and attributes, and XML-safe text."""

from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.blocks import RAW_IMAGE
from qlabbook.markdown.formulas import PLACEHOLDER_TAG
from qlabbook.source import ids
from qlabbook.source.text import XML_INVALID

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
    PLACEHOLDER_TAG,  # a formula (markdown/formulas.py): TeX text only, replaced by each format
}
# Ids on any element are anchors links can reach (qlabbook prefixes them per essay).
GLOBAL_ATTRIBUTES = {"class", "title", "lang", "dir", "id"}
ELEMENT_ATTRIBUTES = {
    "a": {"href"}, "img": {"src", "alt", "width", "height", RAW_IMAGE},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"}, "ol": {"start", "reversed", "type"},
    "blockquote": {"cite"}, "q": {"cite"}, "abbr": {"title"},
    "figure": {"data-credit", "data-licence", "data-source"}, "sup": {"data-label", "data-inline"},
    # An index mark's keys (backindex.py), read from a note once it is checked like the body.
    "span": {"data-index-term", "data-index-sub", "data-index-sort"},
    PLACEHOLDER_TAG: {"display"},
}
URL_ATTRIBUTES = {"href", "src", "cite"}
# Values the XHTML content model accepts, for attributes that are not free text.
ATTRIBUTE_VALUES = {
    "start": re.compile(r"^-?\d{1,9}$"), "colspan": re.compile(r"^[1-9]\d{0,2}$"),
    "rowspan": re.compile(r"^\d{1,4}$"), "width": re.compile(r"^\d{1,5}$"),
    "height": re.compile(r"^\d{1,5}$"), "reversed": re.compile(r"^(reversed)?$"),
    "type": re.compile(r"^[1aAiI]$"),
    "dir": re.compile(r"^(ltr|rtl|auto)$"), "scope": re.compile(r"^(row|col|rowgroup|colgroup)$"),
    "lang": re.compile(r"^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$"),
    # Heading ids only, which qlabbook prefixes with the essay's anchor ("e3-2019-results").
    "id": re.compile(r"^[\w.-]+$"), "display": re.compile(r"^(inline|block)$"),
}
# Phrasing elements (text-level) may not hold blocks; a block that the HTML parser left
# inside one (`<b>` left open before a heading) makes the phrasing element be unwrapped.
PHRASING = {"em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr", "cite",
            "q", "dfn", "code", "kbd", "samp", "var", "span", "a", "del", "ins", "bdi", "bdo",
            "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "caption", "dt"}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
          "blockquote", "pre", "table", "figure", "figcaption", "hr"}
# Elements that only make sense inside a given parent; elsewhere they become a <div>.
PARENTS = {"li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}, "figcaption": {"figure"}}
# Web links, mail links, fragments and relative paths; anything else with a scheme
# (javascript:, data:, file:, vbscript:...) is refused. A colon after a slash, '?' or '#'
# belongs to the path, not to a scheme.
SAFE_URL = re.compile(r"^(?:https?:|mailto:|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)
# Elements nested deeper than this are refused: nothing a reader can follow, and the XML
# tools downstream recurse once per level.
MAX_DEPTH = 50

URL_SAFE = "!$%&'()*+,/:;=?@~-._"
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$",
                       re.IGNORECASE)

Report = Callable[[str, str, str], None]  # (code, message, needle to locate in the source)


def sanitize(body: ET.Element, report: Report) -> dict[ET.Element, str]:
    """Drop or unwrap disallowed elements and attributes in place, reporting each removal;
    remove characters XML cannot hold (character references can still produce them).
    Returns the elements whose id was rewritten to a valid one, with the id as written."""
    clean_children(body, report)
    rewritten: dict[ET.Element, str] = {}
    for element in list(body.iter()):
        allowed = GLOBAL_ATTRIBUTES | ELEMENT_ATTRIBUTES.get(str(element.tag), set())
        if element.tag == "a" and "name" in element.attrib:  # HTML 4's anchor is an id
            written = element.attrib.pop("name")
            if "id" not in element.attrib:
                element.set("id", written)
        for name, value in list(element.attrib.items()):
            if name not in allowed:
                report("M302", f"removed attribute {name}= from <{element.tag}>", f"{name}=")
                del element.attrib[name]
            elif name == "id" and rewrite_id(element, value):
                rewritten[element] = value
            elif name in ATTRIBUTE_VALUES and not ATTRIBUTE_VALUES[name].match(value):
                report("M302", f"removed attribute {name}={value[:20]!r} from "
                       f"<{element.tag}>: not a valid value", f"{name}=")
                del element.attrib[name]
            elif name in URL_ATTRIBUTES and not SAFE_URL.match(value.strip()):
                scheme = value.strip().split(":", 1)[0].lower()
                report("M303", f"removed {scheme}: URL from <{element.tag}>", value[:20])
                del element.attrib[name]
            elif name in URL_ATTRIBUTES:
                url = valid_url(value)
                if url is None:
                    report("M304", f"removed invalid URL {value[:40]!r} from <{element.tag}>",
                           value[:20])
                    del element.attrib[name]
                else:
                    element.set(name, url)
        if element.tag == "img" and "src" not in element.attrib:
            element.tag = "span"  # an image with nothing to show: keep its place, not its tag
            element.attrib.clear()
    repair_content_model(body)
    mark_raw_image_openings(body)
    for element in body.iter():
        element.text = xml_safe(element.text)
        element.tail = xml_safe(element.tail)
        for name, value in element.attrib.items():
            element.set(name, xml_safe(value) or "")
    return rewritten


def mark_raw_image_openings(body: ET.Element) -> None:
    """A paragraph that opens with a raw HTML image is not indented: an image as wide as the
    text block would run past its edge by the indent. Markdown's images keep their look."""
    for paragraph in body.iter("p"):
        first = paragraph[0] if len(paragraph) and not (paragraph.text or "").strip() else None
        if first is not None and first.tag == "a" and len(first) \
                and not (first.text or "").strip():
            first = first[0]  # a linked picture, as badges and thumbnails are
        if first is not None and first.tag == "img" and RAW_IMAGE in first.attrib:
            classes = paragraph.get("class", "").split()
            paragraph.set("class", " ".join([*classes, "opens-with-image"]))
    for image in body.iter("img"):
        image.attrib.pop(RAW_IMAGE, None)


def rewrite_id(element: ET.Element, value: str) -> bool:
    """Whether an id the author wrote (`sec:intro`, valid HTML but not a valid XML id) was
    rewritten to one every format accepts, rather than dropped: links to it still lead
    somewhere, rewritten the same way (links.py)."""
    if ATTRIBUTE_VALUES["id"].match(value) or not xml_safe(value.strip()):
        return False
    element.set("id", ids.author_slug(xml_safe(value.strip()) or ""))
    return True


def valid_url(value: str) -> str | None:
    """The URL with spaces and other characters URLs cannot hold percent-encoded, or None
    when its host cannot be one (readers and EPUBCheck refuse such links)."""
    value = BAD_PERCENT.sub("%25", value.strip())
    try:
        host = urlsplit(value).hostname or ""
        if not host.isascii():  # an international domain name: its ASCII form
            value = value.replace(host, host.encode("idna").decode("ascii"), 1)
    except (ValueError, UnicodeError):
        return None
    base, hash_mark, fragment = value.partition("#")
    url = quote(base, safe=URL_SAFE + "[]") + hash_mark + quote(fragment, safe=URL_SAFE)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https"):
        host = parts.hostname or ""
        if not (HOST_NAME.match(host) or is_ip_address(host)):
            return None
    return url


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def xml_safe(text: str | None) -> str | None:
    return XML_INVALID.sub("", text) if text else text


def clean_children(parent: ET.Element, report: Report) -> None:
    index = 0
    while index < len(parent):
        child = parent[index]
        tag = child.tag if isinstance(child.tag, str) else ""  # comments have a function tag
        foreign = tag.startswith("{")  # SVG or MathML content: the parser namespaces it
        tag = tag.rpartition("}")[2]
        if tag in DANGEROUS or foreign or not tag:
            if tag:
                report("M301", f"removed <{tag}> element and its content", f"<{tag}")
            remove_keeping_tail(parent, child)
        elif tag not in ALLOWED or (tag == PLACEHOLDER_TAG and not is_formula(child)):
            report("M301", f"removed <{tag}> tag (its text is kept)", f"<{tag}")
            unwrap(parent, child)  # its children now stand at `index` and are checked next
        else:
            clean_children(child, report)
            index += 1


def is_formula(element: ET.Element) -> bool:
    """A formula placeholder as the Markdown stage writes it: a display mode and text."""
    return len(element) == 0 and element.get("display") in ("inline", "block")


def repair_content_model(parent: ET.Element) -> None:
    """Make the tree valid XHTML where the HTML parser is lenient: no blocks inside phrasing
    elements, list items and captions only inside their own containers."""
    index = 0
    while index < len(parent):
        child = parent[index]
        tag = str(child.tag)
        if tag in PHRASING and any(str(e.tag) in BLOCKS for e in child.iter() if e is not child):
            if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "caption", "dt"):
                child.tag = "div"  # keep the block, lose the heading or paragraph semantics
                child.attrib.pop("id", None)
            else:
                unwrap(parent, child)
                continue  # its children now stand at `index`
        if tag in PARENTS and str(parent.tag) not in PARENTS[tag]:
            child.tag = "div"
        if tag == "figcaption" and str(parent.tag) == "figure" and \
                child is not parent[0] and child is not parent[-1]:
            child.tag = "div"
        repair_content_model(child)
        index += 1


def depth(root: ET.Element) -> int:
    """How many levels of elements `root` holds (counted without recursion)."""
    deepest, stack = 0, [(root, 0)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in element)
    return deepest


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


DIV_FENCE = re.compile(r"^ {0,3}:{3,}\s*(\S?)")
QUOTE_MARKERS, OPEN_TAG, CLOSE_TAG = re.compile(r"[>\s]*"), re.compile("<[A-Za-z]"), \
    re.compile("</[A-Za-z]")


def within_depth(tree: ET.Element, context: EssayContext) -> bool:
    """Refuse absurd nesting (the XML tools downstream recurse once per level)."""
    levels = depth(tree)
    if levels <= MAX_DEPTH:
        return True
    context.error("M105", f"elements nested {levels} levels deep (limit {MAX_DEPTH})",
                  first_deep_line(context.source.body),
                  "flatten deeply nested lists, quotations or HTML elements")
    return False


def first_deep_line(body: str) -> str | None:
    """The first source line that opens more levels than the limit allows, by counting
    quotation markers, list indentation and unclosed HTML tags."""
    open_tags = 0
    for line in body.split("\n"):
        if not line.strip():
            continue
        expanded = line.expandtabs(4)
        quotes = QUOTE_MARKERS.match(expanded).group().count(">")  # type: ignore[union-attr]
        indent = (len(expanded) - len(expanded.lstrip())) // 4
        open_tags += len(OPEN_TAG.findall(line)) - len(CLOSE_TAG.findall(line))
        fence = DIV_FENCE.match(line)  # pandoc's fenced divs open and close like tags
        open_tags += (1 if fence.group(1) else -1) if fence else 0
        if max(quotes, indent, open_tags) > MAX_DEPTH // 2:
            return line
    return None
