"""The finishing rules on in-memory input: captions, attributions, running heads, edition
names, the type area per trim size, dates in qlabbook.toml, YAML errors' lines."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PIL import Image

from helpers import convert_essay_body
from qlabbook.source.config import collection_date
from qlabbook.source.ids import essay_file_stem
from qlabbook.typeset.geometry import MEASURE_PER_PT, TYPE_AREAS, geometry, type_area
from qlabbook.typeset.html import running_head


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "workshop.png")
    return tmp_path


def caption_text(root: Path, attributes: str, title: str = "Workshop in Birmingham") -> str:
    braces = f"{{ {attributes} }}" if attributes else ""
    body = f'![A table](../images/workshop.png "{title}"){braces}\n'
    essay, problems = convert_essay_body(root, body)
    assert problems == []
    start = essay.body_html.index("<figcaption>")
    end = essay.body_html.index("</figcaption>")
    return re.sub(r"<[^>]+>", "", essay.body_html[start:end])


@pytest.mark.parametrize(("attributes", "title", "expected"), [
    ('credit="Alastair Fyfe" licence="CC BY 4.0" source="https://example.org/p"',
     "Workshop in Birmingham",
     "Workshop in Birmingham. Photo: Alastair Fyfe, CC\u00a0BY\u00a04.0."),
    ('credit="Eli Pixel" source="Archive, box 3"', "A thumbnail",
     "A thumbnail. Photo: Eli Pixel, Archive, box 3."),
    ('licence="CC0"', "Is it?", "Is it? CC0."),
    ('credit="Dana Lens"', "The harbour at dusk.", "The harbour at dusk. Photo: Dana Lens."),
    ("", "Just a caption", "Just a caption."),
])
def test_captions_are_one_punctuated_line(root: Path, attributes: str, title: str,
                                          expected: str) -> None:
    assert caption_text(root, attributes, title) == expected


def test_a_source_address_links_the_credit(root: Path) -> None:
    body = ('![A table](../images/workshop.png "W"){ credit="Ann" '
            'source="https://example.org/p" }\n')
    essay, _ = convert_essay_body(root, body)
    assert '<span class="credit">Photo: <a href="https://example.org/p">Ann</a></span>.' \
        in essay.body_html


@pytest.mark.parametrize(("attribution", "expected"), [
    ("— Lab participant, Birmingham, 2019", "\u2014\u2009Lab participant, Birmingham,\u00a02019"),
    ("— Ann", "\u2014\u2009Ann"),
])
def test_attributions_keep_their_last_two_words_together(root: Path, attribution: str,
                                                         expected: str) -> None:
    essay, _ = convert_essay_body(root, f"> Words.\n>\n> {attribution}\n")
    assert f'<figcaption class="attribution">{expected}</figcaption>' in essay.body_html


@pytest.mark.parametrize(("number", "slug", "stem"), [
    (1, "1-slug", "01-slug"), (1, "01-slug", "01-slug"), (1, "slug", "01-slug"),
    (12, "12_slug", "12-slug"), (3, "2019-review", "03-2019-review"), (12, "1-slug", "12-1-slug"),
])
def test_edition_names_carry_the_number_once(number: int, slug: str, stem: str) -> None:
    assert essay_file_stem(number, slug) == stem


@pytest.mark.parametrize(("title", "head"), [
    ("Ten ideas", "Ten ideas"),
    ("What the participants told us about waiting, continuity of care and the long road",
     "What the participants told us about waiting"),
    ("A very long title without any punctuation that goes on and on and on",
     "A very long title without any punctuation that\u2026"),
])
def test_running_heads_are_short(title: str, head: str) -> None:
    assert running_head(title) == head


@pytest.mark.parametrize("size", [*TYPE_AREAS, "156x234 mm", "120x180 mm", "297x420 mm"])
def test_every_trim_size_has_a_measure_of_about_65_characters(size: str) -> None:
    width, _, inner, top, outer, bottom = geometry(size)
    area = type_area(size)
    measure = width - inner - outer
    # About 65 characters of Libertine: 9.8 mm of measure per point of type.
    characters = 65 * measure / (area.size_pt * MEASURE_PER_PT)
    assert 60 <= characters <= 70 or (width < 130 and area.size_pt == 9.0), (size, characters)
    assert inner < outer and top < bottom


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2026, 11, 1), dt.date(2026, 11, 1)),
    ("2026-11-01", dt.date(2026, 11, 1)),
    ("1 November 2026", dt.date(2026, 11, 1)),
    ("2026-11-01T10:00:00", dt.date(2026, 11, 1)),
    (None, None),
    ("sometime", False),
    ("2019-02-30", False),
    (20261101, False),
])
def test_collection_dates_as_people_write_them(value: object, expected: object) -> None:
    assert collection_date(value) == expected
