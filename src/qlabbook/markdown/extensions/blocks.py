"""Figures (an image alone in its paragraph) and quotations with an attribution."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

ATTRIBUTION_DASHES = ("\u2014", "\u2015", "---", "&mdash;")
# Attributes that describe the picture rather than the <img>; kept on the figure as data-*.
FIGURE_ATTRIBUTES = ("credit", "licence", "source")
# What marks an <img> written as raw HTML (markdown/sanitize.py reads and removes it).
RAW_IMAGE = "data-qlab-raw"
RAW_IMG_TAG = re.compile(r"<img(?=[\s/>])", re.IGNORECASE)


class FigureProcessor(Treeprocessor):
    """`<p><img title=...></p>` -> `<figure><img><figcaption>caption credit</figcaption>`."""

    def __init__(self, md: Markdown, reading: FigureReading) -> None:
        super().__init__(md)
        self.reading = reading

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and is_lone_image(child):
                    parent[index] = make_figure(child[0], self.reading.pandoc)
                elif child.tag == "blockquote":
                    attributed = attribute_quotation(child)
                    if attributed is not None:
                        parent[index] = attributed


def is_lone_image(paragraph: ET.Element) -> bool:
    return (len(paragraph) == 1 and paragraph[0].tag == "img"
            and not (paragraph.text or "").strip() and not (paragraph[0].tail or "").strip())


def make_figure(image: ET.Element, pandoc: bool = False) -> ET.Element:
    """The figure of an image alone in its paragraph, captioned by its title; an essay read
    as pandoc reads it captions one without a title by its description, as pandoc and
    Quarto caption every such figure."""
    figure = ET.Element("figure", {"class": "figure"})
    caption = image.attrib.pop("title", "").strip() or \
        (image.get("alt", "").strip() if pandoc else "")
    for name in FIGURE_ATTRIBUTES:
        if name in image.attrib:
            figure.set(f"data-{name}", image.attrib.pop(name).strip())
    image.tail = None
    figure.append(image)
    write_caption(figure, caption)
    return figure


SENTENCE_ENDS = (".", "!", "?", "…")


def write_caption(figure: ET.Element, caption: str) -> None:
    """Caption, then credit, licence and a source that is not an address, punctuated as one
    line: "Workshop in Birmingham. Photo: Alastair Fyfe, CC BY 4.0." A source address
    links the credit (the picture-credits pages print it in full)."""
    credit, licence, source = (figure.get(f"data-{name}", "") for name in FIGURE_ATTRIBUTES)
    licence = licence.replace(" ", "\u00a0")  # "CC BY 4.0" is one name: never broken
    address = source.startswith(("http://", "https://"))
    details = [part for part in (licence, "" if address else source) if part]
    if not (caption or credit or details):
        return
    figcaption = ET.SubElement(figure, "figcaption")
    last: ET.Element | None = None
    if caption:
        last = ET.SubElement(figcaption, "span", {"class": "caption"})
        last.text = caption
        last.tail = "" if caption.endswith(SENTENCE_ENDS) else "."
    if credit or details:
        span = ET.SubElement(figcaption, "span", {"class": "credit"})
        if last is not None:
            last.tail = (last.tail or "") + " "
        span.text = "Photo: " if credit else ""
        if credit and address:
            ET.SubElement(span, "a", {"href": source}).text = credit
            span[0].tail = "".join(", " + part for part in details)
        else:
            span.text += ", ".join([credit, *details] if credit else details)
        last = span
        end = details[-1] if details else credit
        if not end.endswith(SENTENCE_ENDS):
            last.tail = "."


def attribute_quotation(quote: ET.Element) -> ET.Element | None:
    """A blockquote whose last paragraph starts with an em dash gets that line as a caption."""
    if len(quote) < 2 or quote[-1].tag != "p":
        return None
    last = quote[-1]
    text = (last.text or "").lstrip()
    dash = next((d for d in ATTRIBUTION_DASHES if text.startswith(d)), None)
    if dash is None:
        return None
    quote.remove(last)
    figure = ET.Element("figure", {"class": "quotation"})
    figure.append(quote)
    caption = ET.SubElement(figure, "figcaption", {"class": "attribution"})
    caption.text = "\u2014\u2009" + text[len(dash):].lstrip()
    for child in last:
        caption.append(child)
    keep_last_words(caption)
    return figure


def keep_last_words(element: ET.Element) -> None:
    """Join the last two words with a no-break space, so that an attribution never ends
    with one word alone on its last line ("2019" under "— Lab participant,")."""
    holder, slot = (element[-1], "tail") if len(element) else (element, "text")
    text = getattr(holder, slot) or ""
    stripped = text.rstrip()
    space = stripped.rfind(" ")
    if space > 0 and stripped[:space].strip():
        setattr(holder, slot, stripped[:space].rstrip() + "\u00a0" + stripped[space + 1:]
                + text[len(stripped):])


class RawImageMarker(Postprocessor):
    """Marks the images of raw HTML before it is put back in the text: once the essay is one
    tree, nothing else tells them from Markdown's images."""

    def run(self, text: str) -> str:
        stash = self.md.htmlStash
        stash.rawHtmlBlocks = [RAW_IMG_TAG.sub(f'<img {RAW_IMAGE}=""', block)
                               if isinstance(block, str) else block
                               for block in stash.rawHtmlBlocks]
        return text


class FigureReading:
    """Whether the essay being read is read as pandoc reads it."""

    pandoc = False


class FigureExtension(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.reading = FigureReading()

    def begin(self, pandoc: bool) -> None:
        """Caption the next essay's figures as pandoc does (by their description), or by
        their titles."""
        self.reading.pandoc = pandoc

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)  # told of each essay's reading (begin)
        # Images exist only after the inline processor (20); attr_list (8) must have moved
        # `{ credit=... }` onto the image first.
        md.treeprocessors.register(FigureProcessor(md, self.reading), "qlab_figures", 7)
        # Before raw HTML is put back in the text (30).
        md.postprocessors.register(RawImageMarker(md), "qlab_raw_images", 31)
