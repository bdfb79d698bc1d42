"""Front matter in the forms Jekyll, Hugo and pandoc users write, read by the loader with
every problem at its line; the [essays] table's folder and order."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest

from qlabbook.build import load_collection
from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.frontmatter import parse_date

ORDERED = '[collection]\ntitle = "Blog"\n\n[essays]\nfolder = "_posts"\norder = [{}]\n'


def blog(tmp_path: Path, files: dict[str, str], order: list[str] | None = None) -> Path:
    """A collection whose essays are in _posts/, in the order given (default: as listed)."""
    (tmp_path / "_posts").mkdir()
    for name, text in files.items():
        (tmp_path / "_posts" / name).write_text(text, encoding="utf-8")
    names = ", ".join(f'"{n}"' for n in (order if order is not None else files))
    (tmp_path / "qlabbook.toml").write_text(ORDERED.format(names), encoding="utf-8")
    return tmp_path


def lines(diagnostics: Diagnostics) -> list[str]:
    return [d.format().split("\n")[0] for d in diagnostics.items]


def test_every_front_matter_form_is_read_in_the_stated_order(tmp_path: Path) -> None:
    root = blog(tmp_path, {
        "2019-05-14-yaml.md": "---\nlayout: post\ntitle: YAML post\n"
                              "date: 2019-05-14 10:30:00 +0100\nauthor: Jo Blogger\n"
                              "description: Said in YAML.\ncategories: notes\n---\n\nOne.\n",
        "toml.md": '+++\ntitle = "TOML post"\ndate = 2019-06-01T08:00:00Z\n'
                   'authors = ["A", "B"]\nsummary = "Said in TOML."\nweight = 4\n+++\n\nTwo.\n',
        "pandoc.markdown": "% The pandoc one\n% Jo Blogger; Ann Other\n% 9 September 2019\n\n"
                           "Three.\n",
        "2019-08-01-bare.md": "Intro line?\n\n# Not first\n",
        "2019-08-02-heading.md": "\n# A heading title\n\nFour.\n",
    })
    diagnostics = Diagnostics()
    collection = load_collection(root, diagnostics)
    assert diagnostics.items == []
    essays = {e.source.path.name: e for e in collection.essays}
    assert [e.number for e in collection.essays] == [1, 2, 3, 4, 5]
    assert [e.title for e in collection.essays] == [
        "YAML post", "TOML post", "The pandoc one", "Bare", "A heading title"]
    yaml_post = essays["2019-05-14-yaml.md"].source
    assert (yaml_post.date, yaml_post.authors, yaml_post.summary, yaml_post.slug) == (
        dt.date(2019, 5, 14), ("Jo Blogger",), "Said in YAML.", "yaml")
    toml_post = essays["toml.md"].source
    assert (toml_post.date, toml_post.authors, toml_post.summary, toml_post.body_line) == (
        dt.date(2019, 6, 1), ("A", "B"), "Said in TOML.", 8)
    pandoc = essays["pandoc.markdown"].source
    assert (pandoc.authors, pandoc.date_label, pandoc.body_line) == (
        ("Jo Blogger", "Ann Other"), "9 September 2019", 4)
    bare = essays["2019-08-01-bare.md"]
    assert bare.source.date == dt.date(2019, 8, 1)  # from the Jekyll file name
    assert "Intro line?" in bare.body_html and "Not first" in bare.body_html
    heading = essays["2019-08-02-heading.md"]
    assert "A heading title" not in heading.body_html  # the title, not printed twice
    assert heading.source.line_of("Four.") == 4


def test_a_body_repeating_the_title_as_its_first_heading_prints_it_once(tmp_path: Path) -> None:
    root = blog(tmp_path, {"a.md": "---\ntitle: Same Title\n---\n\n# Same title\n\nText.\n"})
    [essay] = load_collection(root).essays
    assert essay.body_html == '<p id="e1-p1">Text.</p>'


@pytest.mark.parametrize(("written", "expected"), [
    ("2019-05-14", dt.date(2019, 5, 14)),
    ("2019-05-14 10:30:00 +0100", dt.datetime(2019, 5, 14, 10, 30)),
    ("2019-05-14T10:30:00Z", dt.datetime(2019, 5, 14, 10, 30)),
    ("2019-05-14T23:30:00-07:00", dt.datetime(2019, 5, 14, 23, 30)),
    ("14 May 2019", dt.date(2019, 5, 14)),
    ("May 14, 2019", dt.date(2019, 5, 14)),
    ("someday", None),
])
def test_dates_are_read_as_written(written: str, expected: object) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize(("files", "expected"), [
    ({"a.md": '+++\ntitle = "T"\ndate = nope\n+++\n'},
     ["_posts/a.md:3: error: invalid TOML in front matter: Invalid value (at line 2, "
      "column 8) [S103]"]),
    ({"a.md": '+++\ntitle = "T"\ndate = "2019-02-30"\n+++\n'},
     ["_posts/a.md:3: error: 2019-02-30 is not a real date (day is out of range for month) "
      "[S104]"]),
    ({"a.md": "+++\ntitle = 3.5\nmood = \"calm\"\n+++\n"},
     ["_posts/a.md:3: warning: unknown front matter field 'mood' [S106]"]),
    ({"a.md": "---\ntitle: T\ndate: 2019-13-01 10:00\n---\n"},
     ["_posts/a.md:3: error: 2019-13-01 10:00 is not a real date (month must be in 1..12) "
      "[S104]"]),
    ({"a.md": "+++\ntitle = 'T'\n\nText.\n"},
     ["_posts/a.md:1: error: the front matter has no closing '+++' line [S102]"]),
    ({"a.md": "---\ntitle: T\ndate: someday\n---\n"},
     ["_posts/a.md:3: error: 'date' must be a date (2019-05-14) or a month (2019-05), "
      "not 'someday' [S104]"]),
])
def test_front_matter_problems_are_located(tmp_path: Path, files: dict[str, str],
                                           expected: list[str]) -> None:
    root = blog(tmp_path, files)
    diagnostics = Diagnostics()
    with contextlib.suppress(QlabbookError):
        load_collection(root, diagnostics)
    assert lines(diagnostics) == expected


def test_order_names_a_missing_file_and_a_file_is_left_out(tmp_path: Path) -> None:
    root = blog(tmp_path, {"a.md": "# A\n", "b.md": "# B\n", "c.md": "# C\n"},
                order=["b.md", "gone.md", "a.md"])
    diagnostics = Diagnostics()
    with pytest.raises(QlabbookError):
        load_collection(root, diagnostics)
    assert lines(diagnostics) == [
        "qlabbook.toml:6: error: [essays] order names 'gone.md', which is not a file in "
        "_posts/ [C104]",
        "_posts/c.md: warning: not in [essays] order in qlabbook.toml: left out of the book "
        "[S111]",
    ]


def test_excluded_files_are_left_out_silently_and_number_follows_the_order(
        tmp_path: Path) -> None:
    root = blog(tmp_path, {"b.md": "---\ntitle: B\nnumber: 7\n---\n", "a.md": "# A\n",
                           "README.md": "# Readme\n"}, order=["b.md", "a.md"])
    with (root / "qlabbook.toml").open("a") as file:
        file.write('exclude = ["README.md"]\n')
    diagnostics = Diagnostics()
    collection = load_collection(root, diagnostics)
    assert diagnostics.items == []
    assert [(e.number, e.title) for e in collection.essays] == [(1, "B"), (2, "A")]


def test_without_an_order_the_essays_folder_and_number_are_required_as_before(
        tmp_path: Path) -> None:
    (tmp_path / "essays").mkdir()
    (tmp_path / "qlabbook.toml").write_text('[collection]\ntitle = "T"\n')
    (tmp_path / "essays" / "a.md").write_text("# A heading\n\nText.\n")
    (tmp_path / "essays" / "b.markdown").write_text('+++\ntitle = "B"\n+++\n')
    diagnostics = Diagnostics()
    with pytest.raises(QlabbookError):
        load_collection(tmp_path, diagnostics)
    assert lines(diagnostics) == [
        "essays/a.md:1: error: no front matter [S102]",
        "essays/b.markdown:2: error: missing required field 'number' [S104]",
    ]
