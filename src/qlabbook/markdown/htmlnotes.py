"""Footnotes an author made by hand in HTML, as blogs without a footnote syntax have them:
a superscript number linking to an anchor (`<sup>[1](#foot1)</sup>`,
`<sup><a href="#fn1">1</a></sup>`), and at the end the note that anchor starts
(`<a name="foot1"></a>1: text`, `<li id="fn1">text <a href="#ref1">↩</a></li>`).

Where the pattern is plain, the calls become the essay's note calls and the notes its notes,
numbered with the others; the notes' own numbers, back-links and a heading left over them
go. Where a reading is a guess (a note's number is not its call's, paragraphs between two
notes taken as the first one's), the essay is told once, at its first such note. Anything
else stays as written: its anchors are kept, so the links still lead to them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import unquote

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.notes import CALL_CLASS, NoteDefinition
from qlabbook.markdown.sanitize import remove_keeping_tail as remove
from qlabbook.markdown.sanitize import unwrap
from qlabbook.markdown.xhtml import serialize_children

# A call's text: a number, a letter or a symbol, perhaps in brackets.
CALL_TEXT = re.compile(r"^\s*[\[(]?\s*(\d{1,3}|[*†‡§¶]{1,3}|[a-z])\s*[\])]?\s*$")
# A note's own number at its start: "1:", "1.", "[1]", "1)", "^1".
LEADING_LABEL = re.compile(r"^\s*\^?[\[(]?\s*(\d{1,3}|[*†‡§¶]{1,3})\s*[\])]?\s*[.:)\-–—]?\s*")
BACK_TEXT = re.compile(r"^\s*(?:↩\ufe0e?|↑|⤴|⬆|\^|back|return|top|go back)\s*$", re.IGNORECASE)
NOTE_BLOCKS = {"li", "p", "div", "dd", "aside", "section"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass
class Call:
    element: ET.Element  # what is replaced: the <sup>, or the <a> when it holds the <sup>
    link: ET.Element
    text: str


@dataclass
class Note:
    name: str
    block: ET.Element
    anchor: ET.Element
    calls: list[Call] = field(default_factory=list)
    extra: list[ET.Element] = field(default_factory=list)  # paragraphs taken with it
    guesses: list[str] = field(default_factory=list)


def read_html_notes(body: ET.Element,
                    context: EssayContext) -> list[tuple[NoteDefinition, str]]:
    """Turn the hand-made notes of `body` (before it is sanitized) into note calls, and
    return their definitions with each note's HTML."""
    parents = {child: parent for parent in body.iter() for child in parent}
    order = {element: index for index, element in enumerate(body.iter())}
    targets = anchors(body)
    notes: dict[str, Note] = {}
    called: set[ET.Element] = set()  # the anchors calls lead to
    for link in body.iter("a"):
        href = link.get("href", "").strip()
        name = unquote(href[1:]) if href.startswith("#") else ""
        target = targets.get(name) if name else None
        call = call_of(link, parents) if target is not None else None
        if target is None or call is None:
            continue
        called.add(target)
        if name not in notes:
            block = note_block(target, parents)
            if block is None:
                continue
            notes[name] = Note(name, block, target)
        notes[name].calls.append(call)
    accepted = plain_notes(notes, called, parents, order)
    if not accepted:
        return []
    call_ids = {i for note in accepted for c in note.calls for e in (c.element, *c.element.iter())
                if (i := e.get("id") or e.get("name"))}
    take_paragraphs_between(accepted, parents)
    result = []
    for note in accepted:
        result.append((definition(note, context), note_html(note, call_ids)))
        for call in note.calls:
            replace_call(call, note.name)
    for note in accepted:
        for element in (note.block, *note.extra):
            remove_emptied(element, parents)
    drop_empty_sections(body)
    guessed = [note for note in accepted if note.guesses]
    if guessed:
        first = guessed[0]
        many = len(guessed) > 1
        context.warning("M109", f"{len(guessed)} footnote{'s' if many else ''} written in HTML "
                        f"{'were' if many else 'was'} read as notes by a guess "
                        f"({'; '.join(n.guesses[0] for n in guessed[:3])})",
                        f"#{first.name}", "check these notes in the book; Markdown notes "
                        "([^1] and [^1]: text) say what they are")
    return result


def anchors(body: ET.Element) -> dict[str, ET.Element | None]:
    """Every id and `<a name>` in the body; None for one written twice."""
    found: dict[str, ET.Element | None] = {}
    for element in body.iter():
        for name in {element.get("id"), element.get("name") if element.tag == "a" else None}:
            if name:
                found[name] = None if name in found else element
    return found


def call_of(link: ET.Element, parents: dict[ET.Element, ET.Element]) -> Call | None:
    """The call a link is, when it is one: a number (or mark) in superscript."""
    text = "".join(link.itertext())
    if not CALL_TEXT.match(text):
        return None
    if link.find(".//sup") is not None:
        return Call(link, link, text.strip())
    parent = parents.get(link)
    if parent is not None and parent.tag == "sup" and \
            "".join(parent.itertext()).strip() == text.strip():
        return Call(parent, link, text.strip())
    return None


def note_block(target: ET.Element, parents: dict[ET.Element, ET.Element]) -> ET.Element | None:
    """The block a note's anchor starts: the anchor itself when it is a list item or a
    paragraph, else the block it opens (nothing but a number before it)."""
    if target.tag in NOTE_BLOCKS:
        return target
    block = parents.get(target)
    while block is not None and block.tag not in NOTE_BLOCKS and block.tag not in HEADINGS:
        block = parents.get(block)
    if block is None or block.tag not in NOTE_BLOCKS or block not in parents:
        return None
    before = text_before(block, target)
    return block if not before.strip() or LEADING_LABEL.fullmatch(before) else None


def text_before(block: ET.Element, target: ET.Element) -> str:
    """The block's text before `target`."""
    pieces: list[str] = []

    def walk(element: ET.Element) -> bool:
        if element is target:
            return True
        pieces.append(element.text or "")
        for child in element:
            if walk(child):
                return True
            pieces.append(child.tail or "")
        return False

    walk(block)
    return "".join(pieces)


def plain_notes(notes: dict[str, Note], called: set[ET.Element],
                parents: dict[ET.Element, ET.Element], order: dict[ET.Element, int]) -> list[Note]:
    """The notes read without doubt about where they are: each block after its calls,
    holding no call and no other note's anchor, inside no other note. In the order of the
    text."""
    calls = {c.element for note in notes.values() for c in note.calls}
    blocks = Counter(note.block for note in notes.values())
    accepted = []
    for note in notes.values():
        inside = list(note.block.iter())
        ancestors = []
        parent = parents.get(note.block)
        while parent is not None:
            ancestors.append(parent)
            parent = parents.get(parent)
        if blocks[note.block] > 1 or any(e in calls for e in inside) or \
                any(e in blocks and e is not note.block for e in inside) or \
                any(e in called and e is not note.anchor for e in inside) or \
                any(a in blocks for a in ancestors) or \
                any(a in calls for a in ancestors) or \
                order[note.block] < max(order[c.element] for c in note.calls):
            continue
        accepted.append(note)
    return sorted(accepted, key=lambda n: order[n.block])


def take_paragraphs_between(notes: list[Note], parents: dict[ET.Element, ET.Element]) -> None:
    """Paragraphs between two notes (siblings in one container) continue the first."""
    for note, following in pairwise(notes):
        parent = parents.get(note.block)
        if parent is None or parents.get(following.block) is not parent or \
                note.block.tag != "p":
            continue
        siblings = list(parent)
        between = siblings[siblings.index(note.block) + 1:siblings.index(following.block)]
        if between and all(e.tag in ("p", "ul", "ol", "blockquote", "pre") for e in between):
            note.extra = between
            note.guesses.append(f"the paragraph after #{note.name} taken as part of it")


def definition(note: Note, context: EssayContext) -> NoteDefinition:
    body = context.source.body
    index = max(body.find(f'name="{note.name}"'), body.find(f'id="{note.name}"'))
    line = body.count("\n", 0, index) if index >= 0 else 0
    return NoteDefinition(f"#{note.name}", "", line, line + 1)


def note_html(note: Note, call_ids: set[str]) -> str:
    """The note's content without its anchor, its own number and its links back."""
    holder = ET.Element("div")
    if note.block.tag == "p":
        holder.append(note.block)
    else:
        paragraph = ET.SubElement(holder, "p")
        paragraph.text = note.block.text
        for child in list(note.block):
            paragraph.append(child)
    for extra in note.extra:
        holder.append(extra)
    for element in list(holder.iter()):
        element.attrib.pop("id", None)
        if element.tag == "a" and "name" in element.attrib:
            element.attrib.pop("name")
    label = remove_anchor(holder, note.anchor) or strip_label(holder)
    called = {c.text.strip("[]() ") for c in note.calls}
    if label and label not in called:
        note.guesses.append(f"#{note.name} is numbered {label} but called {'/'.join(called)}")
    remove_back_links(holder, call_ids)
    paragraphs_hold_blocks(holder)
    note.block.tail = None
    for extra in note.extra:
        extra.tail = None
    return serialize_children(holder)


def remove_anchor(holder: ET.Element, anchor: ET.Element) -> str:
    """The note's anchor goes: an empty `<a name>` entirely, its number with it when it
    holds one (`<a name="1">1</a>.`), which is returned; a list item's or paragraph's id is
    already gone."""
    parents = {child: parent for parent in holder.iter() for child in parent}
    if anchor.tag in NOTE_BLOCKS or anchor not in parents or anchor.get("href"):
        return ""
    text = "".join(anchor.itertext())
    if text.strip() and not LEADING_LABEL.fullmatch(text):
        unwrap(parents[anchor], anchor)
        return ""
    parent = parents[anchor]
    index = list(parent).index(anchor)
    remove(parent, anchor)
    if not text.strip():
        return ""
    if index > 0:  # the punctuation after the number goes with it
        parent[index - 1].tail = re.sub(r"^[.:)\]]?\s*", "", parent[index - 1].tail or "")
    else:
        parent.text = re.sub(r"^\s*[.:)\]]?\s*", "", parent.text or "")
    return LEADING_LABEL.match(text).group(1)  # type: ignore[union-attr]


def strip_label(holder: ET.Element) -> str:
    """Remove the number the note starts with (text or a `<sup>`); return it."""
    first = holder[0] if len(holder) else holder
    if (first.text or "").strip() == "" and len(first) and first[0].tag == "sup" and \
            LEADING_LABEL.fullmatch("".join(first[0].itertext())):
        label = "".join(first[0].itertext()).strip()
        remove(first, first[0])
        first.text = (first.text or "").lstrip(" .:)")
        return label.strip("[]() ")
    found = LEADING_LABEL.match(first.text or "")
    if found and (found.group(0).strip() != (first.text or "").strip() or len(first)):
        first.text = (first.text or "")[found.end():]
        return found.group(1)
    return ""


def remove_back_links(holder: ET.Element, call_ids: set[str]) -> None:
    """Links back to the calls (to their ids, or marked ↩): the book's notes have their own."""
    parents = {child: parent for parent in holder.iter() for child in parent}
    for link in list(holder.iter("a")):
        href = link.get("href", "").strip()
        target = unquote(href[1:]) if href.startswith("#") else None
        if target is not None and (target in call_ids or
                                   BACK_TEXT.match("".join(link.itertext()))):
            remove(parents[link], link)
    trim_end(holder)


def trim_end(element: ET.Element) -> None:
    """No white space at the end of the note (where a back-link was)."""
    if len(element) == 0:
        element.text = (element.text or "").rstrip() or None
        return
    last = element[-1]
    last.tail = (last.tail or "").rstrip() or None
    if last.tail is None and last.tag in ("p", "li", "div"):
        trim_end(last)


def paragraphs_hold_blocks(holder: ET.Element) -> None:
    """A list item's blocks (`<li><p>…</p></li>`) stand on their own, not in a paragraph."""
    paragraph = holder[0] if len(holder) else None
    if paragraph is None or paragraph.tag != "p":
        return
    if any(child.tag in NOTE_BLOCKS | {"ul", "ol", "pre", "blockquote", "table"}
           for child in paragraph):
        index = list(holder).index(paragraph)
        unwrap(holder, paragraph)
        if (holder.text or "").strip() == "" and index == 0:
            holder.text = None


def replace_call(call: Call, name: str) -> None:
    """The call becomes a note call of the essay (numbered with its Markdown notes)."""
    element = call.element
    tail = element.tail
    element.clear()
    element.tag, element.tail = "sup", tail
    element.set("class", CALL_CLASS)
    element.set("data-label", f"#{name}")


def remove_emptied(element: ET.Element, parents: dict[ET.Element, ET.Element]) -> None:
    """Take a note's block out of the text, and the list or container it leaves empty."""
    parent = parents.get(element)
    if parent is None or element not in list(parent):
        return
    remove(parent, element)
    while parent is not None and parent in parents and len(parent) == 0 and \
            not (parent.text or "").strip() and parent.tag in ("ol", "ul", "div", "section",
                                                              "aside", "dl"):
        grandparent = parents[parent]
        remove(grandparent, parent)
        parent = grandparent


def drop_empty_sections(body: ET.Element) -> None:
    """A heading (and a rule) the notes were under, now over nothing, goes; so does the
    white space the notes leave at the end."""
    while len(body) and (body[-1].tag in HEADINGS or body[-1].tag == "hr") and \
            not (body[-1].tail or "").strip():
        body.remove(body[-1])
    if len(body):
        body[-1].tail = (body[-1].tail or "").rstrip() or None
