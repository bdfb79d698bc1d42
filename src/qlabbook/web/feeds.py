"""feed.xml (Atom, one entry per essay) and sitemap.xml, for readers and search engines."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

from qlabbook.source.model import Collection, Essay
from qlabbook.source.timestamp import build_time
from qlabbook.web.paths import essay_path

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def timestamp(collection: Collection, date: dt.date | None) -> str:
    if date is None:
        return build_time(collection).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{date.isoformat()}T00:00:00Z"


def feed_id(collection: Collection, essay: Essay | None = None) -> str:
    """The published address when the collection names it, else an id derived from the
    collection's identifier (the one a one-essay edition is derived from), never random."""
    url = collection.options.web_url
    if url:
        return url + (essay_path(essay) if essay else "")
    base = collection.metadata.identifier or collection.metadata.title
    return uuid.uuid5(uuid.NAMESPACE_URL, f"qlabbook:{base}" + (
        f"#essay-{essay.number}" if essay else "")).urn


def atom_feed(collection: Collection) -> bytes:
    """The series as an Atom feed. Links are relative to the feed's own address (Atom
    resolves them so), or absolute when the collection names its web address."""
    meta = collection.metadata
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang":
                                          meta.language})

    def add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text:
            element.text = text
        return element

    base = collection.options.web_url
    add(feed, "id", feed_id(collection))
    add(feed, "title", meta.title)
    if meta.subtitle:
        add(feed, "subtitle", meta.subtitle)
    dates = [e.source.date for e in collection.essays if e.source.date] + \
        ([meta.date] if meta.date else [])
    add(feed, "updated", timestamp(collection, max(dates) if dates else None))
    add(feed, "link", href=base or "./", rel="alternate", type="text/html")
    add(feed, "link", href=f"{base}feed.xml", rel="self", type="application/atom+xml")
    for name in meta.authors or ((meta.publisher,) if meta.publisher else ()):
        add(add(feed, "author"), "name", name)
    add(feed, "generator", "qlabbook")
    if meta.rights:
        add(feed, "rights", meta.rights)
    for essay in collection.essays:
        entry = add(feed, "entry")
        add(entry, "id", feed_id(collection, essay))
        add(entry, "title", essay.title)
        add(entry, "updated", timestamp(collection, essay.source.date or meta.date))
        if essay.source.date:
            add(entry, "published", timestamp(collection, essay.source.date))
        add(entry, "link", href=base + essay_path(essay), rel="alternate", type="text/html")
        for name in essay.source.authors:
            add(add(entry, "author"), "name", name)
        add(entry, "summary", essay.source.summary or essay.source.subtitle or essay.title)
    ET.indent(feed)
    return xml_bytes(feed)


def sitemap(collection: Collection) -> bytes | None:
    """The pages' full addresses (a sitemap holds only those): None without [web] url."""
    base = collection.options.web_url
    if not base:
        return None
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    pages = [("", collection.metadata.date)] + \
        [(essay_path(e), e.source.date) for e in collection.essays]
    for path, date in pages:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = base + path
        if date is not None:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = date.isoformat()
    ET.indent(urlset)
    return xml_bytes(urlset)


def xml_bytes(root: ET.Element) -> bytes:
    text = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{text}\n'.encode()
