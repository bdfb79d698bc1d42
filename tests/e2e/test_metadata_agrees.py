"""The editions say of themselves what "Cite this" says of them: the collected PDF's and
EPUB's metadata name the title, the authors in order, the date, the language, the publisher
and the series of the series' record (references/cite.py's series_item), and each essay's
own PDF and EPUB those of the essay's record (essay_item), which the web edition offers as
its citation, BibTeX, RIS, Highwire tags and JSON-LD. Read as a library or a reference
manager reads them: the PDF's Info dictionary and XMP packet, the EPUB's package document."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from helpers import epub_documents, epubcheck, page_texts, run_cli
from qlabbook.build import load_collection
from qlabbook.references.cite import essay_item, series_item

CONFIG = """[collection]
title = "Harbours"
subtitle = "Essays on the quay"
series = "Harbour studies"
authors = ["Ada Lovelace", "Babbage, Charles"]
publisher = "Quay Press"
language = "en-GB"
date = 2021-03-04
"""
# Its own authors, one written family name first, and a month for its date.
QUAY = """---
title: The quay
number: 1
date: 2020-06
authors: [Grace Hopper, "Hamilton, Margaret", The Q Lab]
---

The quay at first light.
"""
# The collection's authors, and a day; a picture without alt text, so that its PDFs (and
# the collected one) claim no PDF/UA, which is when WeasyPrint writes no XMP of its own.
NIGHT = """---
title: Night
number: 2
date: 2020-07-15
---

At night the quay rests.

![](../images/night.png)
"""
# Neither authors nor a date: the collection's.
TIDE = """---
title: The tide
number: 3
---

The tide comes in.
"""
ESSAYS = {"01-quay": QUAY, "02-night": NIGHT, "03-tide": TIDE}
OPF = {"dc": "http://purl.org/dc/elements/1.1/", "opf": "http://www.idpf.org/2007/opf"}


def write_collection(root: Path) -> Path:
    (root / "essays").mkdir(parents=True)
    (root / "images").mkdir()
    Image.new("RGB", (40, 30), "midnightblue").save(root / "images" / "night.png")
    (root / "qlabbook.toml").write_text(CONFIG)
    for stem, text in ESSAYS.items():
        (root / "essays" / f"{stem}.md").write_text(text)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_collection(tmp_path_factory.mktemp("metadata") / "harbours")
    result: Any = run_cli("build", root, "--out", root / "out", "--essays", "--no-cache")
    assert result.exit_code == 0, result.output
    assert [line.rsplit("[", 1)[-1] for line in result.stderr.splitlines()
            if not line.startswith("    hint:")] == ["I103]", "E101]"]
    return root


def records(root: Path) -> dict[str, dict[str, Any]]:
    """The records the web edition offers, by the stem of the edition they describe."""
    collection = load_collection(root)
    found = {"harbours": series_item(collection, "")}
    for essay in collection.essays:
        found[f"essays/{essay.file_stem}"] = essay_item(collection, essay, "")
    return found


def names(item: dict[str, Any]) -> list[str]:
    """The record's authors as a reader is shown them, in order."""
    return [name.get("literal") or f"{name['given']} {name['family']}"
            for name in item.get("author", [])]


def w3c_date(item: dict[str, Any]) -> str:
    """The record's date as ISO 8601 writes it, to the precision it has: 2020-06, 2020-07-15."""
    parts = item["issued"]["date-parts"][0]
    return "-".join(f"{part:02d}" if index else str(part) for index, part in enumerate(parts))


def pdf_metadata(path: Path) -> dict[str, Any]:
    """What the PDF says of itself, the Info dictionary and the XMP packet agreeing."""
    with pikepdf.open(path) as pdf:
        info = {str(key): str(value) for key, value in pdf.docinfo.items()}
        xmp = pdf.open_metadata()
        found = {"title": xmp.get("dc:title"), "authors": list(xmp.get("dc:creator", [])),
                 "date": list(xmp.get("dc:date", [])), "language": list(xmp.get("dc:language", [])),
                 "publisher": list(xmp.get("dc:publisher", [])), "keywords": info.get("/Keywords"),
                 "lang": str(pdf.Root.get("/Lang", "")),
                 "claims": xmp.get("pdfuaid:part")}
    assert info["/Title"] == found["title"]
    assert info["/Author"] == ", ".join(found["authors"])
    return found


def epub_metadata(path: Path) -> dict[str, Any]:
    """What the EPUB's package document says of the book."""
    with zipfile.ZipFile(path) as archive:
        package = ET.fromstring(archive.read("EPUB/content.opf"))
    metadata = package.find("opf:metadata", OPF)
    assert metadata is not None

    def texts(name: str) -> list[str]:
        return [element.text or "" for element in metadata.iterfind(name, OPF)]

    refined = {(meta.get("refines"), meta.get("property")): meta.text
               for meta in metadata.iterfind("opf:meta[@refines]", OPF)}
    creators = metadata.findall("dc:creator", OPF)
    series = metadata.find("opf:meta[@property='belongs-to-collection']", OPF)
    return {"title": texts("dc:title"), "authors": [c.text for c in creators],
            "sorted": [refined.get((f"#{c.get('id')}", "file-as")) for c in creators],
            "date": texts("dc:date"), "language": texts("dc:language"),
            "publisher": texts("dc:publisher"), "package_language": package.get(
                "{http://www.w3.org/XML/1998/namespace}lang"),
            "series": series.text if series is not None else None,
            "position": refined.get(("#series", "group-position"))}


def sort_names(item: dict[str, Any]) -> list[str | None]:
    """The file-as form of each author a reading system sorts by: none for an organisation."""
    return [None if "literal" in name else f"{name['family']}, {name['given']}"
            for name in item.get("author", [])]


@pytest.mark.slow
def test_the_test_collection_says_what_it_means_to(built: Path) -> None:
    """The records themselves: two essays' own authors, the collection's for the others;
    a month stays a month."""
    found = records(built)
    assert names(found["harbours"]) == ["Ada Lovelace", "Charles Babbage"]
    assert names(found["essays/01-quay"]) == ["Grace Hopper", "Margaret Hamilton", "The Q Lab"]
    assert names(found["essays/02-night"]) == names(found["harbours"])
    assert [w3c_date(found[stem]) for stem in sorted(found)] == [
        "2020-06", "2020-07-15", "2021-03-04", "2021-03-04"]


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["harbours", "essays/01-quay", "essays/02-night",
                                  "essays/03-tide"])
def test_pdf_metadata_is_the_citation_record(built: Path, stem: str) -> None:
    item = records(built)[stem]
    pdf = pdf_metadata(built / "out" / f"{stem}.pdf")
    assert pdf["title"] == item["title"]
    assert pdf["authors"] == names(item)
    assert pdf["date"] == [w3c_date(item)]
    assert pdf["lang"] == item["language"] and pdf["language"] == [item["language"]]
    assert pdf["publisher"] == [item["publisher"]]
    assert pdf["claims"] == (None if stem in ("harbours", "essays/02-night") else "1")
    series = item["collection-title"]  # the edition line above the title page's title
    assert pdf["keywords"] == (series if stem == "harbours" else
                               f"{series} \u00b7 Essay {item['number']}")


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["harbours", "essays/01-quay", "essays/02-night",
                                  "essays/03-tide"])
def test_epub_metadata_is_the_citation_record(built: Path, stem: str) -> None:
    item = records(built)[stem]
    epub = epub_metadata(built / "out" / f"{stem}.epub")
    assert epub["title"] == [item["title"]]
    assert epub["authors"] == names(item)
    assert epub["sorted"] == sort_names(item)
    assert epub["date"] == [w3c_date(item)]
    assert epub["language"] == [item["language"]] == [epub["package_language"]]
    assert epub["publisher"] == [item["publisher"]]
    assert epub["series"] == item["collection-title"]
    assert epub["position"] == item.get("number")  # the collected book has no place in it


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("stem", ["harbours", "essays/01-quay"])
def test_the_epubs_pass_epubcheck(built: Path, stem: str) -> None:
    assert epubcheck(built / "out" / f"{stem}.epub") == []


@pytest.mark.slow
def test_the_same_sources_give_the_same_bytes(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "harbours"
    shutil.copytree(built, again, ignore=shutil.ignore_patterns("out", ".qlabbook-cache"))
    result: Any = run_cli("build", again, "--out", again / "out", "--essays", "--no-cache")
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(built / "out") for p in (built / "out").rglob("*.*")
                   if p.suffix in (".pdf", ".epub"))
    assert len(files) == 8
    for name in files:
        assert (again / "out" / name).read_bytes() == (built / "out" / name).read_bytes(), name


def test_the_pages_name_the_authors_as_the_records_do(built: Path) -> None:
    """Title page, contents and essays' openings, in the PDF and the EPUB: a name written
    family name first is printed as a reader is shown it, as the metadata has it."""
    pdf = " ".join(page_texts(built / "out" / "harbours.pdf"))
    epub = " ".join(re.sub(r"<[^>]+>", " ", text)  # its pages; the OPF's file-as sorts
                    for name, text in epub_documents(built / "out" / "harbours.epub").items()
                    if name.endswith(".xhtml"))
    for text in (pdf, " ".join(epub.split())):
        assert "Ada Lovelace, Charles Babbage" in text
        assert "Grace Hopper, Margaret Hamilton, The Q Lab" in text
        assert "Babbage, Charles" not in text and "Hamilton, Margaret" not in text
