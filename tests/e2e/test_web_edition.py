"""The web edition built through the command line: the same page anchors as the EPUB's page
list, paragraph ids shared with the EPUB and the PDF, downloads and their sizes, font
subsets, the manifest, [build] formats, and `qlabbook serve`."""

from __future__ import annotations

import io
import re
import shutil
import signal
import time
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from helpers import FIXTURES, epub_documents, run_cli, serve
from qlabbook.web.site import human_size

pytestmark = pytest.mark.slow
STEMS = {"c-opening": "02-c-opening", "a-listening": "03-a-listening", "b-ten": "10-b-ten"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web") / "series"
    shutil.copytree(FIXTURES / "series", root)
    result: Any = run_cli("build", root, "--out", root / "dist", "-f", "pdf", "-f", "epub",
                          "-f", "web", "--essays")
    assert result.exit_code == 0, result.output
    return root / "dist"


def page_ids(html: str, pattern: str) -> list[str]:
    return re.findall(rf'id="({pattern})"', html)


def test_print_page_numbers_are_the_epub_page_list(built: Path) -> None:
    """Each essay's page shows the pages the EPUB's page list has in its document, at the
    same anchors: one page map feeds both."""
    epub = epub_documents(built / "fixture-series.epub")
    page_list = re.search(r'<nav[^>]*epub:type="page-list".*?</nav>', epub["EPUB/nav.xhtml"],
                          re.S)
    assert page_list is not None
    entries = re.findall(r'href="([\w-]+)\.xhtml#(page-[\w-]+)"', page_list.group(0))
    for slug in STEMS:
        web = (built / "web" / slug / "index.html").read_text()
        in_epub = [anchor for name, anchor in entries if name == slug]
        assert in_epub, slug
        assert page_ids(web, r"page-[\w-]+") == in_epub


def test_paragraph_ids_are_the_same_in_the_web_page_the_epub_and_the_pdf(built: Path) -> None:
    import pypdf

    epub = epub_documents(built / "fixture-series.epub")
    destinations = set(pypdf.PdfReader(built / "fixture-series.pdf").named_destinations)
    for slug, anchor in (("c-opening", "e2"), ("a-listening", "e3"), ("b-ten", "e10")):
        web = page_ids((built / "web" / slug / "index.html").read_text(), rf"{anchor}-p\d+")
        assert web == [f"{anchor}-p{n}" for n in range(1, len(web) + 1)]
        assert page_ids(epub[f"EPUB/{slug}.xhtml"], rf"{anchor}-p\d+") == web
        assert set(web) <= destinations
    assert page_ids((built / "web" / "a-listening" / "index.html").read_text(),
                    r"e3-p\d+") == ["e3-p1", "e3-p2", "e3-p3", "e3-p4"]


def test_downloads_are_the_built_files_with_their_sizes(built: Path) -> None:
    index = (built / "web" / "index.html").read_text()
    page = (built / "web" / "a-listening" / "index.html").read_text()
    for name, html, prefix in (("fixture-series.pdf", index, ""),
                               ("fixture-series.epub", page, "../"),
                               ("essays/03-a-listening.pdf", page, "../"),
                               ("essays/03-a-listening.epub", page, "../")):
        data = (built / name).read_bytes()
        assert (built / "web" / "downloads" / name).read_bytes() == data
        size = human_size(len(data))
        assert re.search(rf'href="{prefix}downloads/{name}" download type="[^"]+">'
                         rf'(PDF|EPUB)<span class="size">, {size}</span>', html), name


def test_fonts_are_woff2_subsets_of_the_characters_shown(built: Path) -> None:
    from fontTools.ttLib import TTFont

    css = (built / "web" / "style" / "web.css").read_text()
    faces = re.findall(r'font-family: "([^"]+)"; font-style: (\w+); font-weight: (\d+);.*?'
                       r'url\("\.\./(fonts/[^"]+\.woff2)"\)', css)
    assert [face[:3] for face in faces] == [
        ("Linux Libertine", "normal", "400"), ("Linux Libertine", "italic", "400"),
        ("Linux Libertine", "normal", "700"), ("Linux Libertine", "italic", "700"),
        ("Linux Biolinum", "normal", "400"), ("Linux Biolinum", "normal", "700")]
    regular = built / "web" / faces[0][3]
    assert regular.read_bytes()[:4] == b"wOF2"
    assert regular.stat().st_size < 60_000
    characters = set(TTFont(io.BytesIO(regular.read_bytes())).getBestCmap())
    # The words of the pages are there, characters no page has are not.
    assert {ord(c) for c in "Listening first £café–“”"} <= characters
    assert not {ord(c) for c in "ЖΩÿ"} & characters


def test_the_manifest_lists_the_site(built: Path) -> None:
    import json

    entries = json.loads((built / "manifest.json").read_text())["artefacts"]
    web = {e["path"] for e in entries if e["format"] == "web"}
    assert {"web/index.html", "web/a-listening/index.html", "web/feed.xml", "web/404.html",
            "web/style/web.css"} <= web
    assert "web" not in web  # the page map passed between the renderers is no file


def test_build_formats_in_the_config_choose_what_is_built(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    with (root / "qlabbook.toml").open("a") as config:
        config.write('\n[build]\nformats = ["web"]\n')
    result: Any = run_cli("build", root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "dist").iterdir()) == [
        "SHA256SUMS", "manifest.json", "web"]
    assert not (root / "dist" / "web" / "downloads").exists()
    assert "The whole series:" not in (root / "dist" / "web" / "index.html").read_text()


def test_a_rebuild_leaves_no_stale_files_in_the_site(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    assert run_cli("build", root, "-f", "web").exit_code == 0  # type: ignore[attr-defined]
    web = root / "dist" / "web"
    (root / "essays" / "a-listening.md").rename(root / "essays" / "a-heard.md")
    essay = root / "essays" / "b-ten.md"
    essay.write_text(essay.read_text().replace("The long view", "The view from Ж"))
    assert run_cli("build", root, "-f", "web").exit_code == 0  # type: ignore[attr-defined]
    assert not (web / "a-listening").exists()
    assert (web / "a-heard" / "index.html").is_file()
    # A new subset of each face replaced the old one.
    fonts = sorted(p.name.split(".")[0] for p in (web / "fonts").iterdir())
    assert fonts == sorted(["LinBiolinum_R", "LinBiolinum_RB", "LinLibertine_R",
                            "LinLibertine_RB", "LinLibertine_RBI", "LinLibertine_RI"])


def read_until(stream: Any, pattern: str, seconds: float = 120) -> re.Match[str]:
    deadline = time.monotonic() + seconds
    seen = ""
    while time.monotonic() < deadline:
        line = stream.readline()
        seen += line
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no {pattern!r} in {seen!r}")


def site_version(url: str, wanted: int, seconds: float = 10) -> int:
    """The served site's version, once it is `wanted` (or when `seconds` have gone by)."""
    deadline = time.monotonic() + seconds
    while True:
        found = int(urlopen(url + "__qlabbook__/version").read())
        if found == wanted or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_serve_rebuilds_on_change_reloads_pages_and_stops_cleanly(tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    server = serve(root)
    try:
        url = read_until(server.stderr, r"at (http://127\.0\.0\.1:\d+/)").group(1)
        page = urlopen(url + "a-listening/").read().decode()
        assert "<h1 class=\"essay-title\" id=\"e3-title\">Listening first</h1>" in page
        assert "/__qlabbook__/events" in page  # the reloading script, added when served
        built = (root / "dist" / "web" / "a-listening" / "index.html").read_text()
        assert "/__qlabbook__/events" not in built and "<h1 class=\"essay-title\"" in built
        version = urlopen(url + "__qlabbook__/version").read()
        essay = root / "essays" / "a-listening.md"
        essay.write_text(essay.read_text().replace('title: "Listening first"',
                                                   'title: "Listening again"'))
        # First the pages, with the print page numbers of the last layout, then the
        # pages as the new layout numbers them: each time the open pages are told.
        read_until(server.stdout, r"pages written \(essays/a-listening\.md\), print page")
        page = urlopen(url + "a-listening/").read().decode()
        assert "Listening again</h1>" in page and 'class="print-page"' in page
        read_until(server.stdout, r"built \(essays/a-listening\.md\)")
        # The open pages are told just after the line is printed: wait for it.
        assert site_version(url, int(version) + 2) == int(version) + 2
        page = urlopen(url + "a-listening/").read().decode()
        assert "Listening again</h1>" in page
        with pytest.raises(OSError, match="404"):
            urlopen(url + "no/such/page")
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "qlabbook: stopped serving" in errors
    assert "Traceback" not in errors
