"""The [pdf] table: trim sizes, profiles, bleed, notes and cover, and what bad values give."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

from helpers import FIXTURES, page_texts, run_cli
from qlabbook.source.config import load_config
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.profiles import page_dimensions
from qlabbook.typeset.geometry import geometry

MM = 72 / 25.4
COLLECTION = '[collection]\ntitle = "T"\n\n[pdf]\n'


def config_errors(tmp_path: Path, pdf_table: str) -> list[str]:
    (tmp_path / "qlabbook.toml").write_text(COLLECTION + pdf_table, encoding="utf-8")
    diagnostics = Diagnostics()
    load_config(tmp_path, diagnostics)
    return [d.format().splitlines()[0] for d in diagnostics.items]


@pytest.mark.parametrize(("size", "expected"), [
    ("A4", (210.0, 297.0)), ("A5", (148.0, 210.0)), ("Letter", (215.9, 279.4)),
    ("156x234 mm", (156.0, 234.0)), ("156 x 234 mm", (156.0, 234.0)),
    ("129.5×198mm", (129.5, 198.0)),
    ("B5", None), ("156x234", None), ("20x30 mm", None), ("1000x2000 mm", None),
])
def test_trim_sizes(size: str, expected: tuple[float, float] | None) -> None:
    assert page_dimensions(size) == expected


def test_custom_sizes_keep_a_book_measure_and_margin_progression() -> None:
    for size in ("156x234 mm", "129x198 mm", "240x300 mm"):
        width, _, inner, top, outer, bottom = geometry(size)
        assert width - inner - outer <= 127.0 + 1e-6
        assert inner < top < outer < bottom, size


@pytest.mark.parametrize(("table", "expected"), [
    ('profile = "print"\n',
     ["qlabbook.toml:5: error: unknown PDF profile 'print' [C104]"]),
    ('profiles = ["screen", "web"]\n',
     ["qlabbook.toml:5: error: unknown PDF profiles ['screen', 'web'] [C104]"]),
    ('profiles = []\n', ["qlabbook.toml:5: error: unknown PDF profiles [] [C104]"]),
    ("bleed_mm = 30\n",
     ["qlabbook.toml:5: error: bleed_mm must be a number of millimetres from 0 to 10, "
      "not 30 [C104]"]),
    ('notes = "sidenotes"\n',
     ["qlabbook.toml:5: error: unknown notes placement 'sidenotes' [C104]"]),
    ('cover = "images/missing.jpg"\n',
     ["qlabbook.toml:5: error: cover image 'images/missing.jpg' is not a readable image "
      "inside the collection [I101]"]),
    ('cover = "../outside.png"\n',
     ["qlabbook.toml:5: error: cover image '../outside.png' is not a readable image "
      "inside the collection [I101]"]),
    ('page_size = "20x30 mm"\n', ["qlabbook.toml:5: error: unknown page_size '20x30 mm' [C104]"]),
])
def test_bad_pdf_options_are_located(tmp_path: Path, table: str, expected: list[str]) -> None:
    (tmp_path / "outside.png").write_bytes((FIXTURES / "series/images/card.png").read_bytes())
    root = tmp_path / "collection"
    root.mkdir()
    assert config_errors(root, table) == expected


def test_good_pdf_options_are_read(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    shutil.copy(FIXTURES / "series/images/card.png", tmp_path / "images/cover.png")
    (tmp_path / "qlabbook.toml").write_text(
        COLLECTION + 'page_size = "156x234 mm"\nprofiles = ["press", "screen", "press"]\n'
        'bleed_mm = 5\nnotes = "endnotes"\ncover = "images/cover.png"\n', encoding="utf-8")
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    assert config is not None and diagnostics.items == []
    options = config[1]
    assert (options.page_size, options.profiles, options.bleed_mm, options.notes,
            options.cover) == ("156x234 mm", ("press", "screen"), 5.0, "endnotes",
                               "images/cover.png")


@pytest.mark.slow
def test_supplied_cover_bleed_and_a5_press(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    config = root / "qlabbook.toml"
    config.write_text(config.read_text() + '\n[pdf]\npage_size = "A5"\nbleed_mm = 5\n'
                      'profiles = ["screen", "press"]\ncover = "images/card.png"\n')
    result = run_cli("build", root, "-o", root / "dist", "-f", "pdf")
    assert result.exit_code == 0, result.output
    with pikepdf.open(root / "dist" / "fixture-series-press.pdf") as pdf:
        for page in pdf.pages:
            assert [float(v) for v in page.TrimBox] == pytest.approx(
                [0, 0, 148 * MM, 210 * MM], abs=0.01)
            assert [float(v) for v in page.BleedBox] == pytest.approx(
                [-5 * MM, -5 * MM, 153 * MM, 215 * MM], abs=0.01)
    with pikepdf.open(root / "dist" / "fixture-series.pdf") as pdf:
        cover = pdf.pages[0]
        assert len(cover.get_images()) == 1  # the supplied picture fills the first page
        assert [round(float(v), 2) for v in cover.MediaBox] == [0, 0, 419.53, 595.28]
    texts = page_texts(root / "dist" / "fixture-series.pdf")
    assert texts[0] == "" and texts[2].startswith("Test project one Fixture Series")
    # The press PDF starts with the title page: the printer takes the cover separately.
    assert page_texts(root / "dist" / "fixture-series-press.pdf")[0].startswith(
        "Test project one Fixture Series")


def test_imprint_gives_rights_publisher_date_identifier_and_edition() -> None:
    from qlabbook.build import load_collection
    from qlabbook.typeset.html import render_print_html

    html = render_print_html(load_collection(FIXTURES / "typesetting"))
    imprint = html[html.index('<section class="imprint"'):html.index("</section>",
                                                                   html.index("imprint"))]
    for expected in ("First edition, June 2021", "Published by Fixture Press, June 2021.",
                     "© Cleo Compositor", "urn:uuid:5d1f0c7e-8a41-4f0e-9b8e-3a7c2e1d4b55",
                     "screen edition"):
        assert expected in imprint, expected


def test_every_edition_gets_a_pdf_per_profile() -> None:
    from qlabbook.build import load_collection
    from qlabbook.output.editions import plan_editions

    collection = load_collection(FIXTURES / "series")
    plan = plan_editions(collection, ["pdf", "epub"], collected=True, essays=[2],
                         profiles=["screen", "press"])
    assert [(e.path.as_posix(), e.profile, e.label) for e in plan] == [
        ("fixture-series.pdf", "screen", "collected edition PDF"),
        ("fixture-series-press.pdf", "press", "collected edition PDF (press)"),
        ("fixture-series.epub", "", "collected edition EPUB"),
        ("essays/02-c-opening.pdf", "screen", "essay 2 PDF"),
        ("essays/02-c-opening-press.pdf", "press", "essay 2 PDF (press)"),
        ("essays/02-c-opening.epub", "", "essay 2 EPUB")]
    # Without an override, the collection's [pdf] profiles (screen by default).
    assert [e.profile for e in plan_editions(collection, ["pdf"], True, [])] == ["screen"]


def test_a_changed_cover_image_changes_the_cache_key(tmp_path: Path) -> None:
    from qlabbook.build import load_collection
    from qlabbook.output.cache import edition_key
    from qlabbook.output.editions import plan_editions

    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    shutil.copy(root / "images/card.png", root / "images/cover.png")
    config = root / "qlabbook.toml"
    config.write_text(config.read_text() + '\n[pdf]\ncover = "images/cover.png"\n')
    [edition] = plan_editions(load_collection(root), ["pdf"], True, [])
    before = edition_key(edition)
    (root / "images/cover.png").write_bytes((FIXTURES / "typesetting/images/thumbnail.png")
                                            .read_bytes())
    assert edition_key(edition) != before
