""""Cite this" on the web pages: the citation in the collection's CSL style, the record as
BibTeX, RIS and CSL-JSON files to download, Highwire Press tags (what Google Scholar reads)
and schema.org JSON-LD, all from one CSL-JSON record of the essay or of the series; and for
each paragraph of an essay, its citation with the print pages and the paragraph's number."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from markupsafe import Markup

from qlabbook.references.cite import (
    PLACE,
    PlaceForms,
    bibtex,
    citation_style,
    csl_json,
    essay_item,
    formatted_reference,
    place_forms,
    record_date,
    ris,
    series_item,
)
from qlabbook.references.styles import Style
from qlabbook.source.model import Collection, Essay
from qlabbook.source.names import display_name, sort_name
from qlabbook.web.pages import WebBody
from qlabbook.web.paths import CITE_FOLDER, essay_path
from qlabbook.web.search import essay_blocks, opening_page

PARAGRAPH_SCRIPT = f"{CITE_FOLDER}/paragraph.js"
FORMATS = (("bib", "BibTeX", bibtex), ("ris", "RIS", ris), ("json", "CSL-JSON", csl_json))


@dataclass(frozen=True)
class Citing:
    """What one page offers to cite it by."""

    citation: Markup  # as the style prints it
    files: tuple[tuple[str, str, str], ...]  # (site path, label, text) of each download
    tags: tuple[tuple[str, str], ...]  # Highwire Press <meta name= content=>
    json_ld: Markup  # the <script type="application/ld+json"> body
    places: PlaceForms | None = None  # an essay's: how a paragraph in it is cited
    in_text: bool = False  # the style's citation needs its reference entry beside it

    def site_files(self) -> dict[str, bytes]:
        return {path: text.encode("utf-8") for path, _, text in self.files}


def citing(collection: Collection, style: Style, item: dict[str, Any], stem: str,
           json_ld: dict[str, Any], pdf: str, places: PlaceForms | None = None) -> Citing:
    files = tuple((f"{CITE_FOLDER}/{stem}.{suffix}", label, write(item))
                  for suffix, label, write in FORMATS)
    return Citing(Markup(formatted_reference(style, item)), files,
                  highwire_tags(collection, item, pdf), script_json(json_ld), places,
                  style.kind == "author-date")


def script_json(value: Any) -> Markup:
    """`value` as JSON inside a <script> element, which ends at the first "</"."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("</", "<\\/"))


def essay_citings(collection: Collection, pdfs: dict[int | None, str]
                  ) -> tuple[Citing, dict[str, Citing]]:
    """The series page's and each essay's (by anchor). `pdfs` are the site paths of the
    PDFs offered, by essay number (None: the collected book's)."""
    style = citation_style(collection)
    url = collection.options.web_url
    series = citing(collection, style, series_item(collection, url), "series",
                    series_json_ld(collection), pdfs.get(None, ""))
    essays = {}
    for essay in collection.essays:
        address = url + essay_path(essay) if url else ""
        item = essay_item(collection, essay, address)
        essays[essay.anchor] = citing(collection, style, item, essay.file_stem,
                                      essay_json_ld(collection, essay, item),
                                      pdfs.get(essay.number, pdfs.get(None, "")),
                                      place_forms(style, item))
    return series, essays


def paragraph_citation(collection: Collection, essay: Essay, cite: Citing,
                       body: WebBody) -> Markup:
    """What the essay page's script needs to cite each paragraph: the citation's forms with
    the place left as `place`, the locale's words for pages and paragraphs, the essay's
    address (else the page's own is used), and each paragraph's id, number and print pages
    ("23", "22–23", or "" without a print edition)."""
    if cite.places is None:
        return Markup("")
    own = re.compile(re.escape(essay.anchor) + r"-p(\d+)")
    numbered = [(block, own.fullmatch(block.element.get("id", "")))
                for block in essay_blocks(body.html, opening_page(body))]
    url = collection.options.web_url
    return script_json({
        **asdict(cite.places), "place": PLACE,
        "reference": str(cite.citation) if cite.in_text else "",
        "address": url + essay_path(essay) if url else "",
        "paragraphs": [[block.element.get("id"), int(found.group(1)),
                        block.pages if block.first else ""]
                       for block, found in numbered if found]})


def highwire_tags(collection: Collection, item: dict[str, Any],
                  pdf: str) -> tuple[tuple[str, str], ...]:
    """citation_title, each citation_author, citation_publication_date (YYYY/MM/DD), the
    series as the journal, and with [web] url the absolute addresses of the page's PDF."""
    tags = [("citation_title", item["title"])]
    tags += [("citation_author", sort_name(name)) for name in item.get("author", [])]
    tags.append(("citation_publication_date", record_date(item, "/")))
    if item["type"] == "article":
        tags.append(("citation_journal_title", item.get("container-title", "")))
        tags.append(("citation_issue", item.get("number", "")))
    tags += [("citation_publisher", item.get("publisher", "")),
             ("citation_language", item.get("language", ""))]
    url = collection.options.web_url
    if url and pdf:
        tags.append(("citation_pdf_url", url + pdf))
    if url and item.get("URL"):
        tags.append(("citation_abstract_html_url", item["URL"]))
    return tuple((name, value) for name, value in tags if value)


def people_ld(names: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"@type": "Organization", "name": name["literal"]} if "literal" in name else
            {"@type": "Person", "name": display_name(name),
             "givenName": name["given"], "familyName": name["family"]} for name in names]


def series_json_ld(collection: Collection) -> dict[str, Any]:
    meta = collection.metadata
    found: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "CreativeWorkSeries",
        "name": meta.series or meta.title, "inLanguage": meta.language,
        "author": people_ld(series_item(collection, "").get("author", []))}
    if collection.options.web_url:
        found["url"] = collection.options.web_url
    if meta.publisher:
        found["publisher"] = {"@type": "Organization", "name": meta.publisher}
    return found


def essay_json_ld(collection: Collection, essay: Essay, item: dict[str, Any]) -> dict[str, Any]:
    """An Article within the series' CreativeWorkSeries."""
    found: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Article", "headline": essay.title,
        "author": people_ld(item.get("author", [])), "inLanguage": item["language"],
        "isPartOf": {key: value for key, value in series_json_ld(collection).items()
                     if key != "@context"}, "position": essay.number}
    if item.get("issued"):  # the citation's date: the essay's own, else the series'
        found["datePublished"] = record_date(item)
    if item.get("URL"):
        found["url"] = item["URL"]
    if essay.source.summary:
        found["description"] = essay.source.summary
    return found
