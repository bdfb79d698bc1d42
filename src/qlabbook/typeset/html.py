"""The print HTML: the whole book as one document, notes set to float to the page foot."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from html import escape

from markupsafe import Markup

from qlabbook.assets import base_context, environment
from qlabbook.markdown.backindex import book_index, has_index, index_letters, page_ranges
from qlabbook.markdown.crossref import with_page_numbers
from qlabbook.markdown.markup import (
    NoteCall,
    NoteClass,
    ShownImage,
    expand_figures,
    expand_note_calls,
    note_block,
)
from qlabbook.markdown.xhtml import parse_fragment, serialize_children
from qlabbook.source import ids
from qlabbook.source.model import Collection, Essay, Footnote
from qlabbook.source.profiles import DEFAULT_PROFILE, PROFILES
from qlabbook.typeset.formulas import with_formulas
from qlabbook.typeset.imagesize import sized_images

# Block elements a note may hold; in print the note floats inside a paragraph, so they
# become spans that the print stylesheet sets as blocks.
NOTE_BLOCKS = {"p", "ul", "ol", "li", "blockquote", "pre", "div", "dl", "dt", "dd", "table",
               "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "h1", "h2", "h3",
               "h4", "h5", "h6", "figure", "figcaption", "hr"}


def print_note_html(note: Footnote) -> str:
    tree = parse_fragment(note.html)
    # WeasyPrint breaks the line at a newline in a floated note's run-in first paragraph.
    code = {e for pre in tree.iter("pre") for e in pre.iter()}
    for element in tree.iter():
        if element not in code:
            element.text = element.text and element.text.replace("\n", " ")
        if element.tail and (element not in code or element.tag == "pre"):
            element.tail = element.tail.replace("\n", " ")
        if element.tag in NOTE_BLOCKS:
            # The block's own classes (a table cell's alignment) follow the block's.
            element.set("class", " ".join([note_block(element.tag),
                                           *element.get("class", "").split()]))
            start = element.get("start", "1") if element.tag == "ol" else "1"
            if start != "1" and start.lstrip("-").isdigit():
                element.set("style", f"counter-reset: list-item {int(start) - 1}")
            element.tag = "span"
            # White space between two note blocks would make an empty line in the note.
            if element.tail is not None and not element.tail.strip():
                element.tail = None
            if len(element) and element.text is not None and not element.text.strip():
                element.text = None
    # The first paragraph runs on from the hanging number; only later ones are blocks.
    if len(tree) and tree[0].get("class", "").split()[:1] == [note_block("p")]:
        tree[0].set("class", NoteClass.FIRST)
    return serialize_children(tree)


def print_body(essay: Essay, notes: str = "footnotes") -> str:
    """Page-foot notes float from their first call; every call is a link to its note (as
    endnotes, to the note in the essay's Notes section) and a page-foot note's number
    links back to its first call."""
    by_number = {note.number: note for note in essay.footnotes}

    def replace(found: NoteCall) -> str:
        number, call = found.number, found.call
        if call == 1 and notes == "footnotes":
            # The empty mark before the note tells the PDF stage which page the call is on.
            # The call is a link to its note, the note's number a link back: both are
            # elements, as WeasyPrint's generated ::footnote-call and marker cannot link.
            back, note = ids.call_id(essay.anchor, number), ids.note_id(essay.anchor, number)
            return (f'<span class="{NoteClass.CALL_MARK}" id="{back}"></span>'
                    f'<a class="{NoteClass.CALL}" href="#{note}">{number}</a>'
                    f'<span class="{NoteClass.FOOTNOTE}" id="{note}">'
                    f'<a class="{NoteClass.NUMBER}" href="#{back}">{number}</a>'
                    f"{print_note_html(by_number[number])}</span>")
        return (f'<a class="{NoteClass.CALL}" href="#{ids.note_id(essay.anchor, number)}" '
                f'id="{ids.call_id(essay.anchor, number, call)}">{number}</a>')

    return bookmark_labels(ordered_list_starts(expand_note_calls(essay.body_html, replace)),
                           essay)


HEADING_OPEN = re.compile(r'<h([2-6]) id="([^"]+)"')


def bookmark_labels(html: str, essay: Essay) -> str:
    """Each section heading carries its text for the PDF's bookmark (print.css reads it
    with attr()): the heading as printed would add its notes' numbers and text."""
    texts = {heading.anchor: heading.text for heading in essay.headings}

    def label(match: re.Match[str]) -> str:
        text = texts.get(match.group(2))
        if text is None:
            return match.group(0)
        return f'{match.group(0)} data-bookmark="{escape(text, quote=True)}"'

    return HEADING_OPEN.sub(label, html)


ORDERED_LIST_START = re.compile(r'<ol\b([^>]*?)\sstart="(-?\d+)"')


def ordered_list_starts(html: str) -> str:
    """`<ol start="2">` counts from 2 in print too: WeasyPrint reads the attribute only as
    a presentational hint, which the renderer leaves off, so say it in CSS."""
    return ORDERED_LIST_START.sub(
        lambda match: (f'<ol{match.group(1)} start="{match.group(2)}" style="counter-reset: '
                       f'list-item {match.group(2)}; counter-increment: list-item -1"'), html)


LINK_HREF = re.compile(r'(<a\b[^>]*?)\s+href="[^"]*"')


def without_links(html: str) -> str:
    """The press PDF has no link annotations (PDF/X keeps the trimmed page free of them):
    anchors stay, as text."""
    return LINK_HREF.sub(r"\1", html)


RUNNING_HEAD_CHARACTERS = 48  # one line of small capitals in the head, at A5
CLAUSE_END = re.compile(r"[:;,.?!\u2013\u2014]")


def running_head(title: str) -> str:
    """An essay's title for the running head: whole when it is short; else up to its first
    clause end (colon, comma, dash) when that is long enough to stand for it; else its
    first words, with an ellipsis."""
    if len(title) <= RUNNING_HEAD_CHARACTERS:
        return title
    clause = CLAUSE_END.search(title)
    if clause and 12 <= clause.start() <= RUNNING_HEAD_CHARACTERS:
        return title[:clause.start()].rstrip()
    cut = title.rfind(" ", 0, RUNNING_HEAD_CHARACTERS)
    return title[:cut if cut > 0 else RUNNING_HEAD_CHARACTERS].rstrip(" ,;:") + "\u2026"


def url_breaks(url: str) -> Markup:
    """A URL that may break after its slashes (and nowhere else), for narrow columns."""
    return Markup("/<wbr>").join(Markup.escape(part) for part in url.split("/"))


# A deferred figure stays in its section and keeps its place among the figures.
FIXED_BLOCKS = frozenset({"h2", "h3", "h4", "h5", "h6", "figure"})


def defer_figures(html: str, moves: Mapping[str, int]) -> str:
    """Move each figure named in `moves` down past that many following blocks (never past
    a heading or another figure), so text fills the page the figure did not fit on."""
    return expand_figures(html, lambda shown: defer_figure(shown, moves))


def defer_figure(shown: ShownImage, moves: Mapping[str, int]) -> None:
    """Print's rendering of a figure: moved down (see defer_figures) when it is one of the
    essay's own blocks; its image as the essay has it (sized_images below sizes raw HTML's
    images in the whole print HTML)."""
    count = moves.get(shown.id, 0) if shown.among_blocks else 0
    if shown.figure is None or not count:
        return
    blocks, figure = shown.holder, shown.figure
    index = list(blocks).index(figure)
    target = index
    while target - index < count and target + 1 < len(blocks) \
            and blocks[target + 1].tag not in FIXED_BLOCKS:
        target += 1
    if target != index:
        blocks.remove(figure)
        blocks.insert(target, figure)


PARTS = ("book", "front", "essay", "back")


def render_print_html(collection: Collection, profile: str = DEFAULT_PROFILE,
                      moves: Mapping[str, int] | None = None, part: str = "book",
                      folios: Mapping[str, str] | None = None) -> str:
    """The print HTML for a PDF profile: of the whole book, or of one `part` laid out on its
    own: the front matter (cover if the profile has one, title page, imprint, contents),
    the essays of `collection` (one, for an essay part) or the back matter (picture
    credits). `folios` are the printed page numbers the contents and credits give, by
    anchor. Without links, every anchor is left unlinked (press). `moves` defers figures
    (see defer_figures)."""
    assert part in PARTS, part
    chosen = PROFILES[profile]
    links, cover = chosen.links, chosen.cover
    env = environment(collection)
    template = env.get_template("print.html")
    notes = collection.options.notes
    edit = (lambda html: html) if links else without_links
    printed = folios or {}
    # A page-form reference reads the page its job was given (see book.settled_essays).
    part_essays = tuple(with_page_numbers(essay, printed) for essay in collection.essays
                        ) if part in ("book", "essay") else ()
    bodies = {e.anchor: Markup(edit(defer_figures(print_body(e, notes), moves)
                                    if moves and any(f.anchor in moves for f in e.figures)
                                    else print_body(e, notes)))
              for e in part_essays}
    endnotes = {e.anchor: [(note, Markup(edit(note.html))) for note in e.footnotes]
                for e in part_essays} if notes == "endnotes" else {}
    html = template.render(
        **base_context(collection), bodies=bodies, endnotes=endnotes, part=part,
        part_essays=part_essays, folios=defaultdict(str, printed),
        # The contents list the index; the back matter prints it.
        has_book_index=has_index(collection),
        book_index=book_index(collection.essays) if part in ("back", "book") else [],
        index_letters=index_letters, page_ranges=page_ranges,
        profile=profile, press=chosen.press, links=links, cover=cover,
        cover_image=collection.options.cover, url_breaks=url_breaks, running_head=running_head)
    html = sized_images(html, collection.root)  # raw HTML's width= and height=
    html = with_formulas(html)  # last, so nothing above parses or rewrites the SVGs
    return html if links else without_links(html)
