"""Footnotes: numbered by first call, checked against their definitions, finished.

Author slips that pandoc forgives are warnings: a call without a definition is printed as
written, a note called inside a note is printed there in parentheses.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

from qlabbook.markdown.backindex import MARK_ID, index_marks, take_index_marks
from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.notes import CALL_CLASS, DEFINITION, NoteDefinition
from qlabbook.markdown.figures import resolve_images
from qlabbook.markdown.links import resolve_links
from qlabbook.markdown.markup import NOTE_CALL_TAG
from qlabbook.markdown.sanitize import sanitize, within_depth
from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.source import ids
from qlabbook.source.model import Footnote, IndexMark

MAX_NOTES = 999  # notes in one essay; more is a runaway paste, not an essay


def is_call(element: ET.Element) -> bool:
    return element.tag == "sup" and element.get("class") == CALL_CLASS


def is_inline_call(element: ET.Element) -> bool:
    """An inline note's call (`^[text]`), which holds the note's text until it is numbered."""
    return is_call(element) and bool(element.get("data-inline"))


def note_regions(body: str, definitions: list[NoteDefinition]) -> list[tuple[int, int]]:
    """Each definition's character range in the body (its first line found again if the
    preprocessors before it moved lines)."""
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    regions = []
    for definition in definitions:
        first, end = definition.line, max(definition.end, definition.line + 1)
        match = DEFINITION.match(body[starts[first]:starts[first + 1]]) \
            if first + 1 < len(starts) else None
        if match is None or match.group(1) != definition.label:
            found = re.search(r"^ {0,3}\[\^" + re.escape(definition.label) + r"\]:",
                              body, re.MULTILINE)
            index = found.start() if found else 0
            regions.append((index, index + 1))
            continue
        # From the text after `[^label]:`, so the label is not taken for a call.
        regions.append((starts[first] + match.start(2), starts[min(end, len(starts) - 1)]))
    return regions


def outside(regions: list[tuple[int, int]], length: int) -> tuple[tuple[int, int], ...]:
    """The body's ranges that are not in `regions`."""
    result, start = [], 0
    for begin, end in sorted(regions):
        if begin > start:
            result.append((start, begin))
        start = max(start, end)
    return (*result, (start, length))


def lift_calls_out_of_links(tree: ET.Element) -> None:
    """`[see this[^1]](url)`: the call goes just after the link, so links never nest."""
    parents = {child: parent for parent in tree.iter() for child in parent}
    for link in [e for e in tree.iter("a")]:
        calls = [e for e in link.iter() if is_call(e)]
        if not calls or link not in parents:
            continue
        parent = parents[link]
        position = list(parent).index(link) + 1
        for call in calls:
            holder = parents[call]
            index = list(holder).index(call)
            tail, call.tail = call.tail, None
            if tail:
                if index > 0:
                    holder[index - 1].tail = (holder[index - 1].tail or "") + tail
                else:
                    holder.text = (holder.text or "") + tail
            holder.remove(call)
        calls[-1].tail, link.tail = link.tail, None
        for offset, call in enumerate(calls):
            parent.insert(position + offset, call)


def as_text(parents: dict[ET.Element, ET.Element], element: ET.Element, text: str) -> None:
    """Replace an element by plain text (`parents` maps each element to its parent)."""
    parent = parents.get(element)
    if parent is None:
        return
    text = re.sub(r"\\(.)", r"\1", text)  # escapes as printed, not as written
    index = list(parent).index(element)
    text += element.tail or ""
    if index > 0:
        parent[index - 1].tail = (parent[index - 1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def parent_map(tree: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in tree.iter() for child in parent}


def inline_copy(tree: ET.Element) -> list[ET.Element | str]:
    """A note's content as phrasing: paragraphs run on, other blocks give their text."""
    parts: list[ET.Element | str] = [tree.text or ""]
    for child in tree:
        if child.tag == "p":
            paragraph = copy.deepcopy(child)
            parts.append(paragraph.text or "")
            parts.extend(list(paragraph))
        else:
            parts.append(" ".join("".join(child.itertext()).split()))
        parts.append(" ")
    return parts


def put_inline(call: ET.Element, tree: ET.Element) -> None:
    """Print a nested note's text in parentheses where it was called."""
    tail = call.tail
    call.clear()
    call.tag, call.tail = "span", tail
    call.text = "("
    last: ET.Element | None = None
    for part in inline_copy(tree):
        if isinstance(part, str):
            if last is None:
                call.text += part
            else:
                last.tail = (last.tail or "") + part
        else:
            call.append(part)
            last = part
    if last is None:
        call.text = call.text.rstrip() + ")"
    else:
        last.tail = (last.tail or "").rstrip() + ")"
    parents = parent_map(call)
    for inner in [e for e in call.iter() if is_call(e)]:
        as_text(parents, inner, f"[^{inner.get('data-label', '')}]")


def number_footnotes(body: ET.Element, definitions: list[NoteDefinition],
                     htmls: dict[int, str], nested_inline: list[str],
                     context: EssayContext) -> tuple[tuple[Footnote, ...], tuple[IndexMark, ...]]:
    """Number notes 1..N by first call; check calls against definitions. The notes, and the
    index marks in them."""
    defined = defined_notes(definitions, htmls, context)
    for text in nested_inline:
        context.warning("M104", "an inline note holds another note", "^[" + text[:20],
                        "notes cannot have notes: its text is printed in parentheses")
    used: set[str] = set()
    for label, (_, note_context, tree) in defined.items():
        used |= resolve_nested_calls(label, tree, defined, note_context)
    lift_calls_out_of_links(body)
    numbers: dict[str, int] = {}
    calls: dict[str, int] = {}
    inline_notes: dict[str, ET.Element] = {}
    parents = parent_map(body)
    for call in [e for e in body.iter() if is_call(e)]:
        label = call.get("data-label", "")
        if call.get("data-inline"):
            inline_notes[label] = inline_note(call)
            resolve_nested_calls(label, inline_notes[label], defined, context)
        elif label not in defined:
            context.warning(
                "M101", f"footnote [^{label}] is referenced but never defined",
                f"[^{label}]", f"add a line '[^{label}]: the note's text'")
            as_text(parents, call, f"[^{label}]")
            continue
        if label not in numbers and len(numbers) == MAX_NOTES:
            context.error("M106", f"more than {MAX_NOTES} footnotes in one essay",
                          f"[^{label}]", "split the essay or fold notes together")
            return (), ()
        numbers.setdefault(label, len(numbers) + 1)
        calls[label] = calls.get(label, 0) + 1
        tail = call.tail
        call.clear()
        call.tag, call.tail = NOTE_CALL_TAG, tail
        call.set("n", str(numbers[label]))
        call.set("call", str(calls[label]))
    for label, (_, note_context, _) in defined.items():
        if label not in numbers and label not in used:
            context.diagnostics.warning(
                "M102", f"footnote [^{label}] is defined but never referenced",
                context.source.path, note_context.line_at(note_context.regions[0][0]),
                "call it with [^" + label + "] or remove it")
    footnotes, marks = [], list[IndexMark]()
    for label, number in numbers.items():
        if label in inline_notes:
            html, found = finish_note(label, inline_notes[label], context, number, checked=True)
        else:
            _, note_context, tree = defined[label]
            html, found = finish_note(label, tree, note_context, number)
        footnotes.append(Footnote(number, label, html, calls[label]))
        marks += found
    return tuple(footnotes), tuple(marks)


# A note's label -> its definition, the context of its lines, and its text parsed.
DefinedNotes = dict[str, tuple[NoteDefinition, EssayContext, ET.Element]]


def defined_notes(definitions: list[NoteDefinition], htmls: dict[int, str],
                  context: EssayContext) -> DefinedNotes:
    """Each label's first definition; a second one is an error."""
    regions = note_regions(context.source.body, definitions)
    defined: DefinedNotes = {}
    for index, definition in enumerate(definitions):
        if definition.label in defined:
            context.diagnostics.error(
                "M103", f"footnote [^{definition.label}] is defined twice", context.source.path,
                context.line_at(regions[index][0]), "remove or relabel one definition")
            continue
        note_context = context.within((regions[index],))
        defined[definition.label] = (definition, note_context,
                                     parse_fragment(htmls.get(index, "")))
    return defined


def inline_note(call: ET.Element) -> ET.Element:
    """An inline note's text, moved out of its call into a note of one paragraph."""
    holder = ET.Element("p")
    holder.text, call.text = call.text, None
    holder.extend(list(call))
    for child in list(call):
        call.remove(child)
    note = ET.Element("div")
    note.append(holder)
    return note


def resolve_nested_calls(label: str, tree: ET.Element,
                         defined: DefinedNotes,
                         context: EssayContext) -> set[str]:
    """A note called inside a note is printed there, in parentheses; a note calling itself
    or an undefined note keeps the call as written. Returns the labels printed so."""
    used = set()
    parents = parent_map(tree)
    name = f"footnote [^{label}]" if not label.startswith("^") else "an inline note"
    for call in [e for e in tree.iter() if is_call(e)]:
        inner = call.get("data-label", "")
        needle = f"[^{inner}]" if not call.get("data-inline") else "^["
        hint = "notes cannot have notes: its text is printed in parentheses"
        if call.get("data-inline"):
            context.warning("M104", f"{name} calls another footnote", needle, hint)
            note = ET.Element("div")
            paragraph = ET.SubElement(note, "p")
            paragraph.text, call.text = call.text, None
            paragraph.extend(list(call))
            put_inline(call, note)
        elif inner == label:
            context.warning("M104", f"{name} calls itself", needle,
                            "remove the call: it is printed as written")
            as_text(parents, call, needle)
        elif inner not in defined:
            context.warning("M101", f"footnote [^{inner}] is referenced but never defined",
                            needle, f"add a line '[^{inner}]: the note's text'")
            as_text(parents, call, needle)
        else:
            context.warning("M104", f"{name} calls another footnote", needle, hint)
            put_inline(call, defined[inner][2])
            used.add(inner)
    return used


def finish_note(label: str, note: ET.Element, context: EssayContext, number: int,
                checked: bool = False) -> tuple[str, tuple[IndexMark, ...]]:
    """Check a note's content as the body's is checked (an inline note's was, with the
    body); its XHTML and its index marks, whose ids are the note's (`e3-fn4-ix1`)."""
    if not checked:
        if not within_depth(note, context):
            note = ET.Element("div")
        sanitize(note, context.warning)
        resolve_links(note, context)
    for element in note.iter():
        element.attrib.pop("id", None)  # ids (headings', anchors') belong to the body
    marks = take_index_marks(note, ids.note_id(context.anchor, number) + "-" + MARK_ID)
    if not checked:  # an inline note's images were checked with the body's
        resolve_images(note, context)
    for figure in note.iter("figure"):
        figure.attrib.pop("id", None)  # figure ids (and the credits page) are the body's
    return serialize_children(note), index_marks(marks, note)


def note_images(footnotes: tuple[Footnote, ...]) -> list[str]:
    """The collection paths of the images the notes show, in note order: each edition
    carries them as it carries the body's."""
    return [image.get("src", "") for note in footnotes
            for image in parse_fragment(note.html).iter("img") if image.get("src")]
