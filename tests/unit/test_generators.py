"""Posts written for Quarto and Zola read as they are: the fields each generator defines
give no warning, authors in every form Quarto accepts, drafts left out, Zola's dates in
file names and paths; and what qlabbook init records from them."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from qlabbook.build import load_collection
from qlabbook.source.adopt import plan
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.generators import author_names, plain_inline


def collection(root: Path, folder: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / folder / name).parent.mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text, encoding="utf-8")
    order = ", ".join(f'"{n}"' for n in files)
    (root / "qlabbook.toml").write_text(
        f'[collection]\ntitle = "Blog"\n\n[essays]\nfolder = "{folder}"\norder = [{order}]\n',
        encoding="utf-8")
    return root


def first_lines(diagnostics: Diagnostics) -> list[str]:
    return [d.format().split("\n")[0] for d in diagnostics.items]


QUARTO_POST = """\
---
title: "A Quarto post"
subtitle: "Its subtitle"
author:
  - name: Ada Researcher
    affiliation: "[Pain Institute](https://pain.example.org)"
    orcid: 0000-0002-1825-0097
  - name:
      given: Ben
      family: Colleague
date: "2023-03-01"
date-modified: "2023-03-04"
categories: [news]
description: "The post's summary."
image: thumb.png
format:
  html:
    toc: true
execute:
  echo: false
citation: true
reference-location: margin
engine: knitr
editor: visual
jupyter: python3
toc: true
number-sections: true
filters: [lightbox]
freeze: auto
lang: en-GB
draft: false
---

Text.
"""


def test_quarto_fields_give_no_warning_and_authors_and_summary_are_read(
        tmp_path: Path) -> None:
    root = collection(tmp_path, "posts", {"a/index.qmd": QUARTO_POST})
    diagnostics = Diagnostics()
    essay = load_collection(root, diagnostics).essays[0].source
    assert first_lines(diagnostics) == []
    assert (essay.title, essay.subtitle, essay.summary, essay.date, essay.slug) == (
        "A Quarto post", "Its subtitle", "The post's summary.", dt.date(2023, 3, 1), "a")
    assert essay.authors == ("Ada Researcher", "Ben Colleague")


ZOLA_POST = """\
+++
title = "A Zola post"
description = "Said in Zola."
path = "2019/07/30/a-zola-post"
template = "page.html"
in_search_index = true
weight = 3

[taxonomies]
tags = ["gardens"]

[extra]
author = "Sam Writer"
toc = true
+++

Text.
"""


def test_zola_fields_give_no_warning_and_the_date_comes_from_name_or_path(
        tmp_path: Path) -> None:
    root = collection(tmp_path, "content/blog", {
        "in-path.md": ZOLA_POST,
        "2019-05-01_underscore.md": '+++\ntitle = "Named"\n+++\n\nText.\n',
        "2019-06-01-hyphen.md": '+++\ntitle = "Hyphen"\n[extra]\nx = 1\n+++\n\nText.\n'})
    diagnostics = Diagnostics()
    essays = {e.source.path.name: e.source for e in load_collection(root, diagnostics).essays}
    assert first_lines(diagnostics) == []
    assert essays["in-path.md"].date == dt.date(2019, 7, 30)
    assert essays["in-path.md"].authors == ("Sam Writer",)  # from [extra], as themes keep it
    assert essays["in-path.md"].summary == "Said in Zola."
    assert (essays["2019-05-01_underscore.md"].date, essays["2019-05-01_underscore.md"].slug) \
        == (dt.date(2019, 5, 1), "underscore")
    assert essays["2019-06-01-hyphen.md"].date == dt.date(2019, 6, 1)


def test_a_field_no_generator_defines_still_warns_at_its_line(tmp_path: Path) -> None:
    root = collection(tmp_path, "posts", {
        "a.md": "---\ntitle: A\ncategories: [x]\nmood: happy\n---\n\nText.\n"})
    diagnostics = Diagnostics()
    load_collection(root, diagnostics)
    assert first_lines(diagnostics) == [
        "posts/a.md:4: warning: unknown front matter field 'mood' [S106]"]


@pytest.mark.parametrize("head", ["---\ntitle: B\ndraft: true\n---\n",
                                  '+++\ntitle = "B"\ndraft = true\n+++\n',
                                  "---\ntitle: B\npublished: false\n---\n"])
def test_a_draft_is_left_out_with_a_note_and_the_others_numbered_on(
        tmp_path: Path, head: str) -> None:
    root = collection(tmp_path, "posts", {"a.md": "# A\n", "b.md": head + "\nB.\n",
                                          "c.md": "# C\n"})
    diagnostics = Diagnostics()
    essays = load_collection(root, diagnostics).essays
    assert [(e.number, e.title) for e in essays] == [(1, "A"), (2, "C")]
    assert first_lines(diagnostics) == [
        "posts/b.md:3: warning: a draft: left out of the book [S112]"]


@pytest.mark.parametrize(("value", "expected"), [
    ("Ada Researcher", ["Ada Researcher"]),
    (["Ada", "Ben"], ["Ada", "Ben"]),
    ({"name": "Ada", "affiliation": "X"}, ["Ada"]),
    ([{"name": "Ada", "url": "https://a.example"}], ["Ada"]),
    ([{"name": {"given": "Ben", "family": "Colleague"}}], ["Ben Colleague"]),
    ({"name": {"literal": "The Q Lab"}}, ["The Q Lab"]),
    ([{"given": "Ann", "non-dropping-particle": "van", "family": "Dijk"}], ["Ann van Dijk"]),
    ("Ada, [Pain Institute](https://pain.example.org)", ["Ada, Pain Institute"]),
    ("*Ada* **Researcher**", ["Ada Researcher"]),
    ([{"name": "Ada"}, 3.5, {"bad": []}], [{"name": "Ada"}, 3.5, {"bad": []}]),  # reported
])
def test_authors_in_every_form_quarto_accepts(value: object, expected: object) -> None:
    assert author_names(value) == expected


def test_markdown_in_a_field_reads_as_its_words() -> None:
    assert plain_inline("[Institute](https://x.org), `code` and <https://y.org>") == \
        "Institute, code and https://y.org"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_init_adopts_a_quarto_blog_and_records_its_bibliographies(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "_quarto.yml": "project:\n  type: website\nwebsite:\n  title: Pain, measured\n"
                       "  site-url: https://pain.example.org/\nbibliography: refs.bib\n"
                       "csl: styles/apa.csl\nlang: en-GB\nauthor: Ada Researcher\n",
        "refs.bib": "@book{a, title={A}, year={2000}}\n", "styles/apa.csl": "<style/>\n",
        "index.qmd": "---\ntitle: Home\nlisting:\n  contents: posts\n---\n",
        "about.qmd": "---\ntitle: About\n---\n",
        "posts/one/index.qmd": "---\ntitle: One\ndate: 2023-01-02\n---\n",
        "posts/two/index.qmd": "---\ntitle: Two\ndate: 2023-02-03\nbibliography: "
                               "[more.bib, ../../refs.bib]\n---\n",
        "posts/two/more.bib": "@book{b, title={B}, year={2001}}\n",
        "posts/three/index.qmd": "---\ntitle: Three\ndate: 2023-03-01\ndraft: true\n---\n"})
    adoption = plan(root)
    assert (adoption.folder, [e.name for e in adoption.essays], adoption.order_by) == (
        "posts", ["one/index.qmd", "two/index.qmd"], "date")
    assert adoption.left_out == [("three/index.qmd", "a draft")]
    config = tomllib.loads(adoption.config_text())
    assert config["collection"] == {"title": "Pain, measured", "authors": ["Ada Researcher"],
                                    "language": "en-GB"}
    assert config["bibliography"] == {"files": ["refs.bib", "posts/two/more.bib"],
                                      "style": "styles/apa.csl"}
    assert config["essays"]["site"] == "https://pain.example.org"


def test_init_reads_zola_s_config_not_as_hugo_s(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "config.toml": 'base_url = "https://notes.example.org/"\ntitle = "Slow Notes"\n'
                       'default_language = "fr"\n\n[extra]\nauthor = "Sam Writer"\n',
        "content/_index.md": '+++\ntitle = "Home"\n+++\n',
        "content/blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n',
        "content/blog/2019-05-01-first.md": '+++\ntitle = "First"\n+++\n',
        "content/blog/later.md": '+++\ntitle = "Later"\npath = "2019/06/02/later"\n+++\n'})
    adoption = plan(root)
    assert (adoption.folder, [e.name for e in adoption.essays], adoption.order_by) == (
        "content/blog", ["2019-05-01-first.md", "later.md"], "date")
    config = tomllib.loads(adoption.config_text())
    assert config["collection"] == {"title": "Slow Notes", "authors": ["Sam Writer"],
                                    "language": "fr"}
    assert config["essays"]["site"] == "https://notes.example.org"
    assert "bibliography" not in config
