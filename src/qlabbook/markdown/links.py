"""Headings get ids; links to essays and headings become in-book anchors, checked."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlsplit

from qlabbook.markdown.context import EssayContext
from qlabbook.source import ids
from qlabbook.source.model import Essay, Heading
from qlabbook.source.text import slugify


def assign_heading_ids(body: ET.Element, anchor: str) -> list[Heading]:
    """Give headings stable, essay-prefixed ids; body headings start at level 2."""
    heading_elements = [h for h in body.iter() if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    if not heading_elements:
        return []
    shift = max(0, 2 - min(int(h.tag[1]) for h in heading_elements))
    # Ids the templates give the essay's title, notes section and note calls.
    seen: set[str] = set(ids.TEMPLATE_SLUGS)
    headings = []
    for element in heading_elements:
        level = min(6, int(element.tag[1]) + shift)
        element.tag = f"h{level}"
        text = " ".join("".join(element.itertext()).split())
        base = element.get("id") or slugify(text) or "section"
        slug, counter = base, 2
        if ids.RESERVED_SLUG.match(base):
            base = slug = f"section-{base}"
        while slug in seen:
            slug, counter = f"{base}-{counter}", counter + 1
        seen.add(slug)
        element.set("id", ids.heading_id(anchor, slug))
        headings.append(Heading(level, text, ids.heading_id(anchor, slug)))
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
            target = ids.heading_id(context.anchor, parts.fragment) if parts.fragment \
                else context.anchor
        else:
            path = posixpath.normpath(posixpath.join(
                context.source.path.parent.as_posix(), unquote(parts.path)))
            essay = context.essay_anchors.get(path)
            if essay is None:
                context.error("M201", f"link to {parts.path!r}, which is not an essay of this "
                              "collection", f"({href}",
                              "link to an essays/*.md file by its file name")
                continue
            target = ids.heading_id(essay, parts.fragment) if parts.fragment else essay
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
