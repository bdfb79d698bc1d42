"""The pages measured, as a book designer would check them, on a generated six-essay
series (tests/bookseries.py) at A4 and at A5: the measure of the running text, one size of
note call and a working link for each, contents lines, captions and numerals."""

from __future__ import annotations

import itertools
import re
import statistics
from pathlib import Path
from typing import Any

import pymupdf
import pytest

import measure
from bookseries import SERIES, make_series
from helpers import epub_documents, epubcheck, run_cli

pytestmark = pytest.mark.slow

SIZES = ("A4", "A5")


@pytest.fixture(scope="module", params=SIZES)
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_series(tmp_path_factory.mktemp(request.param) / "book", request.param)
    out = root / "dist"
    result: Any = run_cli("build", root, "--out", out, "--format", "pdf",
                          "--pdf-profile", "screen", "--essays", "--no-cache", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return out


def test_measure_is_60_to_70_characters(book: Path) -> None:
    counts = measure.measure(book / "measured-pages.pdf")
    assert len(counts) > 300  # every essay's full lines, not a sample
    assert 60 <= statistics.mean(counts) <= 70, statistics.mean(counts)
    assert 60 <= statistics.median(counts) <= 70
    # Justified lines vary with the words; hardly any falls far outside the range.
    outside = [c for c in counts if not 54 <= c <= 76]
    assert len(outside) <= len(counts) // 50, sorted(outside)


@pytest.mark.parametrize("size", ["Letter", "156x234 mm"])
def test_measure_at_the_other_trim_sizes(tmp_path: Path, size: str) -> None:
    root = make_series(tmp_path / "book", size)
    result: Any = run_cli("build", root, "--out", root / "dist", "--format", "pdf",
                          "--pdf-profile", "screen", "--no-cache", "--jobs", "1")
    assert result.exit_code == 0, result.output
    counts = measure.measure(root / "dist" / "measured-pages.pdf")
    assert 60 <= statistics.mean(counts) <= 70, (size, statistics.mean(counts))


def test_leading_is_even_with_note_calls(book: Path) -> None:
    """A note call is raised inside the line: the lines that carry one are as far apart
    as any others."""
    lines = measure.lines(book / "measured-pages.pdf")
    size = measure.body_size(lines)
    gaps = []
    for page in {line.page for line in lines}:
        baselines = sorted({line.y for line in lines if line.page == page and line.size == size})
        gaps += [round(b - a, 1) for a, b in itertools.pairwise(baselines)]
    leading = statistics.mode(gaps)
    assert all(abs(gap - leading) <= 0.15 or gap > leading * 1.2 for gap in gaps), \
        sorted(set(gaps))


def note_links(pdf: Path) -> list[tuple[int, pymupdf.Rect, str, str]]:
    """(page, link box, target, text under the box) of every link to or from a note."""
    found = []
    with pymupdf.open(pdf) as document:
        for number, page in enumerate(document):
            for link in page.get_links():
                target = str(link.get("nameddest", ""))
                if re.search(r"-fn(ref)?\d", target):
                    box = pymupdf.Rect(link["from"])
                    found.append((number, box, target, page.get_textbox(box).strip()))
    return found


def test_every_note_call_is_one_size_and_a_working_link(book: Path) -> None:
    pdf = book / "measured-pages.pdf"
    links = note_links(pdf)
    calls = [link for link in links if re.search(r"-fn\d+$", link[2])]
    backs = [link for link in links if "-fnref" in link[2]]
    # Six essays, four with notes: three calls each (two first calls, one repeated).
    with_notes = sum("note" in extras for *_, extras in SERIES)
    assert len(calls) == 3 * with_notes
    assert len(backs) == 2 * with_notes  # each note's number links back to its call
    body = measure.body_size(measure.lines(pdf))
    sizes = set()
    with pymupdf.open(pdf) as document:
        for page, box, _, _ in calls:
            # The box covers the figure: it has height, and the digit is inside it.
            assert box.height >= 0.5 * body and box.width > 1, box
            spans = [s for b in document[page].get_text("dict", clip=box)["blocks"]
                     for line in b.get("lines", ()) for s in line["spans"]
                     if s["text"].strip().isdigit()]
            assert spans, (page, box)
            sizes |= {round(s["size"], 2) for s in spans}
            digit = pymupdf.Rect(spans[0]["bbox"])
            assert box.intersect(digit).get_area() >= 0.6 * digit.get_area()
    assert sizes == {round(0.68 * body, 2)}, sizes  # first and repeated calls alike
    with pymupdf.open(pdf) as document:
        # Each call leads to the page its note is printed on (a repeated call to an
        # earlier page), and each note's number back to its call's page.
        names = document.resolve_names()
        notes = {"1": "The reasons are set out", "2": "Quoted with the participants"}
        for page, _, target, _ in calls:
            destination = names[target]["page"]
            assert destination <= page
            assert notes[target.rsplit("fn", 1)[1]] in document[destination].get_text()
        for page, _, target, _ in backs:
            assert notes[target.rsplit("fnref", 1)[1]] in document[page].get_text()
            assert names[target]["page"] == page


def contents_lines(pdf: Path) -> list[measure.Line]:
    lines = measure.lines(pdf)
    page = next(line.page for line in lines if line.text.strip() == "Contents")
    return [line for line in measure.rows(lines, page) if line.text.strip() != "Contents"]


def test_contents_lines(book: Path) -> None:
    lines = contents_lines(book / "measured-pages.pdf")
    body = measure.body_size(measure.lines(book / "measured-pages.pdf"))
    titled = [line for line in lines if line.size == body]
    numbered = [line for line in titled if re.search(r"\.\s?\.\s?\.[\s.]*\d+$", line.text)]
    # Each essay and the picture credits: title, leaders and page number on one line.
    assert len(numbered) == len(SERIES) + 1, [line.text for line in lines]
    rights = {round(line.x1) for line in numbered}
    assert max(rights) - min(rights) <= 1  # the page numbers range right
    for title, subtitle, authors, *_ in SERIES:
        last_word = title.split()[-1]
        [line] = [line for line in numbered if re.search(
            re.escape(last_word) + r"\s?\.", line.text)]
        index = lines.index(line)
        below = [other.text.strip() for other in lines[index + 1:index + 3]
                 if other.size < body]
        if subtitle:  # smaller, under the title
            assert below[0] == subtitle, below
        if authors:  # the collection's authors are not repeated
            assert ", ".join(authors).upper() in [b.upper() for b in below], below
        elif not subtitle:
            assert not below or below[0] not in ("The Q Lab", "THE Q LAB"), below
    # The long title wraps; its page number is on its last line only.
    long_title = SERIES[2][0]
    [last] = [line for line in numbered if long_title.split()[-1] in line.text]
    start = next(i for i, line in enumerate(lines) if "participants told" in line.text)
    above = lines[start:lines.index(last)]
    assert above and all(line.size == body and not re.search(r"\d$", line.text.strip())
                         for line in above), [line.text for line in above]
    assert " ".join(line.text.strip() for line in [*above, last]).startswith(
        f"3{long_title.split(' ')[0]}")


def test_captions_are_punctuated_in_the_pdf(book: Path) -> None:
    with pymupdf.open(book / "measured-pages.pdf") as document:
        text = " ".join(" ".join(page.get_text().split()) for page in document)
    assert "Workshop in Birmingham, February 2019. Photo: Alastair Fyfe, CC BY 4.0." in text
    assert "Workshop in Birmingham, February 2019 Photo" not in text


def ink_height(page: pymupdf.Page, word: str, clip: pymupdf.Rect | None = None) -> float:
    """How far the ink of the first `word` on the page rises above its baseline, as a
    fraction of its type size: Libertine's lining figures reach cap height (about 0.65),
    its old-style "0" only x-height (about 0.43)."""
    for block in page.get_text("rawdict", clip=clip)["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                chars = span["chars"]
                text = "".join(c["c"] for c in chars)
                at = text.find(word)
                if at < 0:
                    continue
                box = pymupdf.Rect(chars[at]["bbox"])
                for char in chars[at:at + len(word)]:
                    box |= pymupdf.Rect(char["bbox"])
                baseline = chars[at]["origin"][1]
                pixmap = page.get_pixmap(dpi=1200, clip=box, colorspace=pymupdf.csGRAY)
                rows = [y for y in range(pixmap.height)
                        if any(pixmap.pixel(x, y)[0] < 128 for x in range(pixmap.width))]
                top = box.y0 + rows[0] * box.height / pixmap.height
                return (baseline - top) / span["size"]
    raise AssertionError(f"{word!r} is not on the page")


def test_numerals_old_style_in_text_lining_in_folios_and_contents(book: Path) -> None:
    with pymupdf.open(book / "measured-pages.pdf") as document:
        text_page = next(page for page in document if "340 prescriptions" in page.get_text())
        assert ink_height(text_page, "340") < 0.5  # old-style: 0 at x-height, 3 and 4 descend
        # The folio of the same page, at its foot.
        folio = max((span for block in text_page.get_text("dict")["blocks"]
                     for line in block.get("lines", ()) for span in line["spans"]
                     if span["text"].strip().isdigit()), key=lambda span: span["bbox"][1])
        foot = pymupdf.Rect(folio["bbox"])
        assert ink_height(text_page, folio["text"].strip(), foot) > 0.55  # lining
        contents = next(page for page in document if page.get_text().startswith("Contents"))
        numbers = [span for block in contents.get_text("dict")["blocks"]
                   for line in block.get("lines", ()) for span in line["spans"]
                   if span["text"].strip().isdigit() and span["bbox"][0] > contents.rect.width / 2]
        assert len(numbers) == len(SERIES) + 1
        for span in numbers:  # the essays' and the credits' pages, in lining figures
            assert ink_height(contents, span["text"].strip(), pymupdf.Rect(span["bbox"])) > 0.55


def test_essay_editions_are_named_with_the_number_once(book: Path) -> None:
    names = sorted(p.name for p in (book / "essays").glob("*.pdf"))
    assert names == [f"{n:02d}-essay-{n}.pdf" for n in range(1, len(SERIES) + 1)]


@pytest.mark.external
def test_epub_front_and_back_matter_like_the_pdf(tmp_path: Path) -> None:
    """The EPUB has the PDF's imprint and picture credits, listed in the nav, the same
    punctuated captions, and passes EPUBCheck."""
    root = make_series(tmp_path / "book", "A5")
    out = root / "dist"
    result: Any = run_cli("build", root, "--out", out, "--format", "epub", "--no-cache")
    assert result.exit_code == 0, result.output
    epub = out / "measured-pages.epub"
    docs = epub_documents(epub)
    imprint = docs["EPUB/imprint.xhtml"]
    for words in ("Measured Pages: Six essays to set and measure", "Published by The Q Lab",
                  "Text © the authors.", "urn:uuid:1b8e2f7c-52a4-4c1e-8a34-9d3f1c2b7a11",
                  "The print edition is set in Linux Libertine and Linux Biolinum (SIL Open "
                  "Font License); this edition is set in your reading system's fonts."):
        assert words in imprint, words
    credits = docs["EPUB/credits.xhtml"]
    figures = [n for n, (*_, extras) in enumerate(SERIES, 1) if "figure" in extras]
    for number in figures:
        assert f'href="{number}-essay-{number}.xhtml#e{number}-fig1"' in credits
        assert f'<a href="https://example.org/photos/{number}">' in credits
    assert credits.count("Photo: Alastair Fyfe, CC\u00a0BY\u00a04.0</span>.") == len(figures)
    nav = docs["EPUB/nav.xhtml"]
    assert '<a href="imprint.xhtml#imprint">Imprint</a>' in nav
    assert '<a href="credits.xhtml#picture-credits">Picture credits</a>' in nav
    essay = docs["EPUB/1-essay-1.xhtml"]
    caption = re.search(r"<figcaption>(.*?)</figcaption>", essay, re.DOTALL)
    assert caption is not None
    assert re.sub(r"<[^>]+>", "", caption.group(1)) == \
        "Workshop in Birmingham, February 2019. Photo: Alastair Fyfe, CC\u00a0BY\u00a04.0."
    opf = docs["EPUB/content.opf"]
    spine = re.findall(r'<itemref idref="([^"]+)"', opf)
    assert spine[:3] == ["titlepage", "imprint", "nav"] and spine[-1] == "credits"
    assert epubcheck(epub) == []
