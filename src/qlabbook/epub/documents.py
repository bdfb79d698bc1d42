"""The EPUB's XHTML documents: title page, one per essay, and the navigation document."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup

from qlabbook.assets import base_context, environment
from qlabbook.epub.fonts import code_faces
from qlabbook.markdown.backindex import book_index, has_index, index_letters, locators
from qlabbook.markdown.crossref import with_page_numbers
from qlabbook.markdown.markup import (
    NoteCall,
    NoteClass,
    ShownImage,
    expand_figures,
    expand_note_calls,
)
from qlabbook.markdown.units import PageMap
from qlabbook.source import ids
from qlabbook.source.images import portable_path
from qlabbook.source.model import Collection, Essay

TITLE_PAGE, IMPRINT, CREDITS = "titlepage.xhtml", "imprint.xhtml", "credits.xhtml"
BOOK_INDEX = "bookindex.xhtml"


def book_identifier(collection: Collection) -> str:
    meta = collection.metadata
    if meta.identifier:
        return meta.identifier
    # Stable without configuration: derived from the title, never random.
    return uuid.uuid5(uuid.NAMESPACE_URL, "qlabbook:" + meta.title).urn


def xml_url_breaks(url: str) -> Markup:
    """An address that may break after its slashes, in XHTML."""
    return Markup("/<wbr />").join(Markup.escape(part) for part in url.split("/"))


def epub_file_name(essay: Essay) -> str:
    return f"{essay.slug}.xhtml"


def epub_body(essay: Essay, files: dict[str, str]) -> str:
    def call(found: NoteCall) -> str:
        return (f'<a class="{NoteClass.CALL}" epub:type="noteref" role="doc-noteref" '
                f'id="{ids.call_id(essay.anchor, found.number, found.call)}" '
                f'href="#{ids.note_id(essay.anchor, found.number)}">{found.number}</a>')

    body = expand_figures(essay.body_html, package_image)
    return retarget_links(expand_note_calls(body, call), essay, files)


def package_image(shown: ShownImage) -> None:
    """The EPUB's rendering of a figure's or a text's image: as the essay has it, at the
    path the package keeps it at (portable_path, beside the essays' documents); the caption
    and credit print as converted."""
    shown.image.set("src", portable_path(shown.src))


def retarget_links(html: str, essay: Essay, files: dict[str, str]) -> str:
    """Links to other essays point into their own documents."""
    def href(match: re.Match[str]) -> str:
        anchor, rest = match.group(1), match.group(2)
        if anchor == essay.anchor or anchor not in files:
            return match.group(0)
        return f'href="{files[anchor]}#{anchor}{rest}"'

    return ids.ESSAY_HREF.sub(href, html)


def render_epub_documents(collection: Collection,
                          page_map: PageMap | None = None) -> dict[str, str]:
    """File name -> XHTML for the title page, the imprint, each essay, the picture credits
    (when a figure has a credit, licence or source) and the index (when terms are marked;
    its locators read as the print pages `page_map` gives), in reading order."""
    env = environment(collection)
    context = base_context(collection)
    files = {e.anchor: epub_file_name(e) for e in collection.essays}
    documents = {TITLE_PAGE: env.get_template(TITLE_PAGE).render(**context),
                 IMPRINT: env.get_template(IMPRINT).render(
                     **context, identifier=book_identifier(collection),
                     code_font=bool(code_faces(collection)))}
    essay_template = env.get_template("essay.xhtml")
    for written in collection.essays:  # the pages its references read, as the PDF's
        essay = with_page_numbers(written, page_map.anchors if page_map else {})
        documents[files[essay.anchor]] = essay_template.render(
            **context, essay=essay, body=Markup(epub_body(essay, files)),
            note_html=lambda note, essay=essay: Markup(retarget_links(
                expand_figures(note.html, package_image), essay, files)))
    if context["credits"]:
        documents[CREDITS] = env.get_template(CREDITS).render(
            **context, files=files, breaks=xml_url_breaks)
    if has_index(collection):
        documents[BOOK_INDEX] = env.get_template(BOOK_INDEX).render(
            **context, files=files, book_index=book_index(collection.essays),
            index_letters=index_letters, locators=locators,
            pages=page_map.anchors if page_map else {})
    for xhtml in documents.values():
        ET.fromstring(xhtml.encode("utf-8"))  # every document must be well-formed XML
    return documents


def render_nav(collection: Collection, pages: Sequence[tuple[str, str, str]]) -> str:
    """The navigation document: contents with sections, landmarks and the page list, given as
    (file, marker id, label) in reading order."""
    files = {e.anchor: epub_file_name(e) for e in collection.essays}
    context = base_context(collection)
    xhtml = environment(collection).get_template("nav.xhtml").render(
        **context, files=files, pages=pages, imprint=IMPRINT,
        picture_credits=CREDITS if context["credits"] else "",
        book_index=BOOK_INDEX if has_index(collection) else "")
    ET.fromstring(xhtml.encode("utf-8"))
    return xhtml
