"""Citations in reading order (a note's where it is first called), checked against the
bibliography, formatted, linked to their entries; the essay's References section.

With a note style a citation in the body becomes a footnote, numbered with the essay's
own notes; a citation inside a note is printed there."""

from __future__ import annotations

import difflib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.citations import LINK_CLASS, MARKER_CLASS
from qlabbook.markdown.extensions.notes import CALL_CLASS, NoteDefinition
from qlabbook.markdown.extensions.quarto import REFS_CLASS
from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.references.bibliography import Bibliography
from qlabbook.references.format import (
    CitationRequest,
    FormattedEssay,
    format_essay,
    layout_affixes,
    layout_delimiter,
)
from qlabbook.references.links import linkify
from qlabbook.references.styles import StyleKind
from qlabbook.references.syntax import CiteItem
from qlabbook.source import ids
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Essay, Heading

TITLE = "References"
MISSING_CLASS = "citation-missing"  # a key no file defines, printed as **key?**



@dataclass
class Marker:
    element: ET.Element
    tree: ET.Element  # the body or the note that holds it
    in_note: bool
    items: tuple[CiteItem, ...]
    narrative: bool
    written: str


def formatted_fragment(html: str) -> ET.Element:
    """citeproc's markup (escaped text in a few inline elements) as a tree: read as XML,
    which is many times quicker than the HTML parser, unless it is not well-formed."""
    try:
        return ET.fromstring(f"<span>{html}</span>")
    except ET.ParseError:
        return parse_fragment(html)


def note_tree(html: str) -> ET.Element:
    """A note's XHTML as Python-Markdown wrote it, read as XML when it is (quicker)."""
    try:
        return ET.fromstring(f"<div>{html}</div>")
    except ET.ParseError:
        return parse_fragment(html)


def is_marker(element: ET.Element) -> bool:
    return element.tag == "cite" and element.get("class") == MARKER_CLASS


def resolve_citations(body: ET.Element, definitions: list[NoteDefinition],
                      note_htmls: dict[int, str], context: EssayContext,
                      bibliography: Bibliography | None) -> tuple[list[str], ET.Element | None]:
    """Replace every citation marker in the body and in `note_htmls` (changed in place);
    the keys cited, in order, and the References section to end the essay with. A key no
    file defines is a warning at its line, printed as pandoc prints it: **key?**."""
    trees = {index: note_tree(html) for index, html in note_htmls.items()
             if MARKER_CLASS in html}
    markers = reading_order(body, definitions, trees)
    if bibliography is None or not markers:
        return [], None
    for marker in markers:
        check_keys(marker, bibliography, context)
    formatted, known = format_guarded(bibliography, markers, context)
    targets = {reference.key: ids.reference_id(context.anchor, number)
               for number, reference in enumerate(formatted.references, 1)} \
        if formatted is not None else {}
    note_style = bibliography.style.kind == "note"
    request = 0
    for number, marker in enumerate(markers, 1):
        items = known[number - 1]
        if items and formatted is not None:
            citation = Citation(formatted.citations[request], formatted.names[request],
                                formatted.delimiter, items)
            request += 1
        else:
            citation = Citation((), "", "", ())
        if note_style and not marker.in_note and not marker.narrative:
            place_note_call(marker)
        replace_marker(marker, citation_nodes(marker, citation, targets, note_style,
                                              bibliography, number))
    for index, tree in trees.items():
        note_htmls[index] = serialize_children(tree)
    if formatted is None:
        return [], None
    keys = list(dict.fromkeys(item.key for items in known for item in items))
    return keys, references_section(formatted, targets, bibliography.style.kind)


@dataclass(frozen=True)
class Citation:
    """One marker's citation as the style printed it: its parts (one per item, or one for
    all), the authors' names for a narrative citation, and the items it printed."""

    parts: tuple[str, ...]
    names: str
    delimiter: str
    items: tuple[CiteItem, ...]


def format_guarded(bibliography: Bibliography, markers: list[Marker], context: EssayContext
                   ) -> tuple[FormattedEssay | None, list[tuple[CiteItem, ...]]]:
    """The essay formatted, and the items of each marker it printed. An entry (or a
    citation) citeproc-py fails on is a located warning, cited by its key, and the rest is
    formatted without it: never a traceback."""
    entries = bibliography.entries
    known = [tuple(i for i in m.items if i.key in entries) for m in markers]

    def attempt(chosen: list[tuple[CiteItem, ...]]) -> FormattedEssay | None:
        requests = [CitationRequest(items, m.narrative)
                    for m, items in zip(markers, chosen, strict=True) if items]
        if not requests:
            return None
        return format_essay(bibliography, requests)

    try:
        return attempt(known), known
    except Exception as error:
        if type(error).__module__.startswith("qlabbook"):
            raise  # the conversion's time limit, and qlabbook's own errors
    failing: set[str] = set()
    for key in dict.fromkeys(item.key for items in known for item in items):
        try:
            format_essay(bibliography, [CitationRequest((CiteItem(key),))])
        except Exception as error:
            if type(error).__module__.startswith("qlabbook"):
                raise
            failing.add(key)
            entry = entries[key]
            context.diagnostics.warning(
                "B110", f"the entry {key!r} cannot be formatted in the style "
                f"{bibliography.style.name!r} (citeproc-py: {type(error).__name__}: "
                f"{str(error)[:80]}): it is cited as **{key}?**", entry.path, entry.line,
                "check its fields (dates, names, pages); if they look right, report this")
    known = [tuple(i for i in items if i.key not in failing) for items in known]
    for index, (marker, items) in enumerate(zip(markers, known, strict=True)):
        if not items:
            continue
        try:
            format_essay(bibliography, [CitationRequest(items, marker.narrative)])
        except Exception as error:
            if type(error).__module__.startswith("qlabbook"):
                raise
            known[index] = ()
            context.warning("B110", f"the citation {marker.written!r} cannot be formatted "
                            f"(citeproc-py: {type(error).__name__}): it is printed by its "
                            "keys", marker.written, "check its locator and prefix")
    try:
        return attempt(known), known
    except Exception as error:
        if type(error).__module__.startswith("qlabbook"):
            raise
        context.warning("B110", "the essay's citations cannot be formatted together "
                        f"(citeproc-py: {type(error).__name__}): they are printed by their "
                        "keys", markers[0].written, "report this, with the bibliography")
        return None, [() for _ in markers]


def reading_order(body: ET.Element, definitions: list[NoteDefinition],
                  trees: dict[int, ET.Element]) -> list[Marker]:
    """Markers as a reader meets them: a note's at its first call."""
    first_definition: dict[str, int] = {}
    for index, definition in enumerate(definitions):
        first_definition.setdefault(definition.label, index)
    inline = {node for call in body.iter() if call.tag == "sup" and
              call.get("class") == CALL_CLASS and call.get("data-inline")
              for node in call.iter()}
    visited: set[int] = set()
    markers: list[Marker] = []

    def walk(tree: ET.Element, in_note: bool) -> None:
        for element in tree.iter():
            if is_marker(element):
                items = tuple(CiteItem(**item) for item in
                              json.loads(element.get("data-items", "[]")))
                markers.append(Marker(element, tree, in_note or element in inline, items,
                                      bool(element.get("data-narrative")),
                                      element.get("data-written", "")))
            elif element.tag == "sup" and element.get("class") == CALL_CLASS:
                index = first_definition.get(element.get("data-label", ""))
                if index is not None and index not in visited:
                    visited.add(index)
                    if index in trees:
                        walk(trees[index], True)

    walk(body, False)
    return markers


def check_keys(marker: Marker, bibliography: Bibliography, context: EssayContext) -> None:
    """A warning at the citation's line for each key that no file defines (or whose entry
    cannot be read), with the keys it may have meant."""
    for item in marker.items:
        key = item.key
        if key in bibliography.entries:
            continue
        if key in bibliography.unreadable:
            path, line = bibliography.unreadable[key]
            context.warning("B201", f"citation key @{key} names an entry that cannot be read",
                            f"@{key}", f"see the error at {path.as_posix()}:{line}")
            continue
        close = difflib.get_close_matches(key, list(bibliography.entries), n=3, cutoff=0.6)
        close += [k for k in bibliography.entries if k.lower() == key.lower() and k not in close]
        hint = ("did you mean " + " or ".join(f"@{k}" for k in close) + "?") if close else \
            "add the work to a bibliography file, or write \\@ for an at sign that is no citation"
        context.warning("B201", f"citation key @{key} is in no bibliography file", f"@{key}",
                        hint)


def place_note_call(marker: Marker) -> None:
    """A citation that becomes a note is called after the punctuation that follows it and
    with no space before it, as pandoc places it: "pain [@a]." -> "pain.¹"."""
    parent = next(p for p in marker.tree.iter() if marker.element in list(p))
    position = list(parent).index(marker.element)
    tail = marker.element.tail or ""
    punctuation = tail[:len(tail) - len(tail.lstrip(".,;:!?"))]
    marker.element.tail = tail[len(punctuation):]
    if position > 0:
        before = parent[position - 1]
        before.tail = (before.tail or "").rstrip() + punctuation
    else:
        parent.text = (parent.text or "").rstrip() + punctuation


def replace_marker(marker: Marker, nodes: list[ET.Element]) -> None:
    parent = next(p for p in marker.tree.iter() if marker.element in list(p))
    position = list(parent).index(marker.element)
    tail = marker.element.tail
    parent.remove(marker.element)
    for offset, node in enumerate(nodes):
        parent.insert(position + offset, node)
    nodes[-1].tail = (nodes[-1].tail or "") + (tail or "")


def citation_nodes(marker: Marker, citation: Citation, targets: dict[str, str],
                   note_style: bool, bibliography: Bibliography, number: int
                   ) -> list[ET.Element]:
    """The citation as printed: linked parts in a span (a key no file defines as **key?**,
    where pandoc prints it); with a note style, in the body, a note call holding it (after
    the names, for a narrative citation)."""
    printed = {item.key for item in citation.items}
    missing = [item.key for item in marker.items if item.key not in printed]
    if marker.narrative and missing:
        return [missing_key(missing[0])]
    span = ET.Element("span", {"class": "citation"})
    if missing:
        fill_with_missing(span, marker, citation, missing, targets, bibliography)
    else:
        keys = [item.key for item in marker.items] \
            if len(citation.parts) == len(marker.items) else [marker.items[0].key]
        for index, (part, key) in enumerate(zip(citation.parts, keys, strict=False)):
            if index:
                span[-1].tail = citation.delimiter
            span.append(linked_part(part, targets[key]))
    if note_style and marker.in_note and (marker.element.tail or "").strip():
        drop_final_period(span)  # "…, 12., and" reads "…, 12, and"
    if note_style and not marker.in_note:
        capitalize(span)
        call = ET.Element("sup", {"class": CALL_CLASS, "data-inline": "1",
                                  "data-label": f"^[cite{number}]"})
        call.append(span)
        if marker.narrative:
            lead = ET.Element("span")
            lead.text = citation.names
            return [lead, call]
        return [call]
    if marker.narrative and not note_style:
        span.text = citation.names + " "
    if len(span) == 1 and not span.text and not span[0].tail:
        return [span[0]]  # one link needs no wrapper (every element costs the typesetter)
    return [span]


def linked_part(part: str, target: str) -> ET.Element:
    """One item's text linking to its entry; a link the entry's own text made (a title's
    \\href) keeps its text only, for a link holds no link."""
    link = ET.Element("a", {"class": LINK_CLASS, "href": "#" + target})
    fragment = formatted_fragment(part)
    link.text = fragment.text
    link.extend(list(fragment))
    for inner in [e for e in link.iter("a") if e is not link]:
        inner.tag = "span"
        inner.attrib.clear()
    return link


def missing_key(key: str) -> ET.Element:
    strong = ET.Element("strong", {"class": MISSING_CLASS})
    strong.text = f"{key}?"
    return strong


def fill_with_missing(span: ET.Element, marker: Marker, citation: Citation, missing: list[str],
                      targets: dict[str, str], bibliography: Bibliography) -> None:
    """The items in the order written, each printed one linked, each missing one **key?**,
    inside the style's brackets: "(**smith2019?**; Jones 2020)"."""
    prefix, suffix = layout_affixes(bibliography.style.csl)
    delimiter = citation.delimiter or layout_delimiter(bibliography.style.csl) or "; "
    parts = list(citation.parts)
    if parts and prefix and parts[0].startswith(prefix):
        parts[0] = parts[0][len(prefix):]
    else:
        prefix = prefix if not parts else ""
    if parts and suffix and parts[-1].endswith(suffix):
        parts[-1] = parts[-1][:-len(suffix)]
    elif parts:
        suffix = ""
    printed = [item.key for item in citation.items]
    split = len(parts) == len(printed)
    pieces: list[ET.Element] = []
    for item in marker.items:
        if item.key in missing:
            pieces.append(missing_key(item.key))
        elif split and item.key in printed:
            pieces.append(linked_part(parts[printed.index(item.key)], targets[item.key]))
        elif not split and parts and item.key == printed[0]:
            pieces.append(linked_part(parts[0], targets[item.key]))
    span.text = prefix
    for index, piece in enumerate(pieces):
        if index:
            span[-1].tail = (span[-1].tail or "") + delimiter
        span.append(piece)
    span[-1].tail = (span[-1].tail or "") + suffix


def drop_final_period(span: ET.Element) -> None:
    last = list(span.iter())[-1]
    if last.tail and last.tail.rstrip().endswith("."):
        last.tail = last.tail.rstrip()[:-1]
    elif not last.tail and last.text and last.text.rstrip().endswith("."):
        last.text = last.text.rstrip()[:-1]


def capitalize(span: ET.Element) -> None:
    """A note begins with a capital: "ibid." -> "Ibid." (a missing key keeps its case)."""
    for node in span.iter():
        if node.get("class") == MISSING_CLASS:
            return
        if node.text and node.text.strip():
            stripped = node.text.lstrip()
            node.text = node.text[:len(node.text) - len(stripped)] + stripped[0].upper() + \
                stripped[1:]
            return


def references_section(formatted: FormattedEssay, targets: dict[str, str],
                       kind: StyleKind) -> ET.Element:
    """`<section role="doc-bibliography">`: its heading and a list item per work cited."""
    section = ET.Element("section", {"class": f"references references-{kind}",
                                     "role": "doc-bibliography"})
    heading = ET.SubElement(section, "h2")
    heading.text = TITLE
    listing = ET.SubElement(section, "ol" if kind == "numeric" else "ul",
                            {"class": "references-list"})
    for reference in formatted.references:
        # No role="doc-biblioentry": DPUB-ARIA 1.1 deprecates it for the list items of a
        # doc-bibliography, and EPUBCheck warns on it (RSC-017).
        entry = ET.SubElement(listing, "li", {"id": targets[reference.key],
                                              "class": "reference"})
        if reference.label:
            label = ET.SubElement(entry, "span", {"class": "reference-label"})
            label.text = reference.label + " "  # the space for readers without the stylesheet
        body = formatted_fragment(reference.html)
        if len(entry):
            entry[-1].tail = (entry[-1].tail or "") + (body.text or "")
        else:
            entry.text = body.text
        entry.extend(list(body))
        linkify(entry)
    return section


def add_references(body: ET.Element, section: ET.Element | None, anchor: str,
                   headings: list[Heading]) -> list[Heading]:
    """End the body with the References section, its heading among the essay's headings
    (so the contents and the EPUB's navigation list it)."""
    place = references_place(body)
    if section is None:
        if place is not None and not len(place[1]) and not (place[1].text or "").strip():
            place[0].remove(place[1])  # an empty `::: {#refs}` with nothing to list
        return headings
    own = own_heading(body, place)
    if own is not None:  # the author's own `# References` heading: the section replaces it
        body.remove(own)
        headings = [h for h in headings if h.anchor != own.get("id")]
    heading = section[0]
    taken = {h.anchor for h in headings}
    slug, counter = "references", 2
    while ids.heading_id(anchor, slug) in taken:
        slug, counter = f"references-{counter}", counter + 1
    heading.set("id", ids.heading_id(anchor, slug))
    section.set("aria-labelledby", heading.get("id", ""))
    if place is not None:  # where the author put `::: {#refs}`
        parent, div = place
        position = list(parent).index(div)
        section.tail = div.tail
        parent.remove(div)
        parent.insert(position, section)
    else:
        body.append(section)
    return [*headings, Heading(2, TITLE, heading.get("id", ""))]


OWN_TITLES = {"references", "bibliography", "works cited", "sources", "literature cited"}


def references_place(body: ET.Element) -> tuple[ET.Element, ET.Element] | None:
    """(parent, div) of the essay's `::: {#refs}` div, Quarto's and pandoc's way of
    placing the list."""
    for parent in body.iter():
        for child in parent:
            if child.tag == "div" and child.get("class") == REFS_CLASS:
                return parent, child
    return None


def own_heading(body: ET.Element, place: tuple[ET.Element, ET.Element] | None
                ) -> ET.Element | None:
    """A heading the author wrote for the list (`# References`) with nothing after it
    but the `#refs` div, if any."""
    children = list(body)
    if place is not None and place[0] is body:
        children = children[:children.index(place[1])]
    elif place is not None:
        return None
    if not children:
        return None
    last = children[-1]
    text = " ".join("".join(last.itertext()).split()).casefold()
    if last.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and text in OWN_TITLES:
        return last
    return None


def report_uncited(bibliography: Bibliography, essays: list[Essay],
                   diagnostics: Diagnostics) -> None:
    """Warn, at its definition, about each entry that no essay cites."""
    cited = {key for essay in essays for key in essay.citations}
    for key, entry in bibliography.entries.items():
        if key not in cited:
            diagnostics.warning("B105", f"the entry {key!r} is never cited", entry.path,
                                entry.line, f"cite it as [@{key}] or remove it")
