"""Convert stage: each essay's Markdown to an XHTML fragment with numbered notes and figures."""

from __future__ import annotations

import posixpath
import re
import signal
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown import Markdown
from tinyhtml5.parser import HTMLParser

from qlabbook.errors import Diagnostics
from qlabbook.mdext import FigureExtension, NoteDefinition, NotesExtension
from qlabbook.mdext.notes import CALL_CLASS
from qlabbook.model import (
    Collection,
    Essay,
    EssaySource,
    Figure,
    Footnote,
    Heading,
    Metadata,
    Options,
)
from qlabbook.sanitize import MAX_DEPTH, depth, sanitize
from qlabbook.text import slugify

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SELF_CLOSED = re.compile(r"<([a-zA-Z][\w-]*)([^<>]*?)\s*/>")
WORD = re.compile(r"\w+(?:['’-]\w+)*")
# The neutral note call the renderers replace: <qlab-note n="3" call="1"></qlab-note>
NOTE_CALL = re.compile(r'<qlab-note n="(\d+)" call="(\d+)"></qlab-note>')
QUOTE_MARKERS, OPEN_TAG, CLOSE_TAG = re.compile(r"[>\s]*"), re.compile("<[A-Za-z]"), \
    re.compile("</[A-Za-z]")
RESERVED_ID = re.compile(r"^fn(ref)?\d+(-\d+)?$")
MAX_NOTES = 999  # notes in one essay; more is a runaway paste, not an essay
# Converting an essay may take this long, plus a second for every 10 KB of its text. Python-
# Markdown is quadratic on some odd inputs (thousands of unclosed brackets); this bounds them.
CONVERT_SECONDS, CONVERT_SECONDS_PER_10KB = 5.0, 1.0


class ConversionTimeoutError(Exception):
    """An essay took longer than its time budget to convert."""


def make_markdown() -> tuple[Markdown, NotesExtension]:
    notes = NotesExtension()
    md = Markdown(
        extensions=["attr_list", "tables", "sane_lists", "smarty", "def_list", "abbr",
                    "fenced_code", notes, FigureExtension()],
        extension_configs={"smarty": {"smart_angled_quotes": False}},
        output_format="xhtml",
    )
    return md, notes


@dataclass
class EssayContext:
    """What converting one essay needs to know about the collection around it."""

    root: Path
    source: EssaySource
    anchor: str
    essay_anchors: dict[str, str]  # collection-relative essay path -> its anchor
    diagnostics: Diagnostics
    links: list[tuple[str, str, int | None]] = field(default_factory=list)  # target, text, line

    def error(self, code: str, message: str, needle: str | None = None,
              hint: str | None = None) -> None:
        self.diagnostics.error(code, message, self.source.path, self.line(needle), hint)

    def warning(self, code: str, message: str, needle: str | None = None,
                hint: str | None = None) -> None:
        self.diagnostics.warning(code, message, self.source.path, self.line(needle), hint)

    def line(self, needle: str | None) -> int | None:
        if not needle:
            return None
        line = self.source.line_of(needle)
        if line is None:  # raw HTML keeps its own case; try without it
            index = self.source.body.lower().find(needle.lower())
            line = self.source.line_of(self.source.body[index:index + len(needle)]) \
                if index >= 0 else None
        if line is None and needle.startswith("("):
            # Reference-style links and raw HTML name the target without a parenthesis.
            line = self.source.line_of(needle[1:])
        if line is None:
            # Escapes and character references change the text: try its longest plain word,
            # then fall back on the body's first line rather than no location at all.
            words = sorted(re.findall(r"[A-Za-z0-9_.-]{3,}", needle), key=len, reverse=True)
            line = self.source.line_of(words[0]) if words else None
        return line if line is not None else self.source.body_line

    def line_of_occurrence(self, needle: str, occurrence: int) -> int | None:
        """The line of the `occurrence`-th (from 0) `needle`, or of the first if there are fewer."""
        index = -1
        for _ in range(occurrence + 1):
            index = self.source.body.find(needle, index + 1)
            if index < 0:
                return self.line(needle)
        return self.source.line_of(needle, index)


def convert_collection(root: Path, metadata: Metadata, options: Options,
                       sources: list[EssaySource], diagnostics: Diagnostics) -> Collection:
    """Convert every essay (in series order), then check links across them; raise once
    with every error found."""
    collection = convert_essays(root, metadata, options, sources, diagnostics)
    diagnostics.raise_if_errors()
    return collection


def convert_essays(root: Path, metadata: Metadata, options: Options,
                   sources: list[EssaySource], diagnostics: Diagnostics) -> Collection:
    """Convert every essay and check links, recording problems without raising."""
    md, notes = make_markdown()
    essay_anchors = {s.path.as_posix(): f"e{s.number}" for s in sources}
    contexts, essays = [], []
    for source in sources:
        context = EssayContext(root, source, f"e{source.number}", essay_anchors, diagnostics)
        essays.append(convert_essay(md, notes, context))
        contexts.append(context)
    check_links(essays, contexts)
    return Collection(root=root, metadata=metadata, options=options, essays=tuple(essays))


def convert_essay(md: Markdown, notes: NotesExtension, context: EssayContext) -> Essay:
    budget = CONVERT_SECONDS + CONVERT_SECONDS_PER_10KB * len(context.source.body) / 10_000
    try:
        with time_limit(budget):
            return convert_body(md, notes, context)
    except ConversionTimeoutError:
        context.diagnostics.error(
            "M107", f"the essay took longer than {budget:.0f} s to convert",
            context.source.path, context.source.body_line,
            "look for a long run of unclosed brackets, '<' or '*' pasted by mistake")
    except RecursionError:
        context.error("M105", f"the essay is nested too deeply (limit {MAX_DEPTH} levels)",
                      first_deep_line(context.source.body),
                      "flatten deeply nested lists, quotations or HTML elements")
    return Essay(source=context.source, anchor=context.anchor, body_html="", footnotes=(),
                 figures=(), headings=(), words=0)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ConversionTimeoutError in the block after `seconds` (main thread on POSIX only;
    elsewhere the block runs unbounded)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ConversionTimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def convert_body(md: Markdown, notes: NotesExtension, context: EssayContext) -> Essay:
    md.reset()
    body = parse_fragment(md.convert(context.source.body))
    definitions = list(notes.definitions)
    if not within_depth(body, context):
        body = ET.Element("div")
    sanitize(body, context.warning)
    headings = assign_heading_ids(body, context.anchor)
    resolve_links(body, context)
    figures = resolve_images(body, context)
    footnotes = number_footnotes(body, definitions, md, context)
    text = " ".join(body.itertext())
    return Essay(
        source=context.source, anchor=context.anchor, body_html=serialize_children(body),
        footnotes=footnotes, figures=tuple(figures), headings=tuple(headings),
        words=len(WORD.findall(text)),
    )


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
        if max(quotes, indent, open_tags) > MAX_DEPTH // 2:
            return line
    return None


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


def assign_heading_ids(body: ET.Element, anchor: str) -> list[Heading]:
    """Give headings stable, essay-prefixed ids; body headings start at level 2."""
    heading_elements = [h for h in body.iter() if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    if not heading_elements:
        return []
    shift = max(0, 2 - min(int(h.tag[1]) for h in heading_elements))
    # Ids the templates give the essay's title, notes section and note calls.
    seen: set[str] = {"title", "notes"}
    headings = []
    for element in heading_elements:
        level = min(6, int(element.tag[1]) + shift)
        element.tag = f"h{level}"
        text = " ".join("".join(element.itertext()).split())
        base = element.get("id") or slugify(text) or "section"
        slug, counter = base, 2
        if RESERVED_ID.match(base):
            base = slug = f"section-{base}"
        while slug in seen:
            slug, counter = f"{base}-{counter}", counter + 1
        seen.add(slug)
        element.set("id", f"{anchor}-{slug}")
        headings.append(Heading(level, text, f"{anchor}-{slug}"))
    return headings


def resolve_links(body: ET.Element, context: EssayContext) -> None:
    """Links to essays become in-book anchors (#e2-heading); other local files are refused."""
    occurrences: dict[str, int] = {}  # the same link written twice is reported at each line
    for link in body.iter("a"):
        href = link.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href:
            continue
        text = "".join(link.itertext())
        if not parts.path:  # a fragment in this essay
            target = f"{context.anchor}-{parts.fragment}" if parts.fragment else context.anchor
        else:
            path = posixpath.normpath(posixpath.join(
                context.source.path.parent.as_posix(), unquote(parts.path)))
            essay = context.essay_anchors.get(path)
            if essay is None:
                context.error("M201", f"link to {parts.path!r}, which is not an essay of this "
                              "collection", f"({href}",
                              "link to an essays/*.md file by its file name")
                continue
            target = f"{essay}-{parts.fragment}" if parts.fragment else essay
        link.set("href", f"#{target}")
        needle = f"({href}"
        line = context.line_of_occurrence(needle, occurrences.get(needle, 0))
        occurrences[needle] = occurrences.get(needle, 0) + 1
        context.links.append((target, text, line))


def check_links(essays: list[Essay], contexts: list[EssayContext]) -> None:
    anchors = {e.anchor for e in essays} | {h.anchor for e in essays for h in e.headings}
    for context in contexts:
        for target, text, line in context.links:
            if target not in anchors:
                essay, _, fragment = target.partition("-")
                context.diagnostics.error(
                    "M202", f"link {text!r} points to #{fragment}, which is not a heading of "
                    f"essay {essay[1:]}", context.source.path, line,
                    "headings get ids from their text: '## Next steps' is #next-steps")


def resolve_images(body: ET.Element, context: EssayContext) -> list[Figure]:
    """Check every image and point it at its collection-relative path."""
    from qlabbook.images import check_image

    figures = []
    for figure_or_image in list(body.iter()):
        if figure_or_image.tag != "img":
            continue
        image = figure_or_image
        src = image.get("src", "")
        needle = f"({src}"
        alt = image.get("alt", "").strip()
        if not alt:
            context.error("I103", f"image {src!r} has no alt text", needle,
                          "describe the picture for readers who cannot see it: "
                          "![a description](...)")
        relative = resolve_inside(context.root, context.source.path, src)
        if relative is None:
            context.error("I102", f"image {src!r} is not a file inside the collection", needle,
                          "put images in the collection's images/ folder")
            continue
        if not (context.root / relative).is_file():
            context.error("I101", f"image {src!r} does not exist", needle,
                          f"expected at {relative}")
            continue
        checked = check_image(context.root / relative)
        if checked.code:
            context.error(checked.code, f"image {src!r} {checked.problem}", needle)
            continue
        size = (checked.width, checked.height)
        image.set("src", relative)
        figures.append((image, relative, alt, size))
    result: list[Figure] = []
    for parent in body.iter("figure"):
        if parent.get("class") != "figure":
            continue
        for image, relative, alt, size in figures:
            if parent[0] is image:
                caption = parent.find("figcaption/span[@class='caption']")
                # An id lets the picture-credits page give the page each figure is on.
                figure_id = f"{context.anchor}-fig{len(result) + 1}"
                parent.set("id", figure_id)
                result.append(Figure(
                    src=relative, alt=alt,
                    caption=caption.text or "" if caption is not None else "",
                    credit=parent.get("data-credit", ""), width=size[0], height=size[1],
                    licence=parent.get("data-licence", ""), source=parent.get("data-source", ""),
                    anchor=figure_id))
    return result


def resolve_inside(root: Path, essay_path: Path, src: str) -> str | None:
    """The collection-relative path of `src`, or None when it leaves the collection."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = (root / essay_path.parent / unquote(parts.path)).resolve()
    try:
        return target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


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
