"""An essay's text as its web page shows it: note calls linked to side notes, links to other
essays' pages, responsive pictures with their credits, formulas as MathML, and the print
edition's page numbers where its pages begin."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from qlabbook.markdown.formulas import with_mathml
from qlabbook.markdown.markup import (
    NoteCall,
    NoteClass,
    ShownImage,
    expand_note_calls,
    render_figures,
)
from qlabbook.markdown.units import PageMap
from qlabbook.markdown.xhtml import serialize_children
from qlabbook.source import ids
from qlabbook.source.model import Essay, Footnote
from qlabbook.web.images import SIZES, Picture
from qlabbook.web.paths import slug_file
from qlabbook.web.printpages import mark_print_pages, markers, shown_page, starts_in_essay


@dataclass(frozen=True)
class WebBody:
    html: str  # the essay's text with its side notes
    opening: str  # the marks of print pages that start in the essay's opening
    pages: tuple[str, ...]  # the print pages whose numbers the page shows, in order


def parse(fragment: str) -> ET.Element:
    return ET.fromstring(f"<div>{fragment}</div>")


def essay_href(target: str, slugs: dict[str, str], here: str) -> str | None:
    """The web address of `#target` from the page of essay `here`: the same page, or the
    page (its file, `../b-ten/index.html`) of the essay the id belongs to; None for an id
    of no essay."""
    anchor = ids.essay_of(target)
    if anchor == here:
        return f"#{target}"
    if anchor not in slugs:
        return None
    return f"../{slug_file(slugs[anchor])}" + ("" if target == anchor else f"#{target}")


def retarget(root: ET.Element, slugs: dict[str, str], here: str) -> None:
    """Links into the book lead to the essay's page; external ones stay as written."""
    for link in root.iter("a"):
        href = link.get("href", "")
        if href.startswith("#") and ids.ESSAY_ANCHOR.match(ids.essay_of(href[1:])):
            found = essay_href(href[1:], slugs, here)
            if found is not None:
                link.set("href", found)


def note_call(anchor: str, found: NoteCall) -> str:
    """The web page's note call: a link to its side note."""
    link = ET.Element("a", {"class": NoteClass.CALL, "role": "doc-noteref",
                            "id": ids.call_id(anchor, found.number, found.call),
                            "href": f"#{ids.note_id(anchor, found.number)}",
                            "aria-label": f"Note {found.number}"})
    link.text = str(found.number)
    return ET.tostring(link, encoding="unicode")


def side_note(anchor: str, note: Footnote, slugs: dict[str, str]) -> ET.Element:
    """A note, its number leading back to each call."""
    aside = ET.Element("aside", {"class": NoteClass.SIDENOTE,
                                 "id": ids.note_id(anchor, note.number),
                                 "role": "doc-footnote", "aria-label": f"Note {note.number}"})
    back = ET.SubElement(aside, "p", {"class": NoteClass.BACK})
    for call in range(1, note.calls + 1):
        link = ET.SubElement(back, "a", {
            "href": f"#{ids.call_id(anchor, note.number, call)}", "role": "doc-backlink"})
        link.text = str(note.number) if call == 1 else f"\u2191{call}"
        # Said, not shown: the name of a link must contain what it shows.
        hidden = ET.SubElement(link, "span", {"class": "visually-hidden"})
        hidden.text = " back to the text" + (f", call {call}" if note.calls > 1 else "")
        link.tail = " " if call < note.calls else None
    content = parse(note.html)
    retarget(content, slugs, anchor)
    back.tail = content.text
    aside.extend(list(content))
    return aside


def place_notes(root: ET.Element, essay: Essay, slugs: dict[str, str]) -> None:
    """Each note goes with the block of its first call (beside it on a wide screen, after
    the text on a narrow one)."""
    first_calls = {ids.call_id(essay.anchor, note.number): note for note in essay.footnotes}
    parents = {child: parent for parent in root.iter() for child in parent}
    beside: dict[ET.Element, list[ET.Element]] = {}
    for call in [e for e in root.iter() if e.get("id") in first_calls]:
        block = parents[call]
        while parents.get(block) is not None and parents[block] is not root:
            block = parents[block]
        beside.setdefault(block, []).append(
            side_note(essay.anchor, first_calls[call.get("id", "")], slugs))
    for block, asides in beside.items():
        # Before the block, so that on a wide screen the note floats level with its top.
        position = list(root).index(block)
        for shift, aside in enumerate(asides):
            aside.tail = "\n"
            root.insert(position + shift, aside)


def responsive_image(shown: ShownImage, pictures: dict[str, Picture], prefix: str) -> None:
    """The web page's rendering of a figure's or a text's image: its resized pictures, for
    the browser to choose from by the width it shows it at."""
    image, picture = shown.image, pictures.get(shown.src)
    if picture is None:
        return
    image.set("src", prefix + picture.src)
    image.set("srcset", picture.srcset(prefix))
    image.set("sizes", SIZES)
    image.set("width", str(picture.width))
    image.set("height", str(picture.height))
    image.set("loading", "lazy")
    image.set("decoding", "async")


def web_body(essay: Essay, slugs: dict[str, str], pictures: dict[str, Picture],
             pages: PageMap | None) -> WebBody:
    """The essay's text for its page (one folder below the site's root)."""
    root = parse(expand_note_calls(essay.body_html, lambda call: note_call(essay.anchor, call)))
    opening = mark_print_pages(root, essay.anchor, pages)
    shown = tuple(page for e in root.iter("span") if (page := shown_page(e)) is not None)
    place_notes(root, essay, slugs)
    retarget(root, slugs, essay.anchor)
    render_figures(root, lambda shown: responsive_image(shown, pictures, "../"))
    holder = ET.Element("div")
    holder.extend([markers(opening)] if opening else [])
    mark = serialize_children(holder)
    return WebBody(with_mathml(serialize_children(root)), mark, tuple(opening[-1:]) + shown)


class RememberedBodies:
    """web_body's results kept between the builds of one process (`serve`), by everything
    they are made from: after a save only the changed essay's text is made again. What a
    build did not use is let go."""

    def __init__(self) -> None:
        self.held: dict[bytes, WebBody] = {}
        self.used: set[bytes] = set()

    def body(self, essay: Essay, slugs: dict[str, str], pictures: dict[str, Picture],
             pages: PageMap | None) -> WebBody:
        shown = {src: (p.src, p.width, p.height, [(v.path, v.width) for v in p.variants])
                 for src, p in pictures.items() if src in essay.images}
        printed = None if pages is None else (starts_in_essay(pages, essay.anchor),
                                              pages.texts.get(essay.anchor))
        key = hashlib.sha256(repr((essay, sorted(slugs.items()), sorted(shown.items()),
                                   printed)).encode("utf-8")).digest()
        if key not in self.held:
            self.held[key] = web_body(essay, slugs, pictures, pages)
        self.used.add(key)
        return self.held[key]

    def let_go(self) -> None:
        if self.used:
            self.held = {key: body for key, body in self.held.items() if key in self.used}
            self.used = set()
