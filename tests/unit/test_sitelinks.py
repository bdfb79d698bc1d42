"""Links written for a website rather than the book: each leads to an essay of the
collection when it names one, else keeps its text with a located warning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qlabbook.markdown.convert import convert_essays
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.layout import Layout
from qlabbook.source.model import Essay, EssaySource, Metadata, Options
from qlabbook.source.permalinks import permalinks, site_key

JEKYLL = Layout(folder="_posts", permalink="/:categories/:year/:month/:day/:title/",
                site="https://jo.example.org/blog")


def post(body: str, number: int, name: str, date: dt.date | None = None,
         data: dict[str, object] | None = None) -> EssaySource:
    slug = name.split(".")[0][11:] if name[:4].isdigit() else name.split(".")[0]
    relative = Path("_posts") / name
    return EssaySource(path=relative, number=number, slug=slug, title=f"Post {number}",
                       body=body, body_line=5, date=date,
                       permalinks=permalinks(JEKYLL, data or {}, date, slug, relative))


def convert(*sources: EssaySource) -> tuple[list[Essay], list[str]]:
    diagnostics = Diagnostics()
    collection = convert_essays(Path("."), Metadata(title="T"), Options(), list(sources),
                                    diagnostics)
    return list(collection.essays), [d.format().split("\n")[0] for d in diagnostics.items]


FIRST = post("## Next steps\n\nText.\n", 1, "2019-05-14-first.md", dt.date(2019, 5, 14),
             {"categories": "Notes"})


@pytest.mark.parametrize("href", [
    "/notes/2019/05/14/first/",
    "/blog/notes/2019/05/14/first/",
    "https://jo.example.org/blog/notes/2019/05/14/first/",
    "https://www.jo.example.org/blog/notes/2019/05/14/first/index.html",
    "/notes/2019/05/14/first.html",
    "{% post_url 2019-05-14-first %}",
    "{{ site.baseurl }}{% post_url 2019-05-14-first %}",
    "{% link _posts/2019-05-14-first.md %}",
    '{{< ref "2019-05-14-first.md" >}}',
    '{{< relref "/posts/2019-05-14-first" >}}',
])
def test_site_links_to_an_essay_of_the_collection_lead_to_it(href: str) -> None:
    second = post(f"See [the first]({href}).\n", 2, "2019-06-01-second.md")
    [_, essay], found = convert(FIRST, second)
    assert found == []
    assert essay.body_html == '<p id="e2-p1">See <a href="#e1">the first</a>.</p>'


@pytest.mark.parametrize("href", [
    "/notes/2019/05/14/first/#next-steps",
    "{{ site.baseurl }}{% post_url 2019-05-14-first %}#next-steps",
    '{{< ref "2019-05-14-first.md#next-steps" >}}',
])
def test_a_site_link_with_a_fragment_leads_to_the_heading(href: str) -> None:
    second = post(f"[Next]({href})\n", 2, "b.md")
    [_, essay], found = convert(FIRST, second)
    assert found == []
    assert essay.body_html == '<p id="e2-p1"><a href="#e1-next-steps">Next</a></p>'


def test_a_site_path_that_ends_in_an_essay_name_resolves_with_a_warning() -> None:
    second = post("See [it](/archive/first/).\n", 2, "b.md")
    [_, essay], found = convert(FIRST, second)
    assert 'href="#e1"' in essay.body_html
    assert found == ["_posts/b.md:5: warning: link '/archive/first/' taken as the essay named "
                     "'first' [M207]"]


def test_links_outside_the_collection_keep_their_text_and_web_addresses() -> None:
    body = ("Read [the archive](/blog/archive/) and\n"          # 5
            "[notes](../drafts/notes.md) and\n"                  # 6
            "[code](github.com/qlab/book) and\n"                 # 7
            "[elsewhere]({% post_url 2001-01-01-gone %}) and\n"  # 8
            "[a site](https://example.org/x).\n")                # 9
    [essay], found = convert(post(body, 1, "a.md"))
    assert essay.body_html == (
        '<p id="e1-p1">Read the archive and\nnotes and\n'
        '<a href="https://github.com/qlab/book">code</a> and\nelsewhere and\n'
        '<a href="https://example.org/x">a site</a>.</p>')
    assert [line.split(" warning: ")[0] + " " + line[-6:] for line in found] == [
        "_posts/a.md:5: [M204]", "_posts/a.md:6: [M203]", "_posts/a.md:7: [M206]",
        "_posts/a.md:8: [M205]"]


def test_a_site_page_links_to_the_site_when_its_address_is_known() -> None:
    diagnostics = Diagnostics()
    collection = convert_essays(Path("."), Metadata(title="T"),
                                Options(site="https://jo.example.org/blog"),
                                [post("See [about](/about/).\n", 1, "a.md")], diagnostics)
    assert collection.essays[0].body_html == (
        '<p id="e1-p1">See <a href="https://jo.example.org/about/">about</a>.</p>')
    assert [d.format().split("\n")[0] for d in diagnostics.items] == [
        "_posts/a.md:5: warning: link to '/about/', a page of the website, not an essay of this "
        "collection: it links to https://jo.example.org/about/ [M204]"]


def test_a_fragment_in_another_case_resolves_with_a_warning() -> None:
    body = "## Next Steps\n\nSee [below](#Next-Steps) and [GitHub's form](#next_steps).\n"
    [essay], found = convert(post(body, 1, "a.md"))
    assert essay.body_html.count('href="#e1-next-steps"') == 2
    assert found == [
        "_posts/a.md:7: warning: link #Next-Steps taken as #next-steps, the heading whose id "
        "differs only in case or punctuation [M207]",
        "_posts/a.md:7: warning: link #next_steps taken as #next-steps, the heading whose id "
        "differs only in case or punctuation [M207]"]


def test_a_fragment_in_another_case_in_a_note_resolves_with_a_warning() -> None:
    body = "## Next Steps\n\nText.[^1]\n\n[^1]: See [below](#Next-Steps).\n"
    [essay], found = convert(post(body, 1, "a.md"))
    assert essay.footnotes[0].html == '<p>See <a href="#e1-next-steps">below</a>.</p>'
    assert found == [
        "_posts/a.md:9: warning: link #Next-Steps taken as #next-steps, the heading whose id "
        "differs only in case or punctuation [M207]"]


def test_a_fragment_in_another_case_in_another_essay_resolves_with_a_warning() -> None:
    second = post("See [it](2019-05-14-first.md#Next-Steps).\n", 2, "b.md")
    [_, essay], found = convert(FIRST, second)
    assert 'href="#e1-next-steps"' in essay.body_html
    assert found == ["_posts/b.md:5: warning: link #Next-Steps taken as #next-steps, the "
                     "heading whose id differs only in case or punctuation [M207]"]


def test_a_missing_heading_is_still_an_error() -> None:
    second = post("See [it](2019-05-14-first.md#nowhere).\n", 2, "b.md")
    _, found = convert(FIRST, second)
    assert found == ["_posts/b.md:5: error: link 'it' points to #nowhere, which is not a "
                     "heading of essay 1 [M202]"]


def test_site_keys_compare_addresses_as_a_site_serves_them() -> None:
    assert site_key("/2019/05/14/First/index.html") == site_key("/2019/05/14/first/") \
        == "/2019/05/14/first"
    assert site_key("https://www.Example.org/a/") == "//example.org/a"


def test_an_image_at_a_site_address_is_the_file_under_the_collection(tmp_path: Path) -> None:
    from PIL import Image

    for folder in ("assets", "static/img"):
        (tmp_path / folder).mkdir(parents=True)
        Image.new("RGB", (40, 30), "white").save(tmp_path / folder / "dot.png")
    body = "![A dot](/assets/dot.png)\n\n![Another](/img/dot.png)\n\n![Gone](/nowhere/x.png)\n"
    diagnostics = Diagnostics()
    collection = convert_essays(tmp_path, Metadata(title="T"), Options(),
                                [post(body, 1, "a.md")], diagnostics)
    assert [f.src for f in collection.essays[0].figures] == ["assets/dot.png",
                                                             "static/img/dot.png"]
    assert [d.format().split("\n")[0] for d in diagnostics.items] == [
        "_posts/a.md:9: error: image '/nowhere/x.png' is not a file inside the collection [I102]"]


def test_an_image_under_the_sites_base_path_is_the_file_under_the_collection(
        tmp_path: Path) -> None:
    """Jekyll's baseurl (/blog) starts the address of every file of the site: the file is
    the collection's, written so or in full (https://jo.example.org/blog/...)."""
    from PIL import Image

    for folder in ("images", "static/img"):
        (tmp_path / folder).mkdir(parents=True)
        Image.new("RGB", (40, 30), "white").save(tmp_path / folder / "dot.png")
    body = ("![A dot](/blog/images/dot.png)\n\n![Hugo's](/blog/img/dot.png)\n\n"
            "![In full](https://jo.example.org/blog/images/dot.png)\n\n"
            '<img src="/blog/images/dot.png" alt="Raw">\n\n![Gone](/blog/images/gone.png)\n')
    diagnostics = Diagnostics()
    collection = convert_essays(tmp_path, Metadata(title="T"), Options(site=JEKYLL.site),
                                [post(body, 1, "a.md")], diagnostics)
    assert [f.src for f in collection.essays[0].figures] == [
        "images/dot.png", "static/img/dot.png", "images/dot.png"]
    assert "images/dot.png" in collection.essays[0].images
    assert [d.format().split("\n")[0] for d in diagnostics.items] == [
        "_posts/a.md:13: error: image '/blog/images/gone.png' is not a file inside the "
        "collection [I102]"]


def test_a_shortcode_in_a_reference_definition_is_read_as_its_address() -> None:
    """`[x]: {{< ref "..." >}}` (spaces in the address) is a definition, as Hugo reads it,
    and so is a Liquid tag there."""
    second = post("[First][one], [again][two] and [lost][three].\n\n"
                  '[one]: {{< ref "2019-05-14-first.md" >}}\n'
                  "[two]: {% post_url 2019-05-14-first %}\n"
                  '[three]: {{< relref "nowhere.md" >}}\n', 2, "2019-06-01-second.md")
    essays, messages = convert(FIRST, second)
    assert essays[1].body_html == '<p id="e2-p1"><a href="#e1">First</a>, ' \
        '<a href="#e1">again</a> and lost.</p>'
    assert messages == ["_posts/2019-06-01-second.md:9: warning: link '{{< relref \"nowhere.md\" "
                        ">}}' is a site template's shortcode that names no essay of this "
                        "collection: its text is kept [M205]"]


def test_zola_internal_links_lead_to_the_essay_at_their_path_under_content() -> None:
    def page(body: str, number: int, name: str) -> EssaySource:
        return EssaySource(path=Path("content/blog") / name, number=number, slug=name[:-3],
                           title=f"Post {number}", body=body, body_line=5)
    first = page("## Why slowly\n\nText.\n", 1, "first.md")
    second = page("See [it](@/blog/first.md), [why](@/blog/first.md#why-slowly) and "
                  "[gone](@/blog/gone.md).\n", 2, "second.md")
    [_, essay], found = convert(first, second)
    assert essay.body_html == ('<p id="e2-p1">See <a href="#e1">it</a>, '
                               '<a href="#e1-why-slowly">why</a> and gone.</p>')
    assert found == ["content/blog/second.md:5: warning: link to '@/blog/gone.md', which is "
                     "not an essay of this collection: its text is kept [M203]"]
