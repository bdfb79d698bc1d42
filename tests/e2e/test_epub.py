"""The EPUB edition judged as its readers' tools judge it: accessibility metadata, semantics,
pop-up notes, the page list against the PDF, DAISY Ace and Calibre."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    FIXTURES,
    ace_report,
    epub_documents,
    epubcheck,
    needs_ace,
    page_texts,
    run_cli,
)
from qlabbook.assets import ASSETS
from qlabbook.build import BuildRequest, build, load_collection
from qlabbook.epub.accessibility import accessibility_claims
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Figure

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EBOOK_CONVERT = shutil.which("ebook-convert")
WORDS = ["participants", "clinicians", "understanding", "persistent", "conversations",
         "neighbourhood", "responsibility", "commissioning", "appointments", "physiotherapy",
         "wellbeing", "organisational", "relationships", "experience"]


def opf_meta(epub: Path) -> list[tuple[str, str]]:
    opf = epub_documents(epub)["EPUB/content.opf"]
    return re.findall(r'<meta property="([^"]+)">([^<]*)</meta>', opf)


def xhtml_trees(epub: Path) -> dict[str, ET.Element]:
    return {name: ET.fromstring(text) for name, text in epub_documents(epub).items()
            if name.endswith(".xhtml")}


def write_long_series(root: Path) -> None:
    """Two essays long enough that pages start inside paragraphs, words hyphenated, notes
    on most pages, emphasis running across page ends."""
    (root / "essays").mkdir(parents=True)
    (root / "qlabbook.toml").write_text(
        '[collection]\ntitle = "Long Series"\nauthors = ["Ada Author"]\nlanguage = "en-GB"\n'
        'identifier = "urn:uuid:1b0e2f7c-52a4-4c1e-8a34-9d3f1c2b7a11"\ndate = 2020-03-01\n',
        encoding="utf-8")
    for essay in (1, 2):
        parts = [f'---\ntitle: "Essay {essay}"\nnumber: {essay}\n---\n']
        for paragraph in range(1, 12):
            if paragraph % 4 == 0:
                parts.append(f"## Section {essay}.{paragraph}\n")
            sentences = []
            for sentence in range(1, 9):
                seed = essay * 1000 + paragraph * 10 + sentence
                words = " ".join(WORDS[(seed * (k + 3)) % len(WORDS)]
                                 for k in range(6 + seed % 9))
                call = f"[^n{paragraph}]" if sentence == 3 else ""
                sentences.append(f"Sentence {essay}.{paragraph}.{sentence} speaks of "
                                 f"*{words}*.{call}")
            parts.append(" ".join(sentences) + "\n")
            parts.append(f"[^n{paragraph}]: Note {essay}.{paragraph} says a little more.\n")
        (root / "essays" / f"{essay:02d}.md").write_text("\n".join(parts), encoding="utf-8")


@pytest.fixture(scope="module")
def long_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("long") / "long"
    write_long_series(root)
    result = run_cli("build", root, "--out", root / "dist")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return {"root": root, "pdf": root / "dist" / "long-series.pdf",
            "epub": root / "dist" / "long-series.epub"}


# -- accessibility metadata -------------------------------------------------------------------

@pytest.mark.slow
def test_accessibility_metadata_states_what_the_fixture_has(
        fixture_build: dict[str, Any]) -> None:
    meta = opf_meta(fixture_build["epub"])
    values: dict[str, list[str]] = {}
    for name, value in meta:
        values.setdefault(name, []).append(value)
    assert values["schema:accessMode"] == ["textual", "visual"]
    assert values["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert values["schema:accessibilityFeature"] == [
        "tableOfContents", "structuralNavigation", "alternativeText", "readingOrder",
        "pageNavigation", "printPageNumbers"]
    assert values["schema:accessibilityHazard"] == ["none"]
    [summary] = values["schema:accessibilitySummary"]
    assert summary.startswith("3 essays in series order, each a chapter with one title "
                              "heading and sections below it.")
    assert "Every photograph (1)" in summary
    assert "Notes (4)" in summary
    assert values["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert values["pageBreakSource"] == [
        "fixture-series.pdf, the A4 screen PDF edition of "
        "urn:uuid:0b0e2f7c-52a4-4c1e-8a34-9d3f1c2b7a10"]
    opf = epub_documents(fixture_build["epub"])["EPUB/content.opf"]
    assert '<package xml:lang="en-GB" ' in opf
    assert '<dc:identifier id="id">urn:uuid:0b0e2f7c-52a4-4c1e-8a34-9d3f1c2b7a10' in opf


@pytest.mark.slow
def test_a_collection_without_images_claims_no_visual_content(long_build: dict[str, Path]) -> None:
    values = opf_meta(long_build["epub"])
    assert ("schema:accessMode", "visual") not in values
    assert ("schema:accessibilityFeature", "alternativeText") not in values
    assert [v for n, v in values if n == "schema:accessModeSufficient"] == ["textual"]


@pytest.mark.slow
def test_a_skipped_heading_level_drops_the_structure_claim_and_warns(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    essay = root / "essays" / "b-ten.md"
    essay.write_text(essay.read_text() + "\n## Part\n\n#### Too deep\n\nText.\n")
    result = run_cli("build", root, "--out", root / "dist", "--format", "epub")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert ("essays/b-ten.md:18: warning: heading 'Too deep' skips a level, so the EPUB does "
            "not claim structural navigation [E102]") in result.stderr  # type: ignore[attr-defined]
    values = opf_meta(root / "dist" / "fixture-series.epub")
    assert ("schema:accessibilityFeature", "structuralNavigation") not in values
    assert not [v for n, v in values if n == "dcterms:conformsTo"]
    strict = run_cli("build", root, "--out", tmp_path / "strict", "--strict")
    assert strict.exit_code == 1  # type: ignore[attr-defined]


@pytest.mark.slow
def test_an_image_without_alt_text_drops_its_claims(fixture_build: dict[str, Any]) -> None:
    from dataclasses import replace

    collection = load_collection(fixture_build["root"])
    essays = list(collection.essays)
    figure: Figure = essays[2].figures[0]
    essays[2] = replace(essays[2], figures=(replace(figure, alt=""),))
    diagnostics = Diagnostics()
    claims = accessibility_claims(replace(collection, essays=tuple(essays)), diagnostics,
                                  page_list=True)
    assert [d.code for d in diagnostics.warnings] == ["E101"]
    assert "alternativeText" not in claims.features
    assert claims.sufficient == ("textual,visual",)
    assert claims.conforms_to is None


def test_an_animated_image_leaves_the_hazard_unknown(tmp_path: Path) -> None:
    from PIL import Image

    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    frames[0].save(root / "images" / "card.png", save_all=True, append_images=frames[1:],
                   format="PNG")
    diagnostics = Diagnostics()
    claims = accessibility_claims(load_collection(root), diagnostics, page_list=False)
    assert [d.code for d in diagnostics.warnings] == ["E104"]
    assert claims.hazards == ("unknown",)
    assert "pageNavigation" not in claims.features


# -- semantics --------------------------------------------------------------------------------

@pytest.mark.slow
def test_every_document_has_a_language(fixture_build: dict[str, Any]) -> None:
    for name, tree in xhtml_trees(fixture_build["epub"]).items():
        assert tree.get("lang") == tree.get(XML_LANG) == "en-GB", name


@pytest.mark.slow
def test_each_essay_is_a_chapter_with_one_h1_and_no_skipped_levels(
        fixture_build: dict[str, Any]) -> None:
    trees = xhtml_trees(fixture_build["epub"])
    for name in ("EPUB/c-opening.xhtml", "EPUB/a-listening.xhtml", "EPUB/b-ten.xhtml"):
        tree = trees[name]
        [section] = [s for s in tree.iter(f"{X}section") if s.get(EPUB_TYPE) == "chapter"]
        assert section.get("role") == "doc-chapter"
        levels = [int(e.tag[-1]) for e in tree.iter() if re.fullmatch(f"{X}h[1-6]", e.tag)]
        assert levels[0] == 1 and levels.count(1) == 1, name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
        for figure in tree.iter(f"{X}figure"):
            assert figure.find(f"{X}figcaption") is not None


@pytest.mark.slow
def test_notes_pop_up_and_link_back_to_every_call(fixture_build: dict[str, Any]) -> None:
    trees = xhtml_trees(fixture_build["epub"])
    for name, tree in trees.items():
        ids = {e.get("id"): e for e in tree.iter() if e.get("id")}
        calls = [a for a in tree.iter(f"{X}a") if a.get(EPUB_TYPE) == "noteref"]
        for call in calls:
            assert call.get("role") == "doc-noteref"
            note = ids[call.get("href", "")[1:]]
            assert note.tag == f"{X}aside" and note.get(EPUB_TYPE) == "footnote"
            assert note.get("role") == "doc-footnote"
            backlinks = [a.get("href") for a in note.iter(f"{X}a")
                         if a.get("role") == "doc-backlink"]
            assert f"#{call.get('id')}" in backlinks, (name, call.get("id"))
    listening = trees["EPUB/a-listening.xhtml"]
    assert len([a for a in listening.iter(f"{X}a") if a.get(EPUB_TYPE) == "noteref"]) == 4


@pytest.mark.slow
def test_navigation_has_toc_landmarks_and_a_page_list(fixture_build: dict[str, Any]) -> None:
    trees = xhtml_trees(fixture_build["epub"])
    nav = trees["EPUB/nav.xhtml"]
    navs = {n.get(EPUB_TYPE): n for n in nav.iter(f"{X}nav")}
    assert set(navs) == {"toc", "landmarks", "page-list"}
    toc = [a.get("href") for a in navs["toc"].iter(f"{X}a")]
    # The imprint first and the picture credits last, as in the PDF.
    assert toc == ["imprint.xhtml#imprint", "c-opening.xhtml#e2",
                   "c-opening.xhtml#e2-first-steps", "a-listening.xhtml#e3",
                   "a-listening.xhtml#e3-what-changed", "b-ten.xhtml#e10",
                   "credits.xhtml#picture-credits"]
    landmarks = [a.get(EPUB_TYPE) for a in navs["landmarks"].iter(f"{X}a")]
    assert landmarks == ["titlepage", "copyright-page", "toc", "bodymatter", "backmatter"]
    assert navs["page-list"].get("role") == "doc-pagelist"
    entries = [(a.get("href", ""), a.text) for a in navs["page-list"].iter(f"{X}a")]
    # Every page: title page, imprint, contents (in the navigation document), the blank
    # versos (where the next page starts) and the essays; not the pages only print has
    # (the cover and the blank behind it, picture credits and the blank before them).
    labels = pdf_labels(fixture_build["pdf"])
    texts = page_texts(fixture_build["pdf"])
    first = labels.index(entries[0][1])
    assert [label for _, label in entries] == labels[first:first + len(entries)]
    title = next(i for i, t in enumerate(texts) if t.endswith("Fixture Press"))
    assert first == title
    for index in [*range(first), *range(first + len(entries), len(texts))]:
        assert index < title or not texts[index] or texts[index].startswith("Picture credits")
    contents = labels[next(i for i, t in enumerate(texts) if t.startswith("Contents"))]
    assert (f"nav.xhtml#page-{contents}", contents) in entries
    assert entries[0][0].startswith("titlepage.xhtml#")
    for href, label in entries:
        file, _, target = href.partition("#")
        [marker] = [e for e in trees[f"EPUB/{file}"].iter() if e.get("id") == target]
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == label and not "".join(marker.itertext())
    opf = epub_documents(fixture_build["epub"])["EPUB/content.opf"]
    assert '<reference type="toc"' in opf  # the EPUB 2 guide
    assert "<navPoint" in epub_documents(fixture_build["epub"])["EPUB/toc.ncx"]


# -- the page list against the PDF ------------------------------------------------------------

def pdf_labels(pdf: Path) -> list[str]:
    """Each page's label as the PDF states it (its /PageLabels, else 1, 2, 3...)."""
    import pypdf

    return list(pypdf.PdfReader(pdf).page_labels)


def marked_pages(epub: Path, pdf: Path) -> dict[int, tuple[str, str]]:
    """PDF page index -> (text before, text after) around the page-break marker of that
    page's label in the essays, notes left out. (The EPUB's title page words the imprint
    differently from print, so the front matter is not compared word for word.)"""
    index_of = {label: index for index, label in enumerate(pdf_labels(pdf))}
    contexts = {}
    for name, text in epub_documents(epub).items():
        if not name.endswith(".xhtml") or name.endswith(("nav.xhtml", "titlepage.xhtml",
                                                         "imprint.xhtml")):
            continue
        body = text[text.index("<body>"):text.find('<section class="notes"')]
        body = re.sub(r'<a class="noteref"[^>]*>\d+</a>', "", body)
        body = re.sub(r"</?(em|strong|a)\b[^>]*>", "", body)
        pieces = re.split(r'<span epub:type="pagebreak"[^>]*aria-label="([^"]+)"[^>]*/>',
                          body)
        flat = [" ".join(re.sub(r"<[^>]+>", " ", p).split()) for p in pieces]
        for index in range(1, len(pieces), 2):
            assert index_of[pieces[index]] not in contexts  # one marker per page
            contexts[index_of[pieces[index]]] = (flat[index - 1], flat[index + 1])
    return dict(sorted(contexts.items()))


def shared_pages(texts: list[str], first: int) -> list[int]:
    """The pages from `first` on that the EPUB has too: not picture credits (print only),
    nor a blank page just before them."""
    only_print = {i for i, t in enumerate(texts) if t.startswith("Picture credits")}
    only_print |= {i - 1 for i in only_print if not texts[i - 1]}
    return [i for i in range(first, len(texts)) if i not in only_print]


def without_note_calls(texts: list[str]) -> list[str]:
    """Page texts without the note call figures print sets after a word's stop."""
    return [re.sub(r"(?<=[a-z]\.)\d+(?= )", "", t) for t in texts]


@pytest.mark.slow
def test_page_markers_match_the_pdf_pages(long_build: dict[str, Path]) -> None:
    texts = without_note_calls(page_texts(long_build["pdf"]))
    marked = marked_pages(long_build["epub"], long_build["pdf"])
    assert len(texts) >= 14 and list(marked) == shared_pages(texts, min(marked))
    inside_paragraphs = 0
    for index, (before, after) in marked.items():
        page = texts[index]
        if not page:  # a blank verso: marked where the next page starts
            continue
        opening = " ".join(after.split()[:6])
        assert opening in page, (index, opening, page[:120])
        # The last word may be the one broken across the page end, printed in two parts.
        closing = " ".join(before.split()[-4:-1])
        if closing and texts[index - 1]:
            assert closing in texts[index - 1], (index, closing)
        if not page.startswith(opening):  # the page began with the end of a broken word
            inside_paragraphs += 1
        elif not opening.startswith("Essay"):
            inside_paragraphs += not re.match(r"Sentence \d+\.\d+\.1 |Section ", opening)
    assert inside_paragraphs >= 5  # most pages start inside a paragraph: offsets were used


@pytest.mark.slow
def test_page_list_of_the_repository_edition(repository_build: dict[str, Any]) -> None:
    texts = page_texts(repository_build["pdf"])
    marked = marked_pages(repository_build["epub"], repository_build["pdf"])
    opening = next(i for i, t in enumerate(texts) if t.startswith("Q Lab project two · Essay 1"))
    # Every page from the essay's opening (or the blank verso before it) to the last one.
    first = opening - 1 if not texts[opening - 1] else opening
    assert list(marked) == shared_pages(texts, first)
    for index, (_, after) in marked.items():
        if texts[index]:
            assert " ".join(after.split()[:5]) in texts[index], index


@pytest.mark.slow
@pytest.mark.external
def test_custom_templates_that_change_the_text_lose_the_page_list(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    (root / "templates").mkdir()
    package = ASSETS / "templates" / "essay.xhtml"
    (root / "templates" / "essay.xhtml").write_text(
        package.read_text().replace("{{ body }}", "<p>An extra word.</p>\n{{ body }}"))
    result = run_cli("build", root, "--out", root / "dist")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "[E103]" in result.stderr  # type: ignore[attr-defined]
    epub = root / "dist" / "fixture-series.epub"
    assert "page-list" not in epub_documents(epub)["EPUB/nav.xhtml"]
    assert "pagebreak" not in "".join(epub_documents(epub).values())
    assert ("schema:accessibilityFeature", "pageNavigation") not in opf_meta(epub)
    assert epubcheck(epub) == []


def test_a_build_lays_out_each_part_once(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF and the EPUB's page list come from one layout of each part: the front
    matter, three essays, the picture credits, and the two sheets (a blank page, the
    folios); an EPUB built after that lays nothing out at all, nor another collection's
    build the sheets."""
    import weasyprint

    calls = []
    original = weasyprint.HTML.render

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counting)
    monkeypatch.setenv("QLABBOOK_CACHE_HOME", str(tmp_path / "shared"))  # no sheet yet
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    build(BuildRequest(root, jobs=1))
    assert len(calls) == 7
    build(BuildRequest(root, formats=("epub",), out=tmp_path / "again", jobs=1))
    assert len(calls) == 7
    # Another collection draws no sheet: the shared ones serve it.
    other = tmp_path / "other"
    shutil.copytree(FIXTURES / "series", other)
    build(BuildRequest(other, formats=("pdf",), jobs=1, cache=False))
    assert len(calls) == 7 + 5


@pytest.mark.slow
def test_the_epub_is_the_same_whether_or_not_the_pdf_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    build(BuildRequest(root, tmp_path / "both", cache=False))
    build(BuildRequest(root, tmp_path / "alone", formats=("epub",), cache=False))
    name = "fixture-series.epub"
    assert (tmp_path / "both" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()


@pytest.mark.slow
@pytest.mark.external
def test_long_series_passes_epubcheck(long_build: dict[str, Path]) -> None:
    assert epubcheck(long_build["epub"]) == []


# -- DAISY Ace and Calibre --------------------------------------------------------------------

needs_calibre = pytest.mark.skipif(
    EBOOK_CONVERT is None,
    reason="Calibre's ebook-convert is not installed: run `make auditors` (as root)")


@pytest.mark.slow
@pytest.mark.external
@needs_ace
@pytest.mark.parametrize("edition", ["fixture_build", "repository_build", "long_build"])
def test_daisy_ace_finds_no_violation_that_matters(
        edition: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    built = request.getfixturevalue(edition)
    report = ace_report(built["epub"], tmp_path / "ace")
    violations = [(a["earl:testSubject"]["url"], b["earl:test"]["earl:impact"],
                   b["earl:test"]["dct:title"])
                  for a in report["assertions"] for b in a.get("assertions", [])]
    assert not [v for v in violations if v[1] in ("critical", "serious", "moderate")], violations
    assert not report["a11y-metadata"]["empty"]
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary", "schema:accessModeSufficient",
            "dcterms:conformsTo"} <= set(report["a11y-metadata"]["present"])


def calibre_text(epub: Path, out: Path) -> str:
    """The EPUB as Calibre's ebook-convert reads it, white space folded."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    subprocess.run([EBOOK_CONVERT or "", str(epub), str(out)], env=env,
                   check=True, capture_output=True, timeout=600)
    return " ".join(out.read_text(encoding="utf-8").split())


def assert_in_order(text: str, expected: list[str]) -> None:
    position = 0
    for piece in expected:
        found = text.find(piece, position)
        assert found >= 0, (piece, text[position:position + 200])
        position = found + len(piece)


@pytest.mark.slow
@pytest.mark.external
@needs_calibre
def test_calibre_reads_every_essay_note_and_caption_in_order(
        fixture_build: dict[str, Any], tmp_path: Path) -> None:
    text = calibre_text(fixture_build["epub"], tmp_path / "book.txt")
    expected = [
        "Fixture Series", "Published by Fixture Press, March 2020.",
        "Test project one · Essay 2", "Opening", "Where the series begins.",
        "straighten nothing", "A note with a link.",
        "Test project one · Essay 3 · March 2020", "Listening first",
        "Participants were clear about what helps.", "Being listened to was the treatment.",
        "— Lab participant, 2019", "Teams changed their first appointment.",
        "Quoted with permission.", "A second paragraph of the same note.",
        "Workshops in Birmingham and Leeds.",
        "Test project one · Essay 10 · 15 January 2021", "The long view",
        "Essay ten comes after essay nine", "A test card. Photo: Ben Writer.",
        "Numbered by the series, not by the file name.",
    ]
    assert_in_order(text, expected)
    assert "Pages of the PDF edition" not in text  # hidden navigation stays hidden


@pytest.mark.slow
@pytest.mark.external
@needs_calibre
def test_calibre_reads_the_repository_edition(repository_build: dict[str, Any],
                                              tmp_path: Path) -> None:
    text = calibre_text(repository_build["epub"], tmp_path / "book.txt")
    assert_in_order(text, [
        "Mental health and persistent pain: an introduction", "What is the Q Improvement Lab?",
        "Q Lab workshop in Birmingham, February 2019. Photo: Alastair Fyfe.",
        "The Q Lab in Birmingham on 14th February 2019. Photo: Alastair Fyfe.", "Next steps",
        "Notes", *(f"Reference {n} of the original essay" for n in range(1, 11))])


@pytest.mark.slow
def test_epub_zip_entries_are_fixed(fixture_build: dict[str, Any]) -> None:
    with zipfile.ZipFile(fixture_build["epub"]) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos][1:] == sorted(i.filename for i in infos[1:])
    assert {(i.date_time, i.external_attr >> 16) for i in infos} == {
        ((1980, 1, 1, 0, 0, 0), 0o644)}


@pytest.mark.slow
def test_page_list_survives_print_styles_and_nested_lists(tmp_path: Path) -> None:
    """A collection's print.css may hide or transform text; lists may nest, with text after
    the inner list; soft hyphens vanish in print. The markers still match the PDF."""
    root = tmp_path / "long"
    write_long_series(root)
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text(
        ".series-line { display: none; } h2 { text-transform: uppercase; }")
    essay = root / "essays" / "01.md"
    nested = "".join(f"- Item {n} of the outer list with some words\n\n"
                     f"    - inner item {n}\n\n    and the outer item goes on af\u00adter it\n\n"
                     for n in range(1, 25))
    essay.write_text(essay.read_text().replace("## Section 1.4\n", "## Section 1.4\n\n" + nested))
    result = run_cli("build", root, "--out", root / "dist")
    assert result.exit_code == 0 and result.stderr == ""  # type: ignore[attr-defined]
    pdf = root / "dist" / "long-series.pdf"
    texts = without_note_calls(page_texts(pdf))
    marked = marked_pages(root / "dist" / "long-series.epub", pdf)
    assert list(marked) == shared_pages(texts, min(marked))
    for index, (_, after) in marked.items():
        if texts[index]:
            opening = " ".join(after.split()[:5])
            assert opening.upper() in texts[index].upper(), (index, opening)


@pytest.mark.slow
@pytest.mark.external
def test_each_essay_edition_follows_its_own_pdf(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    result = run_cli("build", root, "--out", root / "dist", "--essays", "--no-cache")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    for stem in ("02-c-opening", "03-a-listening", "10-b-ten"):
        epub, pdf = (root / "dist" / "essays" / f"{stem}.{fmt}" for fmt in ("epub", "pdf"))
        values = dict(opf_meta(epub))
        assert values["pageBreakSource"].startswith(
            f"{stem}.pdf, the A4 screen PDF edition of urn:")
        assert values["schema:accessibilitySummary"].startswith("One essay, a chapter")
        texts = page_texts(pdf)
        marked = marked_pages(epub, pdf)
        # The essay's one page, after the title page (which starts with the same line).
        page = max(i for i, t in enumerate(texts) if t.startswith("Test project one · Essay"))
        assert list(marked) == [page]
        for index, (_, after) in marked.items():
            assert " ".join(after.split()[:5]) in texts[index]
        assert epubcheck(epub) == []


@pytest.mark.slow
@pytest.mark.external
def test_page_list_with_endnotes_in_print(tmp_path: Path) -> None:
    """Print may set the notes after each essay: a page starting there is marked at the
    EPUB's notes, the rest of the text as before."""
    root = tmp_path / "long"
    write_long_series(root)
    # Notes long enough that the essays' notes run over a page end.
    for essay in (root / "essays").glob("*.md"):
        essay.write_text(essay.read_text().replace(
            "says a little more.", "says a little more." + 3 * " It names the source, the "
            "page and the people who were there."))
    toml = root / "qlabbook.toml"
    toml.write_text(toml.read_text() + '\n[pdf]\nnotes = "endnotes"\n')
    result = run_cli("build", root, "--out", root / "dist", "--no-cache")
    assert result.exit_code == 0 and result.stderr == "", result.output  # type: ignore[attr-defined]
    pdf, epub = root / "dist" / "long-series.pdf", root / "dist" / "long-series.epub"
    texts = page_texts(pdf)
    marked = marked_pages(epub, pdf)
    for index, (_, after) in marked.items():
        if texts[index]:
            assert " ".join(after.split()[:5]) in texts[index], index
    labels = pdf_labels(pdf)
    # Pages that start with a note: marked at that note in the EPUB's notes.
    notes_pages = [i for i, t in enumerate(texts) if re.match(r"\d+ Note \d", t)]
    assert notes_pages
    nav = epub_documents(epub)["EPUB/nav.xhtml"]
    for index in notes_pages:
        assert f'#page-{labels[index]}">{labels[index]}</a>' in nav
        number = texts[index].split()[0]
        xhtml = "".join(epub_documents(epub).values())
        before_note = f'aria-label="{labels[index]}" /><aside class="note" id="e\\d+-fn{number}"'
        assert re.search(before_note, xhtml), index
    assert epubcheck(epub) == []


def test_images_named_with_spaces_get_names_every_reading_system_opens(tmp_path: Path) -> None:
    """A blog's "Fig 1.png" is no valid URL path (EPUBCheck RSC-020) nor a name every reading
    system opens (PKG-010): the package keeps such an image under a name of safe characters
    and a digest of its path, "Fig-1.png" beside it keeps its own, and every page shows its
    own picture. The PDF and the web edition read them as before."""
    from PIL import Image

    root = tmp_path / "blog"
    (root / "essays" / "my pics").mkdir(parents=True)
    colours = {"essays/Fig 1.png": "red", "essays/Fig-1.png": "green",
               "essays/my pics/Café 2.png": "blue"}
    for name, colour in colours.items():
        Image.new("RGB", (40, 30), colour).save(root / name)
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Spaces"\n')
    (root / "essays" / "01-a.md").write_text(
        "---\ntitle: A\nnumber: 1\n---\n\n![One](<Fig 1.png> \"One\")\n\n![Two](Fig-1.png \"Two\")"
        "\n\nText with ![three](<my pics/Café 2.png>) inline.\n")
    result: Any = run_cli("build", root, "--out", root / "out", "-f", "epub", "-f", "pdf",
                          "-f", "web")
    assert result.exit_code == 0, result.output
    epub = root / "out" / "spaces.epub"
    assert [m for m in epubcheck(epub) if m["severity"] not in ("INFO", "USAGE")] == []
    with zipfile.ZipFile(epub) as archive:
        xhtml = archive.read("EPUB/01-a.xhtml").decode()
        shown = re.findall(r'<img [^>]*src="([^"]+)"', xhtml)
        assert shown[1] == "essays/Fig-1.png"  # a safe path is kept as it is
        assert re.fullmatch(r"essays/Fig-1-[0-9a-f]{8}\.png", shown[0])
        assert re.fullmatch(r"essays/my-pics/Caf-2-[0-9a-f]{8}\.png", shown[2])
        for src, name in zip(shown, colours, strict=True):  # each shows its own picture
            assert archive.read(f"EPUB/{src}") == (root / name).read_bytes()
    page = (root / "out" / "web" / "01-a" / "index.html").read_text()
    for srcset in re.findall(r'srcset="([^"]+)"', page):  # "url 480w, url 720w"
        assert all(len(candidate.split()) == 2 for candidate in srcset.split(", ")), srcset
    import pikepdf

    with pikepdf.open(root / "out" / "spaces.pdf") as pdf:
        images = {x.objgen for page in pdf.pages for x in page.images.values()}
    assert len(images) == 3  # the three pictures, each printed
