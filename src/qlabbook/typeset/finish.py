"""Finishing a part's written PDF: exact bleed boxes, the edition's record in its XMP
packet, a steady document id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from qlabbook.source.model import Metadata
from qlabbook.source.text import numeric_date
from qlabbook.typeset import engine
from qlabbook.typeset.geometry import MM


def finisher(bleed_mm: float, identifier: str,
             record: bytes = b"") -> Callable[[Any, Any], None]:
    """Post-process WeasyPrint's PDF of a part before it is written: the exact bleed box,
    an XMP packet holding `record` (publication_record's) and a document id that do not
    change between builds, and a structure tree without a Span element for every run of
    text."""

    def finish(document: Any, pdf: Any) -> None:
        if bleed_mm:
            set_bleed_boxes(pdf, bleed_mm * MM)
        engine.add_metadata_packet(document, pdf)
        steady_document_id(pdf, identifier)
        add_to_packet(pdf, record)
        unwrap_text_spans(pdf)

    return finish


def pdf_pages(pdf: Any) -> Iterator[Any]:
    for number in pdf.pages["Kids"][::3]:
        yield pdf.objects[number]


def set_bleed_boxes(pdf: Any, bleed: float) -> None:
    """WeasyPrint puts the BleedBox at most 10 pt outside the TrimBox; the printer's bleed
    is exactly the configured width (the crop marks lie beyond it)."""
    for page in pdf_pages(pdf):
        left, top, right, bottom = (float(v) for v in page["TrimBox"])
        page["BleedBox"] = engine.pdf_array([round(left - bleed, 3), round(top - bleed, 3),
                                             round(right + bleed, 3), round(bottom + bleed, 3)])


XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")
XMP_NAMESPACES = ('xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/"')


def metadata_stream(pdf: Any) -> Any | None:
    """The XMP packet's stream object, if the PDF has one."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        return None
    number = reference.split()[0] if isinstance(reference, bytes) else str(reference).split()[0]
    return pdf.objects[int(number)]


def steady_document_id(pdf: Any, identifier: str) -> None:
    """PDF/X-4 metadata gets a random xmpMM:DocumentID; derive it from the collection's
    identifier so that rebuilds are byte-identical."""
    stream = metadata_stream(pdf)
    if stream is None:
        return
    steady = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, identifier)}".encode()
    stream.stream = [XMP_DOCUMENT_ID.sub(steady, bytes(part) if not isinstance(part, bytes)
                                         else part) for part in stream.stream]


def publication_record(meta: Metadata) -> bytes:
    """What WeasyPrint's XMP leaves out of the edition's record (it writes the title, the
    authors and the description): the date, to the precision it has, the language and the
    publisher, as the citation records and the EPUB give them."""
    fields = (("date", "Seq", numeric_date(meta.date_parts)), ("language", "Bag", meta.language),
              ("publisher", "Bag", meta.publisher))
    body = "".join(f"<dc:{name}><rdf:{kind}><rdf:li>{escape(value)}</rdf:li></rdf:{kind}>"
                   f"</dc:{name}>" for name, kind, value in fields if value)
    return f'<rdf:Description rdf:about="" {XMP_NAMESPACES}>{body}</rdf:Description>'.encode() \
        if body else b""


def add_to_packet(pdf: Any, record: bytes) -> None:
    """`record`, an rdf:Description, as the last of the XMP packet's descriptions."""
    stream = metadata_stream(pdf)
    if stream is None or not record:
        return
    packet = b"".join(bytes(part) if not isinstance(part, bytes) else part
                      for part in stream.stream)
    stream.stream = [packet.replace(b"</rdf:RDF>", record + b"</rdf:RDF>", 1)]


# What a structure element holds when WeasyPrint makes it for one run of text on a line.
PLAIN_SPAN_KEYS = {"Type", "S", "K", "Pg", "P"}


def unwrap_text_spans(pdf: Any) -> None:
    """WeasyPrint tags each run of text on a line as a Span element holding one marked
    content sequence: two thirds of a book's structure elements, and of the time its join
    spends copying them. Such a Span says nothing its parent does not (no attributes, no
    alternate text), so its parent holds the marked content itself, as WeasyPrint's own
    links do, and the parent tree maps it there. The emptied Span is no longer referenced."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    objects, parent_of = pdf.objects, {}
    for element in objects:
        if not plain_span(element):
            continue
        parent = objects[int(element["P"].split()[0])]
        if parent.get("Pg") != element.get("Pg"):  # the MCID must be on the parent's page
            continue
        kids = parent["K"]
        kids[kids.index(element.reference)] = element["K"][0]
        parent_of[element.reference] = parent.reference
        element.clear()
    if not parent_of:
        return
    tree = objects[int(objects[int(pdf.catalog["StructTreeRoot"].split()[0])]["ParentTree"]
                           .split()[0])]
    for entry in tree["Nums"][1::2]:
        if isinstance(entry, list):
            entry[:] = [parent_of.get(reference, reference) for reference in entry]


def plain_span(element: Any) -> bool:
    return isinstance(element, dict) and element.get("S") == "/Span" \
        and element.keys() <= PLAIN_SPAN_KEYS and len(element.get("K", ())) == 1 \
        and isinstance(element["K"][0], int)
