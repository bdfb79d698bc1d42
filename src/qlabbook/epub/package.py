"""The EPUB 3 package: the XHTML documents packed with ebooklib, reproducibly."""

from __future__ import annotations

import io
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from qlabbook.assets import screen_stylesheet, stylesheet
from qlabbook.epub.accessibility import accessibility_claims
from qlabbook.epub.cover import cover_jpeg
from qlabbook.epub.documents import (
    BOOK_INDEX,
    CREDITS,
    IMPRINT,
    TITLE_PAGE,
    book_identifier,
    epub_file_name,
    render_epub_documents,
)
from qlabbook.epub.fonts import add_code_fonts
from qlabbook.epub.formulas import has_mathml
from qlabbook.epub.pagelist import mark_pages
from qlabbook.markdown.formulas import with_mathml
from qlabbook.markdown.units import PageMap
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.images import MEDIA_TYPES, portable_path
from qlabbook.source.model import Collection
from qlabbook.source.names import display_name, people, sort_name
from qlabbook.source.profiles import DEFAULT_PROFILE, pdf_file_name
from qlabbook.source.text import numeric_date
from qlabbook.source.timestamp import build_time

XHTML = "application/xhtml+xml"
# 1980-01-01, the earliest time a zip entry can carry; every entry gets the same one.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
STORED = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def render_epub(collection: Collection, diagnostics: Diagnostics,
                page_map: PageMap | None, cover: bytes | None = None) -> bytes:
    """The book as EPUB 3 bytes, its page list following `page_map`, where the screen
    PDF's pages start (no page list without one); `cover` is its cover picture, drawn here
    when not given."""
    from ebooklib import epub

    documents, pages = mark_pages(collection, render_epub_documents(collection, page_map),
                                  page_map,
                                  diagnostics)
    # Formulas become MathML last: the page list's markers are placed around placeholders.
    documents = {name: with_mathml(xhtml) for name, xhtml in documents.items()}
    claims = accessibility_claims(collection, diagnostics, page_list=bool(pages))
    book = epub.EpubBook()
    add_metadata(book, collection, claims.metadata(), bool(pages))
    add_style_and_images(book, collection, cover if cover is not None else
                         cover_jpeg(collection))
    items = {}
    uids = {TITLE_PAGE: "titlepage", IMPRINT: "imprint", CREDITS: "credits", "nav.xhtml": "nav",
            BOOK_INDEX: "bookindex",
            **{epub_file_name(e): f"essay{n}" for n, e in enumerate(collection.essays, 1)}}
    for name, xhtml in documents.items():
        uid = uids[name]
        items[name] = epub.EpubItem(uid=uid, file_name=name, media_type=XHTML,
                                    content=xhtml.encode("utf-8"))
        if has_mathml(xhtml):
            items[name].properties = ["mathml"]
        book.add_item(items[name])
    # The navigation document is qlabbook's own template: ebooklib's has no page list but
    # the one it would build from every element with an id and an epub:type (note calls).
    items["nav.xhtml"].properties = ["nav"]
    book.toc = ncx_entries(collection)
    book.add_item(epub.EpubNcx())
    # The same order as the PDF: title page, imprint, contents, essays, picture credits,
    # index.
    book.spine = [items[TITLE_PAGE], items[IMPRINT], items["nav.xhtml"],
                  *(items[epub_file_name(e)] for e in collection.essays),
                  *(items[name] for name in (CREDITS, BOOK_INDEX) if name in items)]
    first = collection.essays[0]
    book.guide = [
        {"type": "title-page", "href": "titlepage.xhtml", "title": "Title page"},
        {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
        {"type": "text", "href": epub_file_name(first), "title": first.title},
    ]
    raw = io.BytesIO()
    # Compressed once, in repack(): ebooklib's own pass would only be undone there.
    epub.write_epub(raw, book, {"mtime": build_time(collection), "epub3_pages": False,
                                "epub3_landmark": False, "raise_exceptions": True,
                                "compresslevel": 0})
    language = collection.metadata.language
    return repack(raw.getvalue(),
                  {"EPUB/content.opf": lambda opf: with_language(opf, language)})


def add_metadata(book: Any, collection: Collection, claims: list[tuple[str, str]],
                 page_list: bool) -> None:
    """Dublin Core, the accessibility claims and the page list's source."""
    meta = collection.metadata
    book.set_identifier(book_identifier(collection))
    book.set_title(meta.title)
    book.set_language(meta.language)
    # Each author as a reader is shown the name, and as a list sorted by family name has it.
    # (ebooklib's file_as would give the sort name the scheme of a role, marc:relators.)
    for index, person in enumerate(people(meta.authors), start=1):
        book.add_author(display_name(person), uid=f"creator{index}")
        if "literal" not in person:
            book.add_metadata(None, "meta", sort_name(person), OrderedDict(
                [("refines", f"#creator{index}"), ("property", "file-as")]))
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    if meta.date_parts:  # to the precision the date has: a month stays a month
        book.add_metadata("DC", "date", numeric_date(meta.date_parts))
    if meta.subtitle:
        book.add_metadata("DC", "description", meta.subtitle)
    if meta.essay_number:  # a one-essay edition: its place in the series
        add_series(book, meta.series or meta.collection_title, meta.essay_number)
    elif meta.series:  # the collected book: of the series, at no place in it
        add_series(book, meta.series, None)
    for name, value in claims:
        book.add_metadata(None, "meta", value, {"property": name})
    if page_list:
        book.add_metadata(None, "meta", page_break_source(collection),
                          {"property": "pageBreakSource"})


def add_style_and_images(book: Any, collection: Collection, cover_image: bytes) -> None:
    """The stylesheet (the package's, then the collection's), the code font when there is
    code, the cover and the photographs."""
    from ebooklib import epub

    # The code font's @font-face rules (only when there is code), then the package's
    # stylesheets.
    css = add_code_fonts(book, collection) + screen_stylesheet("epub.css")
    own = stylesheet(collection, "epub.css")
    if own is not None:
        css += "\n" + own.read_text(encoding="utf-8")
    book.add_item(epub.EpubItem(uid="style", file_name="style/epub.css",
                                media_type="text/css", content=css.encode("utf-8")))
    cover = epub.EpubCover(uid="cover-image", file_name="images/cover.jpg")
    cover.content = cover_image
    book.add_item(cover)
    book.add_metadata(None, "meta", "",
                      OrderedDict([("name", "cover"), ("content", "cover-image")]))
    for index, src in enumerate(collection.images, start=1):
        suffix = "." + src.rsplit(".", 1)[-1].lower()
        book.add_item(epub.EpubItem(uid=f"image{index}", file_name=portable_path(src),
                                    media_type=MEDIA_TYPES.get(suffix, "image/jpeg"),
                                    content=(collection.root / src).read_bytes()))


def with_language(opf: bytes, language: str) -> bytes:
    """The package element names the publication's language too (ebooklib leaves it out;
    assistive technology reads the metadata in it)."""
    return opf.replace(b"<package ", f'<package xml:lang="{language}" '.encode(), 1)


def add_series(book: Any, name: str, position: int | None) -> None:
    """EPUB 3 collection metadata: reading systems group the essays and sort them by number
    (`position`; the collected book has none)."""
    book.add_metadata(None, "meta", name,
                      OrderedDict([("property", "belongs-to-collection"), ("id", "series")]))
    book.add_metadata(None, "meta", "series", OrderedDict(
        [("refines", "#series"), ("property", "collection-type")]))
    if position is not None:
        book.add_metadata(None, "meta", str(position), OrderedDict(
            [("refines", "#series"), ("property", "group-position")]))


def ncx_entries(collection: Collection) -> list[object]:
    """The EPUB 2 table of contents: each essay, its sections beneath it."""
    from ebooklib import epub

    entries: list[object] = []
    for essay in collection.essays:
        name = epub_file_name(essay)
        link = epub.Link(f"{name}#{essay.anchor}", f"{essay.number}. {essay.title}",
                         f"toc-{essay.anchor}")
        sections = [epub.Link(f"{name}#{h.anchor}", h.text, f"toc-{h.anchor}")
                    for h in essay.headings if h.level == 2 and h.text]
        entries.append((epub.Section(link.title, link.href), sections) if sections else link)
    return entries


def page_break_source(collection: Collection) -> str:
    """Names the edition whose pages the page list follows: this build's screen PDF."""
    pdf = pdf_file_name(collection.file_stem, DEFAULT_PROFILE)
    return (f"{pdf}, the {collection.options.page_size} screen PDF edition of "
            f"{book_identifier(collection)}")


def repack(archive: bytes,
           changes: dict[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """Same entries, fixed times and order, `mimetype` first and stored: identical bytes.
    Photographs are stored too: deflate cannot shrink JPEG or PNG data, only spend time.
    `changes` rewrites named entries on the way."""
    changes = changes or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, \
            zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        ordered = ["mimetype", *sorted(n for n in names if n != "mimetype")]
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" or \
                name.lower().endswith(STORED) else zipfile.ZIP_DEFLATED
            data = source.read(name)
            if name in changes:
                data = changes[name](data)
            target.writestr(info, data, compresslevel=9)
    return out.getvalue()
