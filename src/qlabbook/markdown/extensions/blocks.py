"""Figures (an image alone in its paragraph) and quotations with an attribution."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

ATTRIBUTION_DASHES = ("\u2014", "\u2015", "---", "&mdash;")
# Attributes that describe the picture rather than the <img>; kept on the figure as data-*.
FIGURE_ATTRIBUTES = ("credit", "licence", "source")


class FigureProcessor(Treeprocessor):
    """`<p><img title=...></p>` -> `<figure><img><figcaption>caption credit</figcaption>`."""

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and is_lone_image(child):
                    parent[index] = make_figure(child[0])
                elif child.tag == "blockquote":
                    attributed = attribute_quotation(child)
                    if attributed is not None:
                        parent[index] = attributed


def is_lone_image(paragraph: ET.Element) -> bool:
    return (len(paragraph) == 1 and paragraph[0].tag == "img"
            and not (paragraph.text or "").strip() and not (paragraph[0].tail or "").strip())


def make_figure(image: ET.Element) -> ET.Element:
    figure = ET.Element("figure", {"class": "figure"})
    caption = image.attrib.pop("title", "").strip()
    for name in FIGURE_ATTRIBUTES:
        if name in image.attrib:
            figure.set(f"data-{name}", image.attrib.pop(name).strip())
    image.tail = None
    figure.append(image)
    credit = figure.get("data-credit", "")
    if caption or credit:
        figcaption = ET.SubElement(figure, "figcaption")
        if caption:
            ET.SubElement(figcaption, "span", {"class": "caption"}).text = caption
        if credit:
            span = ET.SubElement(figcaption, "span", {"class": "credit"})
            span.text = f"Photo: {credit}"
            if caption:
                span.text = " " + span.text
    return figure


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
    return figure


class FigureExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        # Images exist only after the inline processor (20); attr_list (8) must have moved
        # `{ credit=... }` onto the image first.
        md.treeprocessors.register(FigureProcessor(md), "qlab_figures", 7)
