"""Each essay's Markdown through Python-Markdown, then notes, figures and links resolved."""

from __future__ import annotations

import re
import signal
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from markdown import Markdown

from qlabbook.markdown.backindex import index_marks, take_index_marks
from qlabbook.markdown.citations import add_references, report_uncited, resolve_citations
from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.crossref import label_targets, link_crossrefs, resolve_crossrefs
from qlabbook.markdown.extensions.blocks import FigureExtension
from qlabbook.markdown.extensions.citations import CitationExtension
from qlabbook.markdown.extensions.code import CodeExtension
from qlabbook.markdown.extensions.commonmark import CommonMarkBlocksExtension, unclosed_fences
from qlabbook.markdown.extensions.formulas import FormulaExtension
from qlabbook.markdown.extensions.notes import NotesExtension
from qlabbook.markdown.extensions.pandoc import PandocExtension
from qlabbook.markdown.extensions.quarto import QuartoExtension
from qlabbook.markdown.extensions.rawtex import RawTexExtension
from qlabbook.markdown.extensions.spans import SpanExtension
from qlabbook.markdown.extensions.templates import TemplateExtension
from qlabbook.markdown.figures import resolve_images, undescribed_images
from qlabbook.markdown.htmlnotes import read_html_notes
from qlabbook.markdown.links import (
    assign_anchor_ids,
    assign_heading_ids,
    check_links,
    resolve_links,
)
from qlabbook.markdown.markup import shared_body
from qlabbook.markdown.notes import (
    is_inline_call,
    note_images,
    note_regions,
    number_footnotes,
    outside,
)
from qlabbook.markdown.remembered import RecordStore, converted
from qlabbook.markdown.sanitize import MAX_DEPTH, first_deep_line, sanitize, within_depth
from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.references.bibliography import load_bibliography
from qlabbook.source import ids
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection, Essay, EssaySource, Metadata, Options
from qlabbook.source.templating import site_configuration, template_values, uses_templates

WORD = re.compile(r"\w+(?:['’-]\w+)*")
# Converting an essay may take this long, plus a second for every 10 KB of its text. Python-
# Markdown is quadratic on some odd inputs (thousands of unclosed brackets); this bounds them.
CONVERT_SECONDS, CONVERT_SECONDS_PER_10KB = 5.0, 1.0


class ConversionTimeoutError(Exception):
    """An essay took longer than its time budget to convert."""


def make_markdown() -> tuple[Markdown, NotesExtension]:
    notes = NotesExtension()
    md = Markdown(
        extensions=["attr_list", "tables", "sane_lists", "smarty", "def_list", "abbr",
                    notes, FigureExtension(), FormulaExtension(), CitationExtension(),
                    CodeExtension(),  # code blocks: line spans, Pygments classes
                    # pandoc's extensions (after tables and def_list, which they extend).
                    PandocExtension(), SpanExtension(),
                    QuartoExtension(),  # callouts, margin notes, code chunks, #refs
                    RawTexExtension(),  # pandoc's raw TeX, as code
                    # Lists, quotations and fenced code as CommonMark reads them; after
                    # sane_lists and def_list, whose processors it replaces or narrows.
                    CommonMarkBlocksExtension(),
                    TemplateExtension()],  # Liquid and shortcodes, before all of them
        extension_configs={"smarty": {"smart_angled_quotes": False}},
        output_format="xhtml",
    )
    return md, notes


def convert_collection(root: Path, metadata: Metadata, options: Options,
                       sources: list[EssaySource], diagnostics: Diagnostics,
                       store: RecordStore | None = None) -> Collection:
    """Convert every essay (in series order), then check links across them; raise once
    with every error found."""
    collection = convert_essays(root, metadata, options, sources, diagnostics, store)
    diagnostics.raise_if_errors()
    return collection


def convert_essays(root: Path, metadata: Metadata, options: Options,
                   sources: list[EssaySource], diagnostics: Diagnostics,
                   store: RecordStore | None = None, uncited: bool = False) -> Collection:
    """Convert every essay (or take it from `store`, unchanged) and check links, recording
    problems without raising; with `uncited`, also warn about bibliography entries that no
    essay cites."""
    converter: list[tuple[Markdown, NotesExtension]] = []
    bibliography = load_bibliography(root, options.bibliography, metadata.language, diagnostics)

    def convert(context: EssayContext) -> Essay:
        if not converter:  # made once, and only if an essay is not remembered
            converter.append(make_markdown())
        return convert_essay(*converter[0], context)

    essay_anchors = {s.path.as_posix(): ids.essay_anchor(s.number) for s in sources}
    permalinks = {key: ids.essay_anchor(s.number) for s in sources for key in s.permalinks}
    slugs = {s.slug: ids.essay_anchor(s.number) for s in sources}
    unreadable = frozenset(d.path for d in diagnostics.errors if d.path is not None)
    site = site_configuration(root) if any(uses_templates(s.body) for s in sources) else None
    contexts, essays = [], []
    for source in sources:
        # Each essay's own diagnostics, so that what it said is remembered with it.
        context = EssayContext(root, source, essay_anchors[source.path.as_posix()],
                               essay_anchors, Diagnostics(), permalinks=permalinks,
                               essay_slugs=slugs, site=options.site, unreadable=unreadable,
                               bibliography=bibliography,
                               crossref_chapters=options.crossref_chapters,
                               templates=template_values(root, source, site)
                               if site is not None and uses_templates(source.body) else None)
        essays.append(converted(context, store, convert))
        contexts.append(context)
    essays = link_crossrefs(check_links(essays, contexts), contexts)
    for context in contexts:
        for diagnostic in context.diagnostics.items:
            diagnostics.add(diagnostic)
    if uncited and bibliography is not None:
        report_uncited(bibliography, essays, diagnostics)
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


def report_unclosed_fences(md: Markdown, context: EssayContext) -> None:
    located = [(context.line(fence.opening.strip()) if fence.occurrence is None else
                context.line_of_occurrence(fence.opening, fence.occurrence, prose=False), fence)
               for fence in unclosed_fences(md)]
    for line, fence in sorted(located, key=lambda pair: pair[0] or 0):
        context.diagnostics.warning(
            "M401", f"the code fence {fence.opening.strip()!r} is never closed: the code runs "
            "to the end of its list item, quotation or essay", context.source.path, line,
            f"close it with a line of {fence.opening.strip()[:1] * 3} (at least as long as "
            "the opening fence)")


def convert_body(md: Markdown, notes: NotesExtension, context: EssayContext) -> Essay:
    md.reset()
    for extension in md.registeredExtensions:  # formulas that fail are this essay's warnings
        if isinstance(extension, FormulaExtension):
            extension.begin(context)
        if isinstance(extension, CitationExtension):
            extension.active = context.bibliography is not None
        if isinstance(extension, TemplateExtension):
            extension.begin(context.templates)
        if isinstance(extension, CommonMarkBlocksExtension | RawTexExtension | FigureExtension):
            extension.begin(context.source.markdown == "pandoc")
    body_html, note_htmls = notes.split_output(md.convert(context.source.body))
    body = parse_fragment(body_html)
    definitions = list(notes.definitions)
    for definition, html in read_html_notes(body, context):  # notes made by hand in HTML
        note_htmls[len(definitions)] = html
        definitions.append(definition)
    cited, references = resolve_citations(body, definitions, note_htmls, context,
                                           context.bibliography)
    # The body's problems are looked for outside its note definitions first.
    regions = note_regions(context.source.body, definitions)
    body_context = context.within(outside(regions, len(context.source.body)))
    report_unclosed_fences(md, context)
    if not within_depth(body, body_context):
        body = ET.Element("div")
    label_targets(body)  # pandoc-crossref's {#tbl:x} and {#eq:x}, as ids to keep
    marks = take_index_marks(body, skipped=is_inline_call)  # an inline note's are the note's
    written = sanitize(body, body_context.warning)
    headings = assign_heading_ids(body, context.anchor, written, context.aliases)
    assign_anchor_ids(body, context.anchor, headings, written, context.aliases)
    index = index_marks(marks, body)
    resolve_links(body, body_context)
    figures, images = resolve_images(body, body_context)
    labels = resolve_crossrefs(body, body_context)
    headings = add_references(body, references, context.anchor, headings)
    footnotes, note_marks = number_footnotes(body, definitions, note_htmls,
                                             notes.nested_inline, body_context)
    images += [src for src in note_images(footnotes) if src not in images]
    for extension in md.registeredExtensions:
        for code, message, needle in getattr(extension, "problems", ()):
            body_context.warning(code, message, needle)
    text = " ".join(body.itertext())
    return Essay(
        source=context.source, anchor=context.anchor,
        body_html=shared_body(serialize_children(body), context.anchor),
        footnotes=footnotes, figures=tuple(figures), headings=tuple(headings),
        images=tuple(images), citations=tuple(cited),
        references=headings[-1].anchor if references is not None else "",
        undescribed=tuple(undescribed_images([body, *(parse_fragment(note.html)
                                                      for note in footnotes)])),
        words=len(WORD.findall(text)), labels=labels, index_marks=index + note_marks,
    )

