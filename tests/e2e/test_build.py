"""The fixture series built through the CLI, judged by EPUBCheck and by what the PDF holds."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from helpers import FIXTURES, epub_documents, epubcheck, page_texts, run_cli

A4 = (595.28, 841.89)


@pytest.mark.slow
def test_build_succeeds_quietly_and_writes_four_files(fixture_build: dict[str, Any]) -> None:
    result = fixture_build["result"]
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no warning of any kind, WeasyPrint's included
    out = fixture_build["out"]
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".json") or
                  p.name == "manifest.json") == ["SHA256SUMS", "fixture-series.epub",
                                                 "fixture-series.pdf", "manifest.json"]


@pytest.mark.slow
def test_manifest_lists_artefacts_and_essays_in_series_order(
        fixture_build: dict[str, Any]) -> None:
    out = fixture_build["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    for artefact in manifest["artefacts"]:
        data = (out / artefact["path"]).read_bytes()
        assert artefact["bytes"] == len(data)
        assert artefact["sha256"] == hashlib.sha256(data).hexdigest()
    assert [a["format"] for a in manifest["artefacts"]] == ["pdf", "epub"]
    assert manifest["essays"] == [
        {"number": 2, "slug": "c-opening", "title": "Opening", "footnotes": 1, "figures": 0},
        {"number": 3, "slug": "a-listening", "title": "Listening first", "footnotes": 2,
         "figures": 0},
        {"number": 10, "slug": "b-ten", "title": "The long view", "footnotes": 1,
         "figures": 1},
    ]


@pytest.mark.slow
@pytest.mark.external
def test_epubcheck_reports_nothing(fixture_build: dict[str, Any]) -> None:
    assert epubcheck(fixture_build["epub"]) == []


@pytest.mark.slow
def test_epub_structure(fixture_build: dict[str, Any]) -> None:
    docs = epub_documents(fixture_build["epub"])
    opf = docs["EPUB/content.opf"]
    spine = opf[opf.index("<spine"):opf.index("</spine>")]
    # As in the PDF: title page, imprint, contents, the essays, picture credits.
    assert spine.split('idref="')[1:] == [
        'titlepage"/>\n    <itemref ', 'imprint"/>\n    <itemref ', 'nav"/>\n    <itemref ',
        'essay1"/>\n    <itemref ', 'essay2"/>\n    <itemref ', 'essay3"/>\n    <itemref ',
        'credits"/>\n  ']
    manifest = opf[opf.index("<manifest"):opf.index("</manifest>")]
    order = [manifest.index(f'href="{name}.xhtml"') for name in
             ("c-opening", "a-listening", "b-ten")]
    assert order == sorted(order)  # essay1..3 are the essays in series order
    listening = docs["EPUB/a-listening.xhtml"]
    # Pop-up notes: the call, the note, and a back-link for each of the two calls.
    assert ('<a class="noteref" epub:type="noteref" role="doc-noteref" id="e3-fnref1" '
            'href="#e3-fn1">1</a>') in listening
    assert 'id="e3-fn1" epub:type="footnote" role="doc-footnote"' in listening
    assert 'href="#e3-fnref1-2" role="doc-backlink"' in listening
    assert 'href="c-opening.xhtml#e2-first-steps"' in listening
    # The attribution's last two words are bound (a no-break space): no widowed year.
    assert '<figcaption class="attribution">—\u2009Lab participant,\u00a02019</figcaption>' \
        in listening
    assert "<dc:creator id=\"creator1\">Ada Author</dc:creator>" in opf
    assert "<dc:creator id=\"creator2\">Ben Writer</dc:creator>" in opf
    assert 'properties="cover-image"' in opf
    assert '<meta property="dcterms:modified">2020-03-01T00:00:00Z</meta>' in opf


@pytest.mark.slow
def test_pdf_pages_fonts_and_metadata(fixture_build: dict[str, Any]) -> None:
    pdf = pikepdf.open(fixture_build["pdf"])
    for page in pdf.pages:
        box = [float(v) for v in page.mediabox]
        assert (round(box[2], 2), round(box[3], 2)) == A4
    fonts = {}
    for page in pdf.pages:
        for _, font in page.resources.get("/Font", {}).items():
            descriptor = font.get("/FontDescriptor") or \
                font["/DescendantFonts"][0]["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts  # every font embedded
    families = {name.split("+")[-1] for name in fonts}
    assert families <= {"Libertine", "Libertine-Italic", "Libertine-Bold",
                        "Libertine-BoldItalic", "Biolinum", "Biolinum-Bold"}, families
    assert all("+" in name for name in fonts)  # subset
    assert str(pdf.Root.Lang) == "en-GB"
    assert "/StructTreeRoot" in pdf.Root  # tagged
    info = pdf.docinfo
    assert str(info["/Title"]) == "Fixture Series"
    assert str(info["/Author"]) == "Ada Author, Ben Writer"


@pytest.mark.slow
def test_pdf_outline_and_text_follow_series_order(fixture_build: dict[str, Any]) -> None:
    reader = pypdf.PdfReader(fixture_build["pdf"])
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Contents", "Opening", "Listening first", "The long view",
                      "Picture credits"]
    text = " ".join(page_texts(fixture_build["pdf"]))
    positions = [text.index(f"Test project one · Essay {n}") for n in (2, 3, 10)]
    assert positions == sorted(positions)


@pytest.mark.slow
def test_each_essay_opens_on_a_right_hand_page(fixture_build: dict[str, Any]) -> None:
    texts = page_texts(fixture_build["pdf"])
    for number in (2, 3, 10):
        [page] = [i + 1 for i, t in enumerate(texts)
                  if t.startswith(f"Test project one · Essay {number} ")]
        assert page % 2 == 1, (number, page)


@pytest.mark.slow
def test_footnotes_sit_on_the_page_that_calls_them(fixture_build: dict[str, Any]) -> None:
    texts = page_texts(fixture_build["pdf"])
    for call_text, note_text in [
        ("Participants were clear", "Quoted with permission. A second paragraph"),
        ("Essay ten comes after essay nine", "Numbered by the series"),
        ("straighten nothing", "A note with a link"),
    ]:
        [page] = [t for t in texts if call_text in t]
        assert note_text in page


@pytest.mark.slow
def test_contents_page_numbers_match_the_folios(fixture_build: dict[str, Any]) -> None:
    texts = page_texts(fixture_build["pdf"])
    labels = list(pypdf.PdfReader(fixture_build["pdf"]).page_labels)
    [contents] = [t for t in texts if t.startswith("Contents")]
    for title in ("Opening", "Listening first", "The long view"):
        leader = re.search(r"(?:\. ?){3,}(\d+)", contents[contents.index(title):])
        assert leader is not None
        opening_page = texts[labels.index(leader.group(1))]
        assert title in opening_page, (title, leader.group(1))


@pytest.mark.slow
def test_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    outputs = []
    for run in ("one", "two"):
        root = tmp_path / run / "series"
        shutil.copytree(FIXTURES / "series", root)
        assert run_cli("build", root, "--out", root / "dist").exit_code == 0
        outputs.append({name: (root / "dist" / name).read_bytes()
                        for name in ("fixture-series.pdf", "fixture-series.epub")})
    assert outputs[0] == outputs[1]
    opf = epub_documents(tmp_path / "one" / "series" / "dist" / "fixture-series.epub")
    assert '<meta property="dcterms:modified">2020-09-13T12:26:40Z</meta>' in \
        opf["EPUB/content.opf"]


@pytest.mark.slow
def test_epub_zip_layout(fixture_build: dict[str, Any]) -> None:
    import zipfile

    with zipfile.ZipFile(fixture_build["epub"]) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_format_option_builds_only_that_format(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    result = run_cli("build", root, "--format", "epub", "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "SHA256SUMS", "fixture-series.epub", "manifest.json"]
