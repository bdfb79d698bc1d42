"""Headings get ids; links to essays and headings become in-book anchors, checked."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from qlabbook.markdown.context import EssayContext
from qlabbook.markdown.extensions.citations import LINK_CLASS
from qlabbook.markdown.sanitize import unwrap
from qlabbook.markdown.sitelinks import resolve_site_link
from qlabbook.source import ids
from qlabbook.source.model import Essay, Heading
from qlabbook.source.text import slugify

ANCHOR = re.compile(r'\sid="([^"]+)"')  # any element's id in an essay's XHTML: a link's target


def assign_heading_ids(body: ET.Element, anchor: str,
                       written: dict[ET.Element, str] | None = None,
                       aliases: dict[str, str] | None = None) -> list[Heading]:
    """Give headings stable, essay-prefixed ids; body headings start at level 2. Ids the
    author gave are kept (the sanitizer made them valid; `written` holds those it rewrote,
    with the id as written) and taken before ones made from the text, so a link to an
    author's id never finds another heading. `aliases` receives each id the author wrote,
    as written -> the heading's id, for links and cross-references written to it."""
    heading_elements = [h for h in body.iter() if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    if not heading_elements:
        return []
    written = written or {}
    shift = max(0, 2 - min(int(h.tag[1]) for h in heading_elements))
    # Ids the templates give the essay's title, notes section and note calls.
    seen: set[str] = set(ids.TEMPLATE_SLUGS)
    slugs: dict[ET.Element, str] = {}
    # The author's own ids as written first, then the rewritten ones, then the text's.
    for rank in (0, 1, 2):
        for element in heading_elements:
            own = element.get("id")
            if rank != (2 if not own else 1 if element in written else 0):
                continue
            base = own or slugify(" ".join("".join(element.itertext()).split())) or "section"
            slug, counter = base, 2
            if ids.RESERVED_SLUG.match(base):
                base = slug = f"section-{base}"
            while slug in seen:
                slug, counter = f"{base}-{counter}", counter + 1
            seen.add(slug)
            slugs[element] = slug
    headings = []
    for element in heading_elements:
        level = min(6, int(element.tag[1]) + shift)
        element.tag = f"h{level}"
        text = " ".join("".join(element.itertext()).split())
        own = element.get("id")
        element.set("id", ids.heading_id(anchor, slugs[element]))
        headings.append(Heading(level, text, ids.heading_id(anchor, slugs[element])))
        if element in written and aliases is not None:
            aliases[written[element]] = ids.heading_id(anchor, slugs[element])
        elif own and aliases is not None:  # a cross-reference label ({#sec-method}) among them
            aliases.setdefault(own, ids.heading_id(anchor, slugs[element]))
    return headings


def assign_anchor_ids(body: ET.Element, anchor: str, headings: list[Heading],
                      written: dict[ET.Element, str], aliases: dict[str, str]) -> None:
    """Ids the author put on other elements (`<a name="foot1">`, `<li id="fn1">`) are
    anchors: prefixed like the headings' and unique among them, each recorded in `aliases`
    as written -> its id, so links to it lead there. The headings' ids come first."""
    seen = {*ids.TEMPLATE_SLUGS, *(h.anchor.removeprefix(anchor + "-") for h in headings)}
    for element in body.iter():
        own = element.get("id")
        if not own or element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            continue
        base = slug = f"anchor-{own}" if ids.RESERVED_SLUG.match(own) else own
        counter = 2
        while slug in seen:
            slug, counter = f"{base}-{counter}", counter + 1
        seen.add(slug)
        element.set("id", ids.heading_id(anchor, slug))
        aliases.setdefault(written.get(element, own), ids.heading_id(anchor, slug))


def unreadable_essay(context: EssayContext, path: str) -> bool:
    """Whether `path` is an essay file that could not be read (its front matter is broken):
    that error is reported at the file, and a link to it is not a second problem."""
    target = Path(posixpath.normpath(posixpath.join(context.source.path.parent.as_posix(),
                                                    unquote(path))))
    return target in context.unreadable


def resolve_links(body: ET.Element, context: EssayContext) -> None:
    """Links to essays become in-book anchors (#e2-heading), whether written as a file name,
    a site permalink or a shortcode; other local links keep their text, with a warning."""
    occurrences: dict[str, int] = {}  # the same link written twice is reported at each line
    parents = {child: parent for parent in body.iter() for child in parent}
    headings = {e.get("id", ""): e.get("id", "") for e in body.iter() if e.get("id")}
    for link in list(body.iter("a")):
        href = link.get("href", "")
        if link.get("class") == LINK_CLASS:
            continue  # a citation's link to its reference entry
        parts = urlsplit(href)
        if not href or parts.scheme not in ("", "http", "https"):
            continue  # mailto: and the like; unsafe schemes are gone already
        text = "".join(link.itertext())
        if not parts.scheme and not parts.netloc and not parts.path:  # a fragment here
            target = heading_target(context, context.anchor, parts.fragment)
            target = close_match(target, headings, context, f"(#{parts.fragment}")
        else:
            essay = None if parts.scheme or parts.netloc else context.essay_anchors.get(
                posixpath.normpath(posixpath.join(context.source.path.parent.as_posix(),
                                                  unquote(parts.path))))
            if essay is None:
                found, url = resolve_site_link(href, context)
                if found is None and url is None and not parts.scheme and not parts.netloc \
                        and not href.startswith("/") and "{" not in unquote(href) \
                        and not unreadable_essay(context, parts.path):
                    context.warning("M203", f"link to {unquote(parts.path)!r}, which is not an "
                                    "essay of this collection: its text is kept",
                                    link_needle(context, f"({href}"),
                                    "link to an essay's file by its name, or give a web "
                                    "address (https://...)")
                if url is not None:
                    link.set("href", url)
                if found is None:
                    if url is None:
                        unwrap(parents[link], link)
                    continue
                target = found
            else:
                target = heading_target(context, essay, parts.fragment)
        link.set("href", f"#{target}")
        needle = link_needle(context, f"({unquote(href)}")
        line = context.line_of_occurrence(needle, occurrences.get(needle, 0))
        occurrences[needle] = occurrences.get(needle, 0) + 1
        context.links.append((target, text, line))


def heading_target(context: EssayContext, essay: str, fragment: str) -> str:
    """The id a link to `#fragment` of `essay` leads to: an id the author wrote that was
    not valid (`#sec:intro`) is rewritten as the heading's was."""
    if not fragment:
        return essay
    written = unquote(fragment)
    if essay == context.anchor and written in context.aliases:
        return context.aliases[written]
    return ids.heading_id(essay, ids.author_slug(written))


def link_needle(context: EssayContext, inline: str) -> str:
    """What finds a link's line: `(target` when it is written inline, else the definition
    `]: target` that gives a reference link its target (the bare target may be written
    before it in an image or another link, which is not where the problem is)."""
    definition = "]: " + inline[1:]
    if context.find(inline) >= 0 or context.find(definition) < 0:
        return inline
    return definition


def close_match(target: str, anchors: dict[str, str], context: EssayContext,
                needle: str) -> str:
    """`target` when it exists, else the one heading id equal to it but for case and
    punctuation (GitHub and pandoc make ids differently), with a warning."""
    if target in anchors or target == context.anchor:
        return target
    found = anchors.get(loose(target)) or {loose(a): a for a in anchors}.get(loose(target))
    if found is None:
        return target
    context.warning("M207", f"link #{target.split('-', 1)[-1]} taken as #"
                    f"{found.split('-', 1)[-1]}, the heading whose id differs only in case or "
                    "punctuation", needle, f"write #{found.split('-', 1)[-1]}")
    return found


def loose(anchor: str) -> str:
    return "".join(c for c in anchor.casefold() if c.isalnum())


def check_links(essays: list[Essay], contexts: list[EssayContext]) -> list[Essay]:
    """Every link to a heading of another essay leads somewhere: a heading whose id differs
    in case is taken (with a warning), a missing one is an error. Returns the essays with
    such links corrected."""
    anchors = {e.anchor for e in essays} | {h.anchor for e in essays for h in e.headings}
    anchors |= {unescape(found) for e in essays for found in ANCHOR.findall(e.body_html)}
    fixed = list(essays)
    for index, context in enumerate(contexts):
        for target, text, line in context.links:
            if target in anchors:
                continue
            essay, _, fragment = target.partition("-")
            same_essay = {a: a for a in anchors if a.startswith(essay + "-")}
            found = close_match(target, same_essay, context, f"#{fragment}")
            if found != target:  # notes' links are only checked here, the body's too
                before, after = f'href="#{target}"', f'href="#{found}"'
                notes = tuple(replace(n, html=n.html.replace(before, after))
                              for n in fixed[index].footnotes)
                fixed[index] = replace(fixed[index], footnotes=notes,
                                       body_html=fixed[index].body_html.replace(before, after))
                continue
            context.diagnostics.error(
                "M202", f"link {text!r} points to #{fragment}, which is not a heading of "
                f"essay {essay[1:]}", context.source.path, line,
                "headings get ids from their text: '## Next steps' is #next-steps")
    return fixed
