"""Write stage for EPUB 3: the rendered XHTML documents packed with ebooklib, reproducibly."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections import OrderedDict
from typing import Any

from qlabbook.cover import cover_jpeg
from qlabbook.images import MEDIA_TYPES
from qlabbook.model import Collection
from qlabbook.render import (
    PACKAGE_STYLES,
    build_time,
    epub_file_name,
    render_epub_documents,
    stylesheet,
)

XHTML = "application/xhtml+xml"
# 1980-01-01, the earliest time a zip entry can carry; every entry gets the same one.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
STORED = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def book_identifier(collection: Collection) -> str:
    meta = collection.metadata
    if meta.identifier:
        return meta.identifier
    # Stable without configuration: derived from the title, never random.
    return uuid.uuid5(uuid.NAMESPACE_URL, "qlabbook:" + meta.title).urn


def render_epub(collection: Collection) -> bytes:
    """The collected edition as EPUB 3 bytes."""
    from ebooklib import epub

    meta = collection.metadata
    book = epub.EpubBook()
    book.set_identifier(book_identifier(collection))
    book.set_title(meta.title)
    book.set_language(meta.language)
    for index, author in enumerate(meta.authors, start=1):
        book.add_author(author, uid=f"creator{index}")
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    if meta.date:
        book.add_metadata("DC", "date", meta.date.isoformat())
    if meta.subtitle:
        book.add_metadata("DC", "description", meta.subtitle)
    if meta.essay_number:  # a one-essay edition: its place in the series
        add_series(book, meta.series or meta.collection_title, meta.essay_number)

    css = (PACKAGE_STYLES / "epub.css").read_text(encoding="utf-8")
    own = stylesheet(collection, "epub.css")
    if own is not None:
        css += "\n" + own.read_text(encoding="utf-8")
    book.add_item(epub.EpubItem(uid="style", file_name="style/epub.css",
                                media_type="text/css", content=css.encode("utf-8")))
    cover = epub.EpubCover(uid="cover-image", file_name="images/cover.jpg")
    cover.content = cover_jpeg(collection)
    book.add_item(cover)
    book.add_metadata(None, "meta", "",
                      OrderedDict([("name", "cover"), ("content", "cover-image")]))
    for index, src in enumerate(collection.images, start=1):
        suffix = "." + src.rsplit(".", 1)[-1].lower()
        book.add_item(epub.EpubItem(uid=f"image{index}", file_name=src,
                                    media_type=MEDIA_TYPES.get(suffix, "image/jpeg"),
                                    content=(collection.root / src).read_bytes()))

    documents = render_epub_documents(collection)
    items = {}
    for index, (name, xhtml) in enumerate(documents.items()):
        uid = "titlepage" if name == "titlepage.xhtml" else f"essay{index}"
        items[name] = epub.EpubItem(uid=uid, file_name=name, media_type=XHTML,
                                    content=xhtml.encode("utf-8"))
        book.add_item(items[name])

    book.toc = [epub.Link(epub_file_name(e) + f"#{e.anchor}", f"{e.number}. {e.title}",
                          f"toc-{e.anchor}") for e in collection.essays]
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    book.add_item(nav)
    book.spine = [items["titlepage.xhtml"], nav, *(items[epub_file_name(e)]
                                                   for e in collection.essays)]
    first = collection.essays[0]
    book.guide = [
        {"type": "title-page", "href": "titlepage.xhtml", "title": "Title page"},
        {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
        {"type": "text", "href": epub_file_name(first), "title": first.title},
    ]
    raw = io.BytesIO()
    # Compressed once, in repack(): ebooklib's own pass would only be undone there.
    epub.write_epub(raw, book, {"mtime": build_time(collection), "epub3_pages": False,
                                "raise_exceptions": True, "landmark_title": "Landmarks",
                                "compresslevel": 0})
    return repack(raw.getvalue())


def add_series(book: Any, name: str, position: int) -> None:
    """EPUB 3 collection metadata: reading systems group the essays and sort them by number."""
    book.add_metadata(None, "meta", name,
                      OrderedDict([("property", "belongs-to-collection"), ("id", "series")]))
    book.add_metadata(None, "meta", "series", OrderedDict(
        [("refines", "#series"), ("property", "collection-type")]))
    book.add_metadata(None, "meta", str(position), OrderedDict(
        [("refines", "#series"), ("property", "group-position")]))


def repack(archive: bytes) -> bytes:
    """Same entries, fixed times and order, `mimetype` first and stored: identical bytes.
    Photographs are stored too: deflate cannot shrink JPEG or PNG data, only spend time."""
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
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
