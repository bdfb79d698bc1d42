"""The screen and press PDFs, judged by what pikepdf and pypdf find in them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from helpers import FIXTURES, REPOSITORY, run_cli
from qlabbook.typeset.geometry import geometry

MM = 72 / 25.4
TRIM = (156 * MM, 234 * MM)  # the typesetting fixture's "156x234 mm"
NOTE_CALLS = 16  # a-notes.md: one note per paragraph


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The typesetting fixture (156 x 234 mm, profiles = ["screen", "press"]) built once."""
    root = tmp_path_factory.mktemp("trials") / "typesetting"
    shutil.copytree(FIXTURES / "typesetting", root)
    out = root / "dist"
    result = run_cli("build", root, "--out", out, "--format", "pdf")
    return {"root": root, "out": out, "result": result,
            "screen": out / "typesetting-trials.pdf",
            "press": out / "typesetting-trials-press.pdf"}


@pytest.fixture(scope="module")
def repository_press(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("repository-press")
    result = run_cli("build", REPOSITORY, "--out", out, "--format", "pdf",
                     "--pdf-profile", "press", "--pdf-profile", "screen")
    return {"out": out, "result": result,
            "screen": out / "mental-health-and-persistent-pain.pdf",
            "press": out / "mental-health-and-persistent-pain-press.pdf"}


def located_text(page: Any) -> list[tuple[float, float, str]]:
    """(y, x, text) of every text run on a page, in PDF points from the trim's lower left."""
    items: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            items.append((tm[5] * cm[3] + cm[5], tm[4] * cm[0] + cm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return items


def furniture(page: Any, page_size: str) -> tuple[str, str]:
    """(running head, folio): the text in the top and bottom margins of a page."""
    _, height, _, top, _, bottom = geometry(page_size)
    items = located_text(page)
    head = " ".join(t for y, _, t in items if y > (height - top) * MM)
    folio = " ".join(t for y, _, t in items if y < (bottom - 4) * MM)
    return head, folio


def page_text(page: Any) -> str:
    return " ".join(page.extract_text().split()).replace("\u2010 ", "")


# -- both profiles --------------------------------------------------------------------------

@pytest.mark.slow
def test_both_profiles_build_with_only_the_expected_warning(trials: dict[str, Any]) -> None:
    result = trials["result"]
    assert result.exit_code == 0, result.output
    # The thumbnail is 240 px printed at its own 63.5 mm: 96 ppi, too soft for print.
    assert result.stderr == (
        "essays/b-figures.md:15: warning: image 'images/thumbnail.png' prints at 96 ppi in "
        "the press PDF (below 150) [I105]\n"
        "    hint: supply it at least 750 pixels wide for its 64 mm printed width\n")
    manifest = json.loads((trials["out"] / "manifest.json").read_text())
    assert [(a["path"], a["format"], a.get("profile")) for a in manifest["artefacts"]] == [
        ("typesetting-trials.pdf", "pdf", "screen"),
        ("typesetting-trials-press.pdf", "pdf", "press")]


def test_the_pdf_profile_option_overrides_the_collection(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    result = run_cli("build", root, "-o", tmp_path / "out", "-f", "pdf", "--pdf-profile", "press")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "SHA256SUMS", "fixture-series-press.pdf", "manifest.json"]
    assert run_cli("build", root, "--pdf-profile", "proof").exit_code == 2


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["screen", "press"])
def test_page_labels_folios_contents_and_bookmarks_agree(trials: dict[str, Any],
                                                         profile: str) -> None:
    reader = pypdf.PdfReader(trials[profile])
    labels = list(reader.page_labels)
    front = ["i", "ii", "iii", "iv"]
    expected = (["Cover", "Inside cover"] if profile == "screen" else []) + front + \
        [str(n) for n in range(1, 12)]
    assert labels == expected
    texts = [page_text(p) for p in reader.pages]
    # Printed folios: none in the front matter or on blank pages, the label elsewhere.
    for page, label in zip(reader.pages, labels, strict=True):
        if label == "Cover":  # its authors' line sits low, where a folio would be
            continue
        _, folio = furniture(page, "156x234 mm")
        if label.isdigit() and page_text(page):
            assert folio == label, (label, folio)
        else:
            assert folio == "", (label, folio)
    # The contents give the label of each opening page; the bookmarks point at it.
    [contents] = [t for t in texts if t.startswith("Contents")]
    for title in ("Notes under pressure", "Pictures and their credits", "Picture credits"):
        found = re.search(r"(?:\. ?){3,}(\d+)", contents[contents.index(title):])
        assert found is not None, title
        assert title in texts[labels.index(found.group(1))], title
    outline = {item.title: labels[reader.get_destination_page_number(item)]
               for item in reader.outline if not isinstance(item, list)}
    assert outline == {"Contents": "iii", "Notes under pressure": "1",
                       "Pictures and their credits": "9", "Picture credits": "11"}


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["screen", "press"])
def test_essays_open_on_right_hand_pages_without_running_heads(trials: dict[str, Any],
                                                               profile: str) -> None:
    reader = pypdf.PdfReader(trials[profile])
    for index, page in enumerate(reader.pages):
        text = page_text(page)
        head, folio = furniture(page, "156x234 mm")
        if text.startswith("Test project two · Essay"):
            assert index % 2 == 0, index  # page index 0 is a right-hand page
            assert head == ""
        elif not text:
            assert (head, folio) == ("", "")  # blank pages carry nothing


@pytest.mark.slow
def test_running_heads_collection_left_essay_right(trials: dict[str, Any]) -> None:
    reader = pypdf.PdfReader(trials["screen"])
    labels = list(reader.page_labels)
    heads = {label: furniture(page, "156x234 mm")[0]
             for page, label in zip(reader.pages, labels, strict=True) if label.isdigit()}
    assert heads == {
        "1": "", "2": "Typesetting Trials", "3": "Notes under pressure",
        "4": "Typesetting Trials", "5": "Notes under pressure", "6": "Typesetting Trials",
        "7": "Notes under pressure", "8": "", "9": "", "10": "Typesetting Trials", "11": ""}


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["screen", "press"])
def test_every_footnote_is_on_the_page_of_its_call(trials: dict[str, Any],
                                                   profile: str) -> None:
    texts = [page_text(p) for p in pypdf.PdfReader(trials[profile]).pages]
    for number in range(1, NOTE_CALLS + 1):
        note = {4: "The long note begins here.",
                9: "The multi-paragraph note, first paragraph"}.get(
            number, f"Note {number}: the source for paragraph {number}.")
        # Each paragraph's call follows its "properly.": "properly.7 Several".
        [call_page] = [i for i, t in enumerate(texts)
                       if re.search(rf"properly\.{number}(?!\d)", t)]
        assert note in texts[call_page], (number, call_page)
    # All three paragraphs of the long note are printed with it.
    assert "Its third paragraph closes the note." in " ".join(texts)


@pytest.mark.slow
def test_hyphenation_in_the_collection_language(trials: dict[str, Any]) -> None:
    raw = " ".join(p.extract_text() for p in pypdf.PdfReader(trials["screen"]).pages)
    # WeasyPrint marks a hyphenated line end with U+2010; only a hyphenating language does.
    assert len(re.findall("\\w\u2010\\n", raw)) >= 5


@pytest.mark.slow
def test_picture_credits_give_credit_licence_source_and_page(trials: dict[str, Any]) -> None:
    texts = [page_text(p) for p in pypdf.PdfReader(trials["screen"]).pages]
    credits = texts[-1]
    assert credits.startswith("Picture credits")
    assert ("p. 10 The harbour at dusk. Photo: Dana Lens, CC BY 4.0. Source: "
            "https://example.org/photos/harbour.") in credits.replace("\u200b", "")
    assert "p. 10 A thumbnail. Photo: Eli Pixel. Source: Fixture archive, box 3." in credits
    # The caption says the same, punctuated as one line: page 10, before the credits.
    assert "The harbour at dusk. Photo: Dana Lens, CC BY 4.0." in texts[-2]


def drawn_images(path: Path) -> list[tuple[int, int]]:
    sizes = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Do":
                    xobject = page.resources.XObject[operands[0]]
                    if xobject.get("/Subtype") == "/Image":
                        sizes.append((int(xobject.Width), int(xobject.Height)))
    return sizes


@pytest.mark.slow
def test_images_downsampled_per_profile_and_never_upscaled(trials: dict[str, Any]) -> None:
    # 3000 px across the 102.9 mm text block (10.5 pt type, typeset/geometry.py): 300 ppi
    # needs 1215 px, 150 ppi 607 px.
    # The 240 px thumbnail keeps its pixels (and its own size on the page).
    press = drawn_images(trials["press"])
    screen = drawn_images(trials["screen"])
    assert press[1] == screen[1] == (240, 160)
    assert abs(press[0][0] - 1215) <= 2 and abs(screen[0][0] - 607) <= 2, (press, screen)


@pytest.mark.slow
def test_repository_images_downsampled_per_profile(repository_press: dict[str, Any]) -> None:
    # 2400 px across A4's 118 mm text block is about 520 ppi: 1393 px at 300 ppi, 696 at 150.
    assert drawn_images(repository_press["press"]) == [(1393, 929)] * 2
    assert drawn_images(repository_press["screen"]) == [(696, 464)] * 2


# -- press ----------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("which", ["trials", "repository_press"])
def test_press_boxes_on_every_page(which: str, request: pytest.FixtureRequest) -> None:
    build = request.getfixturevalue(which)
    trim = TRIM if which == "trials" else (595.28, 841.89)
    bleed = 3 * MM
    with pikepdf.open(build["press"]) as pdf:
        assert len(pdf.pages) > 5
        for page in pdf.pages:
            trim_box = [float(v) for v in page.TrimBox]
            bleed_box = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim_box == pytest.approx([0, 0, *trim], abs=0.01)
            assert bleed_box == pytest.approx(
                [-bleed, -bleed, trim[0] + bleed, trim[1] + bleed], abs=0.01)
            # Room for the crop marks outside the bleed.
            assert media[0] < bleed_box[0] - 5 * MM and media[2] > bleed_box[2] + 5 * MM


@pytest.mark.slow
def test_press_is_pdf_x4_with_output_intent_and_no_links(trials: dict[str, Any]) -> None:
    with pikepdf.open(trials["press"]) as pdf:
        assert pdf.pdf_version == "1.6"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert "sRGB" in str(intent.OutputConditionIdentifier)
        assert intent.DestOutputProfile.N == 3
        xmp = str(pdf.open_metadata())
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert "xmp.did:" in xmp
        assert pdf.docinfo.Trapped == "/False"
        assert str(pdf.docinfo.CreationDate) == str(pdf.docinfo.ModDate) == "D:20210601000000Z"
        assert all("/Annots" not in page for page in pdf.pages)
        fonts = {str(f.BaseFont) for page in pdf.pages
                 for _, f in page.resources.get("/Font", {}).items()}
        assert fonts and all("+" in name for name in fonts)


@pytest.mark.slow
def test_crop_marks_are_drawn_outside_the_bleed(trials: dict[str, Any]) -> None:
    from qlabbook.output.proof import render_pages

    [(_, image)] = render_pages(trials["press"], 72)[:1] or [("", None)]
    pixels = image.convert("L").load()
    scale = 1.0  # 72 dpi: one pixel per point
    media = 12 * MM  # the marks' room: bleed 3 mm + 9 mm
    # Along the top edge, above the left trim line, a dark mark; inside the bleed, none.
    trim_x = round(media * scale)
    column = [pixels[trim_x, y] for y in range(0, round(media - 3 * MM) - 1)]
    assert min(column) < 160  # a thin, anti-aliased line
    bleed_zone = [pixels[trim_x, y] for y in range(round(media - 3 * MM) + 1, round(media))]
    assert min(bleed_zone) > 200


@pytest.mark.slow
def test_press_rebuilds_are_byte_identical(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the collection's date is used
    outputs = []
    for run in ("one", "two"):
        root = tmp_path / run / "typesetting"
        shutil.copytree(FIXTURES / "typesetting", root)
        assert run_cli("build", root, "-o", root / "dist", "-f", "pdf").exit_code == 0
        outputs.append([(root / "dist" / name).read_bytes() for name in
                        ("typesetting-trials.pdf", "typesetting-trials-press.pdf")])
    assert outputs[0] == outputs[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    root = tmp_path / "one" / "typesetting"
    assert run_cli("build", root, "-o", root / "epoch", "-f", "pdf").exit_code == 0
    with pikepdf.open(root / "epoch" / "typesetting-trials-press.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20200913122640Z"


# -- screen ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_screen_is_tagged_pdf_ua_with_title_language_and_alt_text(
        trials: dict[str, Any]) -> None:
    with pikepdf.open(trials["screen"]) as pdf:
        assert pdf.pdf_version == "1.7"
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en-GB"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert 'pdfuaid:part="1"' in str(pdf.open_metadata())
        assert "/OutputIntents" not in pdf.Root
        alts = []
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure" and "/Alt" in node:
                    alts.append(str(node.Alt))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    stack.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    stack.append(kids)
        assert "A colour gradient standing in for a harbour at dusk" in alts
        assert "A small grey gradient" in alts
        links = [a for page in pdf.pages for a in page.get("/Annots", [])
                 if a.get("/Subtype") == "/Link"]
        assert len(links) >= 5  # contents, notes, credits


@pytest.mark.slow
def test_endnotes_option_gives_notes_sections_with_back_links(tmp_path: Path) -> None:
    root = tmp_path / "typesetting"
    shutil.copytree(FIXTURES / "typesetting", root)
    config = root / "qlabbook.toml"
    config.write_text(config.read_text().replace(
        'profiles = ["screen", "press"]', 'profile = "screen"\nnotes = "endnotes"'))
    result = run_cli("build", root, "-o", root / "dist", "-f", "pdf")
    assert result.exit_code == 0, result.output
    pdf_path = root / "dist" / "typesetting-trials.pdf"
    texts = [page_text(p) for p in pypdf.PdfReader(pdf_path).pages]
    [notes_page] = [i for i, t in enumerate(texts) if "Notes 1 Note 1: the source" in t]
    assert "Its third paragraph closes the note." in " ".join(texts[notes_page:])
    assert not any("Note 1: the source" in t for t in texts[:notes_page])
    reader = pypdf.PdfReader(pdf_path)
    names = set(reader.named_destinations)
    assert {"e1-fn1", "e1-fnref1", "e2-fn1", "e2-fnref1"} <= names
    with pikepdf.open(pdf_path) as pdf:
        targets = {str(a.Dest) for page in pdf.pages for a in page.get("/Annots", [])
                   if "/Dest" in a}
    assert {"e1-fn1", "e1-fnref1"} <= targets  # calls link to notes, notes link back


@pytest.mark.slow
def test_press_low_resolution_warning_is_absent_from_screen_builds(tmp_path: Path) -> None:
    root = tmp_path / "typesetting"
    shutil.copytree(FIXTURES / "typesetting", root)
    result = run_cli("build", root, "-o", tmp_path / "out", "-f", "pdf",
                     "--pdf-profile", "screen")
    assert result.exit_code == 0 and result.stderr == ""
    strict = run_cli("build", root, "-o", tmp_path / "out2", "-f", "pdf", "--strict")
    assert strict.exit_code == 1 and "[I105]" in strict.stderr
    assert not (tmp_path / "out2").exists()


@pytest.mark.slow
def test_proof_renders_a_contact_sheet(trials: dict[str, Any], tmp_path: Path) -> None:
    from PIL import Image

    result = run_cli("proof", trials["screen"], trials["press"], "--out", tmp_path,
                     "--dpi", "20")
    assert result.exit_code == 0, result.output
    sheets = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in sheets] == ["typesetting-trials-proof.png",
                                        "typesetting-trials-press-proof.png"]
    with Image.open(sheets[0]) as image:
        # 15 pages in spreads: the cover alone, then 7 pairs; three spreads a row -> 3 rows.
        page_width = round(156 / 25.4 * 20)
        assert image.width >= 6 * page_width and image.height > 3 * round(234 / 25.4 * 20)
        # Pages on the sheet, not an empty sheet.
        assert len(image.convert("L").getcolors(maxcolors=4096) or []) > 50
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    failed = run_cli("proof", bad, "--out", tmp_path)
    assert failed.exit_code == 1 and "cannot render this PDF" in failed.stderr


def test_readme_documents_the_pdf_options_and_proof() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    assert "--pdf-profile" in run_cli("build", "--help").stdout and "--pdf-profile" in readme
    help_text = run_cli("proof", "--help").stdout
    for option in ("--out", "--dpi"):
        assert option in help_text
    assert "qlabbook proof PDF... [--out DIR] [--dpi N]" in readme
    for key in ("`page_size`", "`profiles`", "`bleed_mm`", "`notes`", "`cover`", "`edition`"):
        assert key in readme, key
