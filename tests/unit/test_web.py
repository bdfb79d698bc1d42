"""The web edition's pages, on the fixture series in memory: paragraph anchors, notes,
links, print page numbers from a page map, figures, downloads, feed, sitemap, options."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import FIXTURES, convert_essay_body
from qlabbook.build import load_collection
from qlabbook.markdown.units import PageMap, PageStart
from qlabbook.output.editions import plan_editions
from qlabbook.source import ids
from qlabbook.source.config import load_config
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection, Options
from qlabbook.web.images import make_picture
from qlabbook.web.pages import web_body
from qlabbook.web.printpages import page_map_bytes, page_map_from_bytes
from qlabbook.web.site import Download, human_size, render_site

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
URL = "https://essays.example.org/fixture/"
# The print units of essay 3 (a-listening): its opening, then its text's.
E3_TEXTS = ["TestprojectoneEssay3March2020", "Listeningfirst", "Whattheparticipantstoldus",
            "AdaAuthor", "Quotesfromtheworkshops,andwhatwemadeofthem.",
            "Participantswereclearaboutwhathelps.Weheardititeveryworkshop.",
            "Beinglistenedtowasthetreatment.", "—Labparticipant,2019",
            "Thesamepointcamebacklater.Seealsotheopeningessayandthelongview.",
            "Whatchanged", "Teamschangedtheirfirstappointment."]


@pytest.fixture(scope="module")
def series() -> Collection:
    return load_collection(FIXTURES / "series")


@pytest.fixture(autouse=True)
def no_font_subsets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subsetting the fonts takes seconds: the end-to-end tests check the real ones."""
    monkeypatch.setattr("qlabbook.web.site.web_fonts", lambda text, code: ("", {}))


def essay_of(collection: Collection, anchor: str):  # type: ignore[no-untyped-def]
    return next(e for e in collection.essays if e.anchor == anchor)


def slugs(collection: Collection) -> dict[str, str]:
    return {e.anchor: e.slug for e in collection.essays}


def test_every_paragraph_gets_one_id_counted_in_document_order() -> None:
    html = '<p>a</p><blockquote><p class="x">b</p></blockquote><p id="own">c</p>' \
           "<pre><code>&lt;p&gt;</code></pre><p>d</p>"
    assert ids.with_paragraph_ids(html, "e4") == (
        '<p id="e4-p1">a</p><blockquote><p id="e4-p2" class="x">b</p></blockquote>'
        '<p id="own">c</p><pre><code>&lt;p&gt;</code></pre><p id="e4-p3">d</p>')


def test_a_heading_cannot_take_a_paragraph_id(tmp_path: Path) -> None:
    essay, problems = convert_essay_body(tmp_path, "## P2\n\nText.\n")
    assert problems == []
    assert essay.headings[0].anchor == "e1-section-p2"


def test_notes_follow_their_first_call_and_link_back_to_every_call(
        series: Collection) -> None:
    body = web_body(essay_of(series, "e3"), slugs(series), {}, None).html
    # Before the paragraph calling it, so it floats level with it on a wide screen.
    assert body.index('<aside class="sidenote" id="e3-fn1"') < body.index('<p id="e3-p1">')
    calls = re.findall(r'<a class="noteref" role="doc-noteref" id="([^"]+)" href="#([^"]+)"',
                       body)
    assert calls == [("e3-fnref1", "e3-fn1"), ("e3-fnref2", "e3-fn2"),
                     ("e3-fnref1-2", "e3-fn1"), ("e3-fnref2-2", "e3-fn2")]
    note = re.search(r'<aside class="sidenote" id="e3-fn1".*?</aside>', body, re.S)
    assert note is not None
    assert re.findall(r'href="#([^"]+)" role="doc-backlink"', note.group(0)) == [
        "e3-fnref1", "e3-fnref1-2"]
    assert "<p>Quoted with permission.</p>" in note.group(0)
    assert "<p>A second paragraph of the same note.</p>" in note.group(0)
    assert "qlab-note" not in body


def test_links_to_other_essays_lead_to_their_pages(series: Collection) -> None:
    body = web_body(essay_of(series, "e3"), slugs(series), {}, None).html
    assert '<a href="../c-opening/index.html#e2-first-steps">the opening essay</a>' in body
    assert '<a href="../b-ten/index.html">the long view</a>' in body


def test_print_pages_are_marked_where_the_page_map_says(series: Collection) -> None:
    pages = PageMap((PageStart("5", "e3", 0, 0), PageStart("6", "e3", 0, 0),
                     PageStart("7", "e3", 6, 0), PageStart("8", "e3", 8, 10)),
                    {"e3": E3_TEXTS})
    body = web_body(essay_of(series, "e3"), slugs(series), {}, pages)
    # Pages 5 (blank) and 6 start in the opening: one mark, the blank page's without number.
    assert body.opening == (
        '<span class="print-pages"><span class="print-page blank" id="page-5" '
        'role="doc-pagebreak" aria-label="page 5"></span><span class="print-page" '
        'id="page-6" role="doc-pagebreak" aria-label="page 6" title="Page 6 of the print '
        'edition begins here">6</span></span>')
    assert '<p id="e3-p2"><span class="print-page" id="page-7"' in body.html
    # Ten characters into "The same point…" is inside "point": marked after the word.
    assert 'The same point<span class="print-page" id="page-8" role="doc-pagebreak" ' \
           'aria-label="page 8" title="Page 8 of the print edition begins here">8</span> ' \
           'came back later.' in body.html
    assert body.pages == ("6", "7", "8")


def paragraph_citation(site: dict[str, bytes], page: str) -> dict[str, object]:
    found = re.search(rb'<script type="application/json" id="paragraph-citation">(.*?)'
                      rb"</script>", site[page], re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_each_paragraph_is_cited_by_the_pages_it_is_printed_on(series: Collection) -> None:
    pages = PageMap((PageStart("5", "e3", 0, 0), PageStart("6", "e3", 0, 0),
                     PageStart("7", "e3", 6, 0), PageStart("8", "e3", 8, 10)),
                    {"e3": E3_TEXTS})
    data = paragraph_citation(render_site(series, Diagnostics(), pages, []),
                              "a-listening/index.html")
    # The mark of page 8 falls inside paragraph 3 ("The same point…"): on pages 7 and 8.
    assert data["paragraphs"] == [["e3-p1", 1, "6"], ["e3-p2", 2, "7"],
                                  ["e3-p3", 3, "7\u20138"], ["e3-p4", 4, "8"]]
    assert data["page"] == "(Author, 2020, p. \u2042)" and data["place"] == "\u2042"
    # Without a print edition, a paragraph is cited by its number alone.
    alone = paragraph_citation(render_site(series, Diagnostics(), None, []),
                               "a-listening/index.html")
    assert [pages for _, _, pages in alone["paragraphs"]] == [""] * 4  # type: ignore[attr-defined]


def test_a_page_map_that_does_not_follow_the_text_marks_nothing_and_warns(
        series: Collection) -> None:
    pages = PageMap((PageStart("3", "e3", 6, 0),), {"e3": ["Other", "words", "entirely"]})
    diagnostics = Diagnostics()
    site = render_site(series, diagnostics, pages, [])
    assert b"print-page" not in site["a-listening/index.html"]
    assert [d.format().splitlines()[0] for d in diagnostics.items] == [
        "warning: the web pages show no print page numbers: the page map does not follow "
        "their text [H101]"]


def test_the_page_map_survives_the_trip_between_processes() -> None:
    pages = PageMap((PageStart("iv", "contents", 0, 0), PageStart("1", "e2", 3, 12)),
                    {"e2": ["A", "Bc"], "contents": [""]})
    assert page_map_from_bytes(page_map_bytes(pages)) == pages
    assert page_map_from_bytes(page_map_bytes(None)) is None


def test_pictures_come_in_widths_no_larger_than_the_original() -> None:
    from PIL import Image

    picture = make_picture(FIXTURES / "series", "images/card.png")
    assert [(v.path, v.width) for v in picture.variants] == [
        ("images/card-480.png", 480), ("images/card-600.png", 600)]
    sizes = [Image.open(__import__("io").BytesIO(v.data)).size for v in picture.variants]
    assert sizes == [(480, 320), (600, 400)]
    assert picture.srcset("../") == "../images/card-480.png 480w, ../images/card-600.png 600w"


def test_a_large_picture_is_offered_at_most_1440_pixels_wide(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (3000, 2000), (200, 100, 50)).save(tmp_path / "images" / "big.jpg")
    picture = make_picture(tmp_path, "images/big.jpg")
    assert [v.width for v in picture.variants] == [480, 720, 1080, 1440]
    assert (picture.src, picture.width, picture.height) == ("images/big-1440.jpg", 3000, 2000)
    assert all(v.data[:3] == b"\xff\xd8\xff" for v in picture.variants)  # JPEG


def test_a_figure_shows_its_srcset_and_the_caption_the_book_prints(
        series: Collection) -> None:
    essay = essay_of(series, "e10")
    picture = make_picture(FIXTURES / "series", "images/card.png")
    body = web_body(essay, slugs(series), {"images/card.png": picture}, None).html
    assert ('<img alt="A test card with coloured bars" src="../images/card-600.png" '
            'srcset="../images/card-480.png 480w, ../images/card-600.png 600w" '
            'sizes="(min-width: 42em) 36em, calc(100vw - 2.5em)" width="600" height="400" '
            'loading="lazy" decoding="async" />') in body
    # Caption, credit, licence and source as the PDF and the EPUB print them, once.
    assert ('<figcaption><span class="caption">A test card</span>. '
            '<span class="credit">Photo: Ben Writer</span>.</figcaption>') in body


def downloads() -> list[Download]:
    return [Download("fixture-series.pdf", "pdf", b"x" * 91_234, None, "screen"),
            Download("fixture-series.epub", "epub", b"y" * 1_234),
            Download("essays/03-a-listening.pdf", "pdf", b"z" * 60_000, 3, "screen")]


def test_the_index_lists_the_series_in_order_with_downloads(series: Collection) -> None:
    site = render_site(series, Diagnostics(), None, downloads())
    index = site["index.html"].decode()
    titles = re.findall(r'<h2 class="entry-title"><a href="([^"]+)">([^<]+)</a>', index)
    assert titles == [("c-opening/index.html", "Opening"),
                      ("a-listening/index.html", "Listening first"),
                      ("b-ten/index.html", "The long view")]
    assert '<a class="download" href="downloads/fixture-series.pdf" download ' \
           'type="application/pdf">PDF<span class="size">, 91 kB</span></a>' in index
    assert 'EPUB<span class="size">, 1.2 kB</span>' in index
    page = site["a-listening/index.html"].decode()
    assert 'href="../downloads/essays/03-a-listening.pdf"' in page
    assert site["downloads/essays/03-a-listening.pdf"] == b"z" * 60_000
    assert "sitemap.xml" not in site and "canonical" not in page


def test_pages_carry_language_viewport_title_description_and_opengraph(
        series: Collection) -> None:
    addressed = replace(series, options=replace(series.options, web_url=URL))
    site = render_site(addressed, Diagnostics(), None, [])
    page = site["b-ten/index.html"].decode()
    for tag in ('<html lang="en-GB">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                "<title>The long view · Fixture Series</title>",
                f'<link rel="canonical" href="{URL}b-ten/">',
                '<meta property="og:title" content="The long view · Fixture Series">',
                f'<meta property="og:image" content="{URL}images/card-600.png">',
                '<h1 class="essay-title" id="e10-title">The long view</h1>'):
        assert tag in page, tag
    assert re.search(r'<meta name="description" content="[^"]+">', page)
    # The one script that runs is "cite this paragraph", deferred; the others are data.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script type="application/ld+json">',
        '<script type="application/json" id="paragraph-citation">',
        '<script src="../cite/paragraph.js" defer>']
    # A server shows the 404 page at any address: its links start at the site's path.
    assert '<link rel="stylesheet" href="/fixture/style/web.css">' in site["404.html"].decode()


def test_the_feed_has_one_entry_per_essay_in_series_order(series: Collection) -> None:
    addressed = replace(series, options=replace(series.options, web_url=URL))
    feed = ET.fromstring(render_site(addressed, Diagnostics(), None, [])["feed.xml"])
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Fixture Series"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Opening", "Listening first", "The long view"]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [  # type: ignore[union-attr]
        f"{URL}c-opening/", f"{URL}a-listening/", f"{URL}b-ten/"]
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{ATOM}updated")
                            or "")
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 3


def test_the_sitemap_lists_every_page_by_its_full_address(series: Collection) -> None:
    addressed = replace(series, options=replace(series.options, web_url=URL))
    sitemap = ET.fromstring(render_site(addressed, Diagnostics(), None, [])["sitemap.xml"])
    assert [u.findtext(f"{SITEMAP}loc") for u in sitemap] == [
        URL, f"{URL}c-opening/", f"{URL}a-listening/", f"{URL}b-ten/"]


def test_the_web_edition_is_planned_once_for_the_collected_book(series: Collection) -> None:
    plan = plan_editions(series, ["epub", "web"], collected=True, essays=[3])
    assert [(e.format, e.path.as_posix(), e.essay) for e in plan] == [
        ("epub", "fixture-series.epub", None), ("web", "web", None),
        ("epub", "essays/03-a-listening.epub", 3)]


def config_problems(tmp_path: Path, extra: str) -> tuple[Options | None, list[str]]:
    (tmp_path / "qlabbook.toml").write_text('[collection]\ntitle = "T"\n' + extra)
    diagnostics = Diagnostics()
    loaded = load_config(tmp_path, diagnostics)
    return (loaded[1] if loaded else None,
            [d.format().splitlines()[0] for d in diagnostics.items])


def test_default_formats_and_the_web_address_come_from_the_config(tmp_path: Path) -> None:
    options, problems = config_problems(
        tmp_path, '[build]\nformats = ["web", "pdf"]\n[web]\nurl = "https://e.org/x"\n')
    assert problems == []
    assert options is not None
    assert options.formats == ("pdf", "web") and options.web_url == "https://e.org/x/"


@pytest.mark.parametrize(("extra", "message"), [
    ('[build]\nformats = ["html"]\n', "qlabbook.toml:4: error: [build] formats must be a list "
     "of pdf, epub, web, not ['html'] [C104]"),
    ('[web]\nurl = "example.org"\n', "qlabbook.toml:4: error: [web] url must be an http(s) "
     "address, not 'example.org' [C104]"),
])
def test_bad_web_options_are_reported_at_their_line(tmp_path: Path, extra: str,
                                                    message: str) -> None:
    assert config_problems(tmp_path, extra)[1] == [message]


def test_sizes_read_as_file_managers_show_them() -> None:
    assert [human_size(n) for n in (999, 1_234, 91_234, 1_234_567, 12_345_678)] == [
        "999 bytes", "1.2 kB", "91 kB", "1.2 MB", "12 MB"]


def test_a_layout_the_page_map_cannot_follow_is_said_for_the_web(
        series: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    from qlabbook import build
    from qlabbook.output.editions import Edition
    from qlabbook.typeset.book import BookLayout

    def unfollowed(layout: object, diagnostics: Diagnostics) -> None:
        diagnostics.warning("E103", "the EPUB has no page list: the text differs")

    monkeypatch.setattr("qlabbook.typeset.book.book_page_map", unfollowed)
    diagnostics = Diagnostics()
    edition = Edition(series, "web", Path("web"))
    layout = BookLayout(series, "screen", [], [], [])
    assert build.render(edition, layout, diagnostics) == b"null"
    assert [d.code for d in diagnostics.items] == ["H101"]


def test_a_build_of_single_essays_says_it_writes_no_web_edition(tmp_path: Path) -> None:
    import shutil

    from qlabbook.build import BuildRequest, build

    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    diagnostics = Diagnostics()
    build(BuildRequest(root, formats=("web",), only=(3,), cache=False), diagnostics=diagnostics)
    assert [d.format().splitlines()[0] for d in diagnostics.items] == [
        "warning: the web edition is the whole series': a build of single essays (--essay) "
        "does not write it [H102]"]
    assert not (root / "dist" / "web").exists()


def test_a_paragraph_starts_on_the_page_before_a_mark_inside_it() -> None:
    """A paragraph that runs on to the next page starts on the page it begins on, and a
    page's mark in it lends the paragraph none of its words."""
    import xml.etree.ElementTree as ET

    from qlabbook.web.printpages import marker, paged_blocks

    body = ET.fromstring('<div><p id="a">One</p><p id="b">Two <em>three</em> four</p>'
                         '<p id="c">Five</p></div>')
    second, third = body[1], body[2]
    second.find("em").tail = " "  # type: ignore[union-attr]
    mark = marker("23")
    mark.tail = "four"
    second.append(mark)
    opening = marker("24")
    opening.tail = "Five"
    third.text = None
    third.append(opening)
    blocks = [(b.element.get("id"), b.first, b.last, b.words, b.pages)
              for b in paged_blocks(body, {"p"}, "22")]
    assert blocks == [("a", "22", "22", "One", "22"),
                      ("b", "22", "23", "Two three four", "22\u201323"),
                      ("c", "24", "24", "Five", "24")]
