"""qlabbook init's decisions: where the essays are, what is left out, the series order,
and the qlabbook.toml that records them; it never overwrites and never prompts off a
terminal."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from helpers import run_cli
from qlabbook.source.adopt import plan
from qlabbook.source.diagnostics import QlabbookError


def folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("files", "expected_folder"), [
    ({"essays/a.md": "# A\n", "README.md": "# R\n"}, "essays"),
    ({"_posts/2019-01-01-a.md": "# A\n", "index.md": "# Home\n", "about.md": "# About\n"},
     "_posts"),
    ({"content/posts/a.md": "# A\n", "content/_index.md": "# Home\n"}, "content/posts"),
    ({"posts/a.markdown": "# A\n"}, "posts"),
    ({"one.md": "# One\n", "two.md": "# Two\n", "README.md": "# Read me\n"}, "."),
])
def test_the_essays_folder_is_found(tmp_path: Path, files: dict[str, str],
                                    expected_folder: str) -> None:
    assert plan(folder(tmp_path, files)).folder == expected_folder


def order_of(tmp_path: Path, files: dict[str, str]) -> tuple[list[str], str]:
    adoption = plan(folder(tmp_path, {f"posts/{n}": t for n, t in files.items()}))
    return [e.name for e in adoption.essays], adoption.order_by


def test_order_by_number_or_weight_first(tmp_path: Path) -> None:
    assert order_of(tmp_path, {
        "a.md": "---\ntitle: A\nnumber: 10\ndate: 2001-01-01\n---\n",
        "b.md": "+++\ntitle = 'B'\nweight = 2\n+++\n",
        "c.md": "---\ntitle: C\norder: 9\n---\n"}) == (["b.md", "c.md", "a.md"], "number")


def test_order_by_date_with_times_and_zones(tmp_path: Path) -> None:
    assert order_of(tmp_path, {
        "a.md": "---\ntitle: A\ndate: 2019-05-14T10:30:00+02:00\n---\n",  # 08:30 UTC
        "b.md": "---\ntitle: B\ndate: 2019-05-14 09:00:00 Z\n---\n",
        "c.md": "---\ntitle: C\ndate: 2019-05-14T08:00:00Z\n---\n",
        "2019-05-13-d.md": "# D\n",  # the date in its name
        "e.md": "% E\n% Someone\n% 12 May 2019\n"}) == (
        ["e.md", "2019-05-13-d.md", "c.md", "a.md", "b.md"], "date")


def test_order_by_file_name_number_then_name(tmp_path: Path) -> None:
    assert order_of(tmp_path / "one", {"10-z.md": "# Z\n", "9-y.md": "# Y\n",
                                       "02-x.md": "# X\n"}) == (
        ["02-x.md", "9-y.md", "10-z.md"], "file-name number")
    assert order_of(tmp_path / "two", {"b.md": "# B\n", "A.md": "# A\n"}) == (
        ["A.md", "b.md"], "name")


def test_drafts_and_pages_are_left_out_and_recorded(tmp_path: Path) -> None:
    adoption = plan(folder(tmp_path, {
        "README.md": "# Read me\n", "a.md": "---\ntitle: A\n---\n",
        "b.md": "---\ntitle: B\ndraft: true\n---\n", "c.md": "---\npublished: false\n---\n"}))
    assert [e.name for e in adoption.essays] == ["a.md"]
    assert adoption.left_out == [("README.md", "not an essay"), ("b.md", "a draft"),
                                 ("c.md", "a draft")]
    config = tomllib.loads(adoption.config_text())
    assert config["essays"] == {"folder": ".", "order": ["a.md"],
                                "exclude": ["README.md", "b.md", "c.md"]}


def test_the_site_configuration_gives_title_author_and_permalinks(tmp_path: Path) -> None:
    adoption = plan(folder(tmp_path, {
        "_config.yml": 'title: "Jo\'s \\"Blog\\""\nauthor: {name: Jo}\nlang: en-GB\n'
                       "url: https://jo.example.org\nbaseurl: /blog\n",
        "_posts/2019-01-01-a.md": "# A\n"}))
    config = tomllib.loads(adoption.config_text())
    assert config["collection"] == {"title": 'Jo\'s "Blog"', "authors": ["Jo"],
                                    "language": "en-GB"}
    assert config["essays"]["permalink"] == "date"  # Jekyll's default style
    assert config["essays"]["site"] == "https://jo.example.org/blog"


def test_notebooks_are_left_out_by_name_and_r_markdown_is_read_as_pandoc_reads_it(
        tmp_path: Path) -> None:
    """A blogdown or Quarto folder: its .Rmd posts are essays, read as pandoc reads them (knitr
    hands them to pandoc); a notebook post is said to be left out, and recorded in exclude,
    so a build names it only where nobody has decided."""
    root = folder(tmp_path, {
        "posts/first/index.Rmd": "---\ntitle: First\ndate: 2020-01-01\n---\n\nText.\n",
        "posts/second/index.md": "---\ntitle: Second\ndate: 2020-02-01\n---\n\nText.\n",
        "posts/third/index.ipynb": "{}\n",
        # distill's: the post's file is named as its folder, beside what distill made of it
        "posts/2020-03-01-fourth/2020-03-01-fourth.Rmd": "---\ntitle: Fourth\n---\n\nText.\n",
        "posts/2020-03-01-fourth/2020-03-01-fourth.html": "<p>Text.</p>\n"})
    adoption = plan(root)
    assert [e.name for e in adoption.essays] == [
        "first/index.Rmd", "second/index.md", "2020-03-01-fourth/2020-03-01-fourth.Rmd"]
    assert adoption.left_out == [
        ("third/index.ipynb", "a Jupyter notebook, which qlabbook does not read")]
    assert adoption.pandoc_because == "the R Markdown files (knitr hands them to pandoc)"
    assert tomllib.loads(adoption.config_text())["essays"]["exclude"] == ["third/index.ipynb"]


def test_a_folder_without_markdown_is_refused(tmp_path: Path) -> None:
    with pytest.raises(QlabbookError) as raised:
        plan(tmp_path)
    assert raised.value.errors[0].code == "A101"


def test_init_never_overwrites_and_never_prompts_without_a_terminal(tmp_path: Path) -> None:
    folder(tmp_path, {"essays/a.md": "# A\n", "essays/b.md": "# B\n"})
    before = {p: p.read_bytes() for p in (tmp_path / "essays").iterdir()}
    result = run_cli("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Title of the book" not in result.output  # CliRunner's input is not a terminal
    assert result.stdout.splitlines()[1:3] == ["  1              A  (a.md)",
                                               "  2              B  (b.md)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essays", "qlabbook.toml"]
    assert {p: p.read_bytes() for p in (tmp_path / "essays").iterdir()} == before
    written = (tmp_path / "qlabbook.toml").read_text()
    again = run_cli("init", tmp_path, "--title", "Other")
    assert again.exit_code == 1
    assert again.stderr.splitlines()[0] == (
        "qlabbook.toml: error: qlabbook.toml already exists; nothing was written [W103]")
    assert (tmp_path / "qlabbook.toml").read_text() == written


def test_new_in_an_adopted_collection_writes_into_its_folder(tmp_path: Path) -> None:
    folder(tmp_path, {"_posts/2019-01-01-a.md": "# A\n", "_posts/2019-02-01-b.md": "# B\n"})
    assert run_cli("init", tmp_path).exit_code == 0
    result = run_cli("new", "Third one", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "_posts" / "03-third-one.md")
    assert result.stderr.strip() == ('qlabbook: add "03-third-one.md" to the order list under '
                                     "[essays] in qlabbook.toml to put it in the book")


def test_a_hugo_site_is_adopted_with_bundles_weights_and_permalinks(tmp_path: Path) -> None:
    from qlabbook.build import load_collection
    from qlabbook.source.adopt import write_config
    from qlabbook.source.diagnostics import Diagnostics

    folder(tmp_path, {
        "hugo.toml": 'baseURL = "https://hugo.example.org/"\ntitle = "Hugo Notes"\n'
                     'languageCode = "fr"\n[permalinks]\nposts = "/:year/:slug/"\n'
                     '[params]\nauthor = "Hu Go"\n',
        "content/_index.md": "+++\ntitle = 'Home'\n+++\n",
        "content/posts/_index.md": "+++\ntitle = 'Posts'\n+++\n",
        "content/posts/second.md": '+++\ntitle = "Second"\ndate = 2020-02-02\nweight = 2\n'
                                   'slug = "the-second"\n+++\n\nBack to '
                                   "[one](https://hugo.example.org/2020/bundle/).\n",
        "content/posts/bundle/index.md": '+++\ntitle = "Bundle"\ndate = 2020-01-01\n'
                                         'weight = 1\n+++\n\nSee [two](/2020/the-second/) and '
                                         '[self]({{< relref "bundle" >}}).\n',
    })
    adoption = plan(tmp_path)
    assert (adoption.folder, adoption.order_by, adoption.permalink, adoption.site) == (
        "content/posts", "number", "/:year/:slug/", "https://hugo.example.org")
    assert [e.name for e in adoption.essays] == ["bundle/index.md", "second.md"]
    assert adoption.left_out == [("_index.md", "not an essay")]
    write_config(tmp_path, adoption)
    diagnostics = Diagnostics()
    collection = load_collection(tmp_path, diagnostics)
    assert diagnostics.items == []
    assert collection.metadata.language == "fr" and collection.metadata.authors == ("Hu Go",)
    first, second = collection.essays
    assert (first.slug, second.slug) == ("bundle", "the-second")
    assert first.body_html == ('<p id="e1-p1">See <a href="#e2">two</a> and '
                               '<a href="#e1">self</a>.</p>')
    assert second.body_html == '<p id="e2-p1">Back to <a href="#e1">one</a>.</p>'


def test_init_asks_for_the_title_only_on_a_terminal(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import qlabbook.cli
    from qlabbook.cli import app

    folder(tmp_path, {"essays/a.md": "# A\n"})
    monkeypatch.setattr(qlabbook.cli, "interactive", lambda: True)
    result = CliRunner().invoke(app, ["init", str(tmp_path)], input="Asked For\n")
    assert result.exit_code == 0, result.output
    assert "Title of the book [" in result.output
    config = tomllib.loads((tmp_path / "qlabbook.toml").read_text())
    assert config["collection"]["title"] == "Asked For"


@pytest.mark.parametrize(("files", "title", "said"), [
    ({"mkdocs.yml": "site_name: Field Notes\n"}, "Field Notes", "site_name in mkdocs.yml"),
    ({"pelicanconf.py": "AUTHOR = 'Jo'\nSITENAME = 'Slow Reading'\n"}, "Slow Reading",
     "SITENAME in pelicanconf.py"),
    ({"README.md": "# The *Lab* Book\n\nWhat this is.\n"}, "The Lab Book",
     "the title of README.md"),
    ({"content/_index.md": "+++\ntitle = 'Home'\n+++\n", "index.md": "---\ntitle: Rivers\n---\n"},
     "Rivers", "the title of index.md"),
    ({"README.md": "Just text, no heading.\n"}, "Lab Notes",
     "the folder's name: no site config, README or index page names one"),
])
def test_without_a_site_title_init_takes_the_best_one_it_finds_and_says_where(
        tmp_path: Path, files: dict[str, str], title: str, said: str) -> None:
    root = folder(tmp_path / "lab_notes", {**files, "essays/a.md": "# A\n"})
    result = run_cli("init", root)
    assert result.exit_code == 0, result.output
    assert tomllib.loads((root / "qlabbook.toml").read_text())["collection"]["title"] == title
    assert f"title: {title} (from {said}); to change it, edit title under [collection] in " \
        "qlabbook.toml" in result.stdout.splitlines()
    again = run_cli("init", folder(tmp_path / "given", {"essays/a.md": "# A\n"}),
                    "--title", "Given")
    assert not [line for line in again.stdout.splitlines() if line.startswith("title:")]
