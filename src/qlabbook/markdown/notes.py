"""Footnotes: numbered by first call, checked against their definitions, converted."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Markdown

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.notes import CALL_CLASS, NoteDefinition
from qlabbook.markdown.links import resolve_links
from qlabbook.markdown.sanitize import sanitize, within_depth
from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.source.model import Footnote

MAX_NOTES = 999  # notes in one essay; more is a runaway paste, not an essay


def number_footnotes(body: ET.Element, definitions: list[NoteDefinition], md: Markdown,
                     context: EssayContext) -> tuple[Footnote, ...]:
    """Number notes 1..N by first call; check calls against definitions."""
    defined: dict[str, NoteDefinition] = {}
    for definition in definitions:
        if definition.label in defined:
            context.diagnostics.error(
                "M103", f"footnote [^{definition.label}] is defined twice", context.source.path,
                context.source.body_line + definition.line, "remove or relabel one definition")
        else:
            defined[definition.label] = definition
    numbers: dict[str, int] = {}
    calls: dict[str, int] = {}
    for call in [e for e in body.iter("sup") if e.get("class") == CALL_CLASS]:
        label = call.get("data-label", "")
        if label not in defined:
            context.error("M101", f"footnote [^{label}] is referenced but never defined",
                          f"[^{label}]", f"add a line '[^{label}]: the note's text'")
            continue
        if label not in numbers and len(numbers) == MAX_NOTES:
            context.error("M106", f"more than {MAX_NOTES} footnotes in one essay",
                          f"[^{label}]", "split the essay or fold notes together")
            return ()
        numbers.setdefault(label, len(numbers) + 1)
        calls[label] = calls.get(label, 0) + 1
        call.tag = "qlab-note"
        call.attrib.clear()
        call.set("n", str(numbers[label]))
        call.set("call", str(calls[label]))
    for label in defined:
        if label not in numbers:
            context.warning("M102", f"footnote [^{label}] is defined but never referenced",
                            f"[^{label}]:", "call it with [^" + label + "] or remove it")
    footnotes = []
    for label, number in numbers.items():
        html = convert_note(defined[label], md, context)
        footnotes.append(Footnote(number, label, html, calls[label]))
    return tuple(footnotes)


def convert_note(definition: NoteDefinition, md: Markdown, context: EssayContext) -> str:
    md.reset()
    note = parse_fragment(md.convert(definition.text))
    if not within_depth(note, context):
        note = ET.Element("div")
    sanitize(note, context.warning)
    if any(e.get("class") == CALL_CLASS for e in note.iter("sup")):
        context.error("M104", f"footnote [^{definition.label}] calls another footnote",
                      f"[^{definition.label}]:", "notes cannot have notes; merge the text")
    resolve_links(note, context)
    for image in note.iter("img"):
        context.error("I102", "footnotes cannot hold images", f"[^{definition.label}]:")
        image.attrib.pop("src", None)
    return serialize_children(note)
