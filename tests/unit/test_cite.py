""""Cite this": an essay's and the series' record, the citation each shipped CSL style
gives it (what citeproc-py itself prints for the same record), the BibTeX, RIS and CSL-JSON
files, and the Highwire Press and schema.org tags, checked against their rules."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import bibtexparser
import pytest

from qlabbook.markdown.convert import convert_essays
from qlabbook.references.cite import PLACE, essay_item
from qlabbook.references.styles import load_style, shipped_style_path
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import BibliographyOptions, Collection, EssaySource, Metadata, Options
from qlabbook.web.citing import essay_citings

URL = "https://essays.example.org/harbours/"


def series(tmp_path: Path, style: str | None = None) -> Collection:
    (tmp_path / "refs.bib").write_text("@book{x, title={T}, author={A, B}, year=2001}\n")
    sources = [EssaySource(path=Path("essays/01-quay.md"), number=1, slug="01-quay",
                           title="The quay & the tide", body="Text.\n", body_line=5,
                           date=dt.date(2019, 5, 14), date_label="14 May 2019",
                           authors=("Ada Lovelace", "The Q Lab"), summary="On the quay."),
               EssaySource(path=Path("essays/02-night.md"), number=2, slug="02-night",
                           title="Night", body="Text.\n", body_line=5)]
    options = Options(web_url=URL, bibliography=BibliographyOptions(("refs.bib",), style)
                      if style else None)
    meta = Metadata(title="Harbours", series="Project two", authors=("The Q Lab",),
                    publisher="The Q Lab", language="en-GB", date=dt.date(2019, 5, 1))
    return convert_essays(tmp_path, meta, options, sources, Diagnostics())


def citeproc_entry(style_name: str, item: dict[str, object]) -> str:
    """citeproc-py's own reference list entry for the record, markup stripped."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style = load_style(shipped_style_path(style_name), style_name, "en-GB")  # type: ignore[arg-type]
    processor = CitationStylesBibliography(style.csl, CiteProcJSON([{**item, "id": "k"}]),
                                           formatter.plain)
    processor.register(Citation([CitationItem("k")]))
    return " ".join(str(processor.bibliography()[0]).split())


def plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")
    return " ".join(text.split())


@pytest.mark.parametrize("style", ["apa", "chicago-note-bibliography", "nlm-citation-sequence"])
def test_the_citation_is_what_citeproc_gives_in_each_shipped_style(tmp_path: Path,
                                                                      style: str) -> None:
    collection = series(tmp_path, style)
    _, essays = essay_citings(collection, {})
    item = essay_item(collection, collection.essays[0], URL + "01-quay/")
    expected = citeproc_entry(style, item)
    if style == "nlm-citation-sequence":  # the numeric label means nothing for one record
        expected = re.sub(r"^1\.\s*", "", expected)
    assert plain(essays["e1"].citation) == expected
    assert "Lovelace" in expected and "the quay & the tide" in expected.lower()


def test_files_hold_the_same_record(tmp_path: Path) -> None:
    collection = series(tmp_path)
    _, essays = essay_citings(collection, {None: "downloads/harbours.pdf"})
    files = {path: text for path, _, text in essays["e1"].files}
    assert set(files) == {"cite/01-quay.bib", "cite/01-quay.ris", "cite/01-quay.json"}
    entry = bibtexparser.parse_string(files["cite/01-quay.bib"]).entries[0]
    assert entry.entry_type == "article" and entry.key == "01-quay"
    assert entry["title"] == "The quay \\& the tide"
    assert entry["author"] == "Lovelace, Ada and {The Q Lab}"
    assert (entry["year"], entry["month"], entry["url"]) == ("2019", "5", URL + "01-quay/")
    ris = files["cite/01-quay.ris"].split("\r\n")
    assert ris[0] == "TY  - JOUR" and ris[-2] == "ER  - " and ris[-1] == ""
    assert "AU  - Lovelace, Ada" in ris and "AU  - The Q Lab" in ris and "DA  - 2019/05/14" in ris
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in ris[:-1])
    record = json.loads(files["cite/01-quay.json"])[0]
    assert record["type"] == "article" and record["issued"] == {"date-parts": [[2019, 5, 14]]}
    assert record["author"] == [{"family": "Lovelace", "given": "Ada"}, {"literal": "The Q Lab"}]


def test_highwire_and_schema_org_tags_follow_their_rules(tmp_path: Path) -> None:
    collection = series(tmp_path)
    site, essays = essay_citings(collection, {None: "downloads/harbours.pdf",
                                              1: "downloads/essays/01-quay.pdf"})
    tags = essays["e1"].tags
    names = [name for name, _ in tags]
    # Google Scholar: a title, every author, a date as YYYY/MM/DD, absolute addresses.
    assert ("citation_title", "The quay & the tide") in tags
    assert [value for name, value in tags if name == "citation_author"] == [
        "Lovelace, Ada", "The Q Lab"]
    assert ("citation_publication_date", "2019/05/14") in tags
    assert ("citation_pdf_url", URL + "downloads/essays/01-quay.pdf") in tags
    assert names.count("citation_title") == 1 and "citation_journal_title" in names
    # The second essay has no date of its own: the series' is given.
    assert ("citation_publication_date", "2019/05/01") in essays["e2"].tags
    data = json.loads(str(essays["e1"].json_ld).replace("<\\/", "</"))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert 0 < len(data["headline"]) <= 110 and data["datePublished"] == "2019-05-14"
    assert [a["@type"] for a in data["author"]] == ["Person", "Organization"]
    assert all(a["name"] for a in data["author"])
    assert data["isPartOf"]["@type"] == "CreativeWorkSeries" and data["url"] == URL + "01-quay/"
    assert json.loads(str(site.json_ld))["@type"] == "CreativeWorkSeries"


def test_a_month_stays_a_month_and_an_undated_essay_has_the_series_date(tmp_path: Path) -> None:
    """Every offer of the record gives its date to the precision the essay gives it, and an
    essay without a date the series' date, as its own PDF and EPUB do."""
    collection = series(tmp_path)
    quay, night = collection.essays
    monthly = replace(collection, essays=(replace(quay, source=replace(
        quay.source, date=dt.date(2019, 6, 1), date_label="June 2019", month_only=True)),
        night))
    _, essays = essay_citings(monthly, {})
    assert essay_item(monthly, monthly.essays[0], "")["issued"] == {"date-parts": [[2019, 6]]}
    assert ("citation_publication_date", "2019/06") in essays["e1"].tags
    dates = [json.loads(str(essays[anchor].json_ld))["datePublished"] for anchor in ("e1", "e2")]
    assert dates == ["2019-06", "2019-05-01"]
    ris = [line for _, _, text in essays["e1"].files for line in text.split("\r\n")
           if line.startswith("DA  -")]
    assert ris == ["DA  - 2019/06"]


@pytest.mark.parametrize("style", ["apa", "chicago-note-bibliography", "nlm-citation-sequence"])
def test_a_title_with_angle_brackets_is_text_in_the_citation(tmp_path: Path, style: str) -> None:
    collection = series(tmp_path, style)
    first = collection.essays[0]
    source = replace(first.source, title="Why x < y: <b>tides</b>")
    collection = replace(collection, essays=(replace(first, source=source),
                                             *collection.essays[1:]))
    _, essays = essay_citings(collection, {})
    citation = str(essays["e1"].citation)
    assert "<b>" not in citation and "&lt;b&gt;tides&lt;/b&gt;" in citation.replace(
        "&lt;B&gt;", "&lt;b&gt;").replace("&lt;/B&gt;", "&lt;/b&gt;")
    assert "x &lt; y" in citation.lower()


def citeproc_cite(style_name: str, item: dict[str, object], label: str, locator: str,
                  language: str = "en-GB") -> str:
    """citeproc-py's own citation of the record at a locator, markup stripped."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    style = load_style(shipped_style_path(style_name), style_name, language)  # type: ignore[arg-type]
    processor = CitationStylesBibliography(style.csl, CiteProcJSON([{**item, "id": "k"}]),
                                           formatter.plain)
    citation = Citation([CitationItem("k", locator=Locator(label, locator))])
    processor.register(citation)
    return " ".join(str(processor.cite(citation, lambda item: None)).split())


@pytest.mark.parametrize("style", ["apa", "chicago-note-bibliography"])
def test_a_paragraph_is_cited_as_citeproc_cites_a_place(tmp_path: Path, style: str) -> None:
    """The forms, filled in as the page's script fills them, give what citeproc-py prints
    for the same place: on one page, across two (plural), and by paragraph alone."""
    collection = series(tmp_path, style)
    _, essays = essay_citings(collection, {})
    places = essays["e1"].places
    assert places is not None
    item = essay_item(collection, collection.essays[0], URL + "01-quay/")
    filled = plain(places.page.replace(PLACE, "23"))
    assert filled == citeproc_cite(style, item, "page", "23")
    assert plain(places.pages.replace(PLACE, "22–23")) == citeproc_cite(style, item, "page",
                                                                        "22–23")
    assert plain(places.paragraph.replace(PLACE, "12")) == citeproc_cite(style, item,
                                                                         "paragraph", "12")
    if style == "apa":
        assert "p. 23" in filled and "pp. 22–23" in plain(places.pages.replace(PLACE, "22–23"))
    assert (places.page_term, places.pages_term, places.paragraph_term) == ("p.", "pp.", "para.")


def test_a_numeric_style_cites_a_paragraph_by_its_entry_and_place(tmp_path: Path) -> None:
    collection = series(tmp_path, "nlm-citation-sequence")
    _, essays = essay_citings(collection, {})
    places = essays["e1"].places
    assert places is not None
    assert places.page == f"{essays['e1'].citation} p. {PLACE}."
    assert not essays["e1"].in_text  # the entry is whole: no reference beside it


def test_a_german_collection_cites_in_german_after_an_english_one(tmp_path: Path) -> None:
    """The formats remembered for a style are remembered with its locale."""
    english = series(tmp_path, "apa")
    essay_citings(english, {})
    german = replace(english, metadata=replace(english.metadata, language="de-DE"))
    _, essays = essay_citings(german, {})
    places = essays["e1"].places
    assert places is not None
    assert (places.page_term, places.paragraph_term) == ("S.", "Abs.")
    assert "S. " + PLACE in places.page
