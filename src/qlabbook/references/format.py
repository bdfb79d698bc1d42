"""One essay's citations and reference list through citeproc-py: numbered per essay in
order of first citation, positions (ibid., short forms) as the style says, names for
narrative citations, authors suppressed, and every DOI and URL a link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from typing import Any

from qlabbook.references.bibliography import Bibliography
from qlabbook.references.links import clean_markup
from qlabbook.references.rich import plain, to_html
from qlabbook.references.syntax import CiteItem

# Stands for a suppressed author while the style formats; removed with what follows it.
SUPPRESSED = "QlabSuppressedAuthor"
LABEL = re.compile(r"^\s*((?:<[^>]+>)*\[?\(?\d+[.)\]]?(?:</[^>]+>)*)\s*")


@dataclass(frozen=True)
class CitationRequest:
    items: tuple[CiteItem, ...]
    narrative: bool = False


@dataclass(frozen=True)
class Reference:
    key: str
    html: str  # the entry as formatted, links made
    label: str = ""  # its number as the style prints it ("1."), for numeric styles


@dataclass(frozen=True)
class FormattedEssay:
    citations: tuple[tuple[str, ...], ...]  # per request, each item's HTML (or one for all)
    delimiter: str  # what stands between the items of one citation
    names: tuple[str, ...]  # per request: the authors' names for a narrative citation
    references: tuple[Reference, ...]


def format_essay(bibliography: Bibliography,
                 requests: list[CitationRequest]) -> FormattedEssay:
    """Format `requests` (in reading order; every key known) and the essay's reference list."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    keys = list(dict.fromkeys(item.key for request in requests for item in request.items))
    internal = {key: f"r{index}" for index, key in enumerate(keys)}  # citeproc lowercases keys
    by_internal = {value: key for key, value in internal.items()}
    items = [{**bibliography.entries[key].item, "id": internal[key]} for key in keys]
    style = bibliography.style
    processor = CitationStylesBibliography(style.csl, CiteProcJSON(items), formatter.html)
    # Registered without locators first, so no locator reaches the reference list.
    processor.register(Citation([CitationItem(internal[key]) for key in keys]))
    processor.sort()
    shadow = None
    if style.kind != "numeric" and any(r.narrative or i.suppress_author
                                       for r in requests for i in r.items):
        shadow_items = [{**item, "author": [{"literal": SUPPRESSED}]} for item in items]
        shadow = CitationStylesBibliography(style.csl, CiteProcJSON(shadow_items),
                                            formatter.html)
        shadow.register(Citation([CitationItem(internal[key]) for key in keys]))
        shadow.sort()
    citations, names = [], []
    for request in requests:
        cite_items = [citation_item(internal[i.key], i) for i in request.items]
        suppress = shadow is not None and (request.narrative or all(
            i.suppress_author for i in request.items))
        if request.narrative and style.kind == "note":
            suppress = False
        target = shadow if suppress and shadow is not None else processor
        citation = Citation(cite_items)
        target.register(citation)
        html = str(target.cite(citation, lambda item: None))
        if suppress:
            html = re.sub(SUPPRESSED + r"(?:</[^>]+>)*[,;:]?\s*", "", html)
            html = re.sub(r"\(\s*\)", "", html)
        if target is not processor:  # the style's positions (ibid.) count every citation
            counted = Citation([citation_item(internal[i.key], i) for i in request.items])
            processor.register(counted)
            processor.cite(counted, lambda item: None)
        citations.append(split_items(to_html(clean_markup(html)), style.csl,
                                     len(request.items)))
        names.append(narrative_names(bibliography.entries[request.items[0].key].item)
                     if request.narrative else "")
    references = []
    for key, html in zip(processor.keys, processor.bibliography(), strict=False):
        text, label = to_html(clean_markup(str(html))), ""
        if style.label_column:
            found = LABEL.match(text)
            if found:
                label, text = re.sub(r"<[^>]+>", "", found.group(1)), text[found.end():]
        text = keep_address(text, bibliography.entries[by_internal[key]].item)
        references.append(Reference(by_internal[key], text, label))
    return FormattedEssay(tuple(citations), layout_delimiter(style.csl), tuple(names),
                          tuple(references))


def keep_address(text: str, item: dict[str, Any]) -> str:
    """The entry with its DOI or URL, which some styles (and citeproc-py with some item
    types) leave out: a reader must be able to find the work."""
    doi, url = plain(str(item.get("DOI") or "")), plain(str(item.get("URL") or ""))
    shown = unescape(re.sub(r"<[^>]+>", "", text))
    if doi and doi.lower() not in shown.lower():
        return f"{text.rstrip()} https://doi.org/{escape(doi, quote=False)}"
    if url and not doi and url not in shown and escape(url, quote=False) not in text:
        return f"{text.rstrip()} {escape(url, quote=False)}"
    return text


def citation_item(key: str, item: CiteItem) -> Any:
    from citeproc import CitationItem, Locator

    options: dict[str, Any] = {}
    if item.locator:
        options["locator"] = Locator(item.label or "page", item.locator)
    if item.prefix:
        options["prefix"] = item.prefix + " "
    if item.suffix:
        options["suffix"] = item.suffix if item.suffix[0] in ",.;: " else " " + item.suffix
    return CitationItem(key, **options)


def split_items(html: str, csl: Any, count: int) -> tuple[str, ...]:
    """The citation's text cut into its items at the layout's delimiter, so each links to
    its own entry; the whole, when the parts cannot be told apart (collapsed numbers)."""
    if count == 1:
        return (html,)
    delimiter = layout_delimiter(csl)
    parts = html.split(delimiter) if delimiter else [html]
    if len(parts) != count:
        return (html,)
    return tuple(parts)


def layout_delimiter(csl: Any) -> str:
    layout = csl.root.citation.find("cs:layout", csl.root.nsmap)
    return str(layout.get("delimiter", "")) if layout is not None else ""


def layout_affixes(csl: Any) -> tuple[str, str]:
    """What the style's citations begin and end with: "(" and ")" for APA."""
    layout = csl.root.citation.find("cs:layout", csl.root.nsmap)
    if layout is None:
        return "", ""
    return str(layout.get("prefix", "")), str(layout.get("suffix", ""))


def narrative_names(item: dict[str, Any]) -> str:
    """"Smith", "Smith and Jones", "Smith et al." (or the title, for a work by no one)."""
    people = item.get("author") or item.get("editor") or []
    names = []
    for person in people:
        if not isinstance(person, dict):
            continue
        name = person.get("literal") or " ".join(
            part for part in (person.get("non-dropping-particle"), person.get("family")) if part)
        if name:
            names.append(plain(str(name)))
    if not names:
        return plain(str(item.get("title-short") or item.get("title") or item.get("id", "")))
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."
