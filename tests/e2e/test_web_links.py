"""The web edition read from its folder: every link between its pages names a file that
exists (a folder opened over file:// is a listing, not its index.html) and every fragment an
id of the page it leads to; canonical links, og:url, the feed and the sitemap keep the clean
folder addresses under [web] url; and a reader in Chromium clicks from the index through
essays, notes and downloads over file://."""

from __future__ import annotations

import posixpath
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from browser import CHROMIUM, chromium
from helpers import FIXTURES, run_cli

pytestmark = pytest.mark.slow

URL = "https://essays.example.org/fixture/"
ESSAYS = ["c-opening", "a-listening", "b-ten"]  # in series order
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture series' web edition with every download, and one naming its address."""
    base = tmp_path_factory.mktemp("links")
    root = base / "series"
    shutil.copytree(FIXTURES / "series", root)
    result: Any = run_cli("build", root, "--out", root / "dist", "-f", "pdf", "-f", "epub",
                          "-f", "web", "--essays")
    assert result.exit_code == 0, result.output
    addressed = base / "addressed"
    shutil.copytree(FIXTURES / "series", addressed)
    with (addressed / "qlabbook.toml").open("a") as config:
        config.write(f'\n[web]\nurl = "{URL}"\n')
    result = run_cli("build", addressed, "--out", addressed / "dist", "-f", "web")
    assert result.exit_code == 0, result.output
    return {"relative": root / "dist" / "web", "addressed": addressed / "dist" / "web"}


class Page(HTMLParser):
    """An HTML page's ids, its links (href, src and every srcset candidate) and the clean
    addresses it gives (canonical, og:url)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.addresses: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        if tag == "link" and found.get("rel") == "canonical":
            self.addresses.append(found["href"])
        elif tag == "meta" and found.get("property") == "og:url":
            self.addresses.append(found["content"])
        else:
            self.links += [found[name] for name in ("href", "src") if name in found]
        self.links += [c.split()[0] for c in found.get("srcset", "").split(",") if c.strip()]


def pages(site: Path) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): Page(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html"))}


def unresolved(site: Path, rooted_at: str = "") -> list[str]:
    """Every link of every page that does not lead to a file of the site (a folder does
    not count) or whose fragment is no id of that page. A link starting with `/` is read
    from `rooted_at`, the site's path on its server (the 404 page's, with [web] url)."""
    found = pages(site)
    broken = []
    for name, page in found.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # a figure's source on the web, not a page of the site
            path = unquote(parts.path)
            if path.startswith("/"):
                target = path[len(rooted_at):] if rooted_at and path.startswith(rooted_at) \
                    else "/outside"
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) \
                    if path else name
            if target.startswith(("..", "/")) or not (site / target).is_file():
                broken.append(f"{name}: {link} (no file {target})")
            elif parts.fragment and parts.fragment not in found[target].ids:
                broken.append(f"{name}: {link} (no id {parts.fragment} in {target})")
    return broken


def test_every_link_between_pages_names_a_file_of_the_site(sites: dict[str, Path]) -> None:
    site = sites["relative"]
    found = pages(site)
    assert sorted(found) == ["404.html", "a-listening/index.html", "b-ten/index.html",
                             "c-opening/index.html", "index.html", "search/index.html"]
    assert unresolved(site) == []
    links = {link for page in found.values() for link in page.links}
    # What a reader follows, each naming its file: the essays from the index, the index
    # from an essay, another essay's paragraph, a download.
    assert {"c-opening/index.html", "../index.html", "../b-ten/index.html",
            "../c-opening/index.html#e2-first-steps", "downloads/fixture-series.pdf",
            "../downloads/essays/03-a-listening.pdf"} <= links
    assert [link for link in links if (link.endswith("/") or "/#" in link)
            and not urlsplit(link).scheme] == []
    # A note call leads to its note, the note back to the call, on the same page.
    assert {"#e3-fn1", "#e3-fnref1"} <= set(found["a-listening/index.html"].links)


def test_with_an_address_pages_link_files_and_give_clean_folder_addresses(
        sites: dict[str, Path]) -> None:
    site = sites["addressed"]
    found = pages(site)
    # The 404 page, shown by a server at any address, starts its links from the site's path.
    assert "/fixture/a-listening/index.html" in found["404.html"].links
    assert "/fixture/index.html" in found["404.html"].links
    assert unresolved(site, rooted_at="/fixture/") == []
    addresses = [a for page in found.values() for a in page.addresses]
    assert sorted(set(addresses)) == [URL, *sorted(f"{URL}{slug}/" for slug in ESSAYS)]
    feed = ET.parse(site / "feed.xml").getroot()
    entries = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]  # type: ignore[union-attr]
    sitemap = [u.findtext(f"{SITEMAP}loc") for u in ET.parse(site / "sitemap.xml").getroot()]
    assert entries == [f"{URL}{slug}/" for slug in ESSAYS]
    assert sitemap == [URL, *entries]
    # Each clean address is a folder the server shows the page of.
    for address in [*addresses, *entries]:
        assert (site / address[len(URL):] / "index.html").is_file(), address


def test_the_feed_without_an_address_gives_folder_links_from_its_own(
        sites: dict[str, Path]) -> None:
    feed = ET.parse(sites["relative"] / "feed.xml").getroot()
    assert [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")] \
        == [f"{slug}/" for slug in ESSAYS]  # type: ignore[union-attr]


def no_browser() -> str:
    """Why Chromium cannot be driven here ("" when it can)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return "" if Path(CHROMIUM).is_file() else f"chromium is missing ({CHROMIUM})"


@pytest.fixture(scope="module")
def reader() -> Iterator[Any]:
    """A page of Chromium, told of every console error and failed request."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.problems = []
        page.on("console", lambda m: page.problems.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
        yield page


def shows(page: Any, url: str, heading: str) -> None:
    assert page.url == url
    assert page.locator("h1").inner_text() == heading


@pytest.mark.external
@pytest.mark.skipif(bool(no_browser()), reason=no_browser() or "ready")
def test_a_reader_clicks_through_the_folder_over_file_urls(
        sites: dict[str, Path], reader: Any) -> None:
    site = sites["relative"]
    base = site.as_uri() + "/"
    reader.goto(base + "index.html")
    shows(reader, base + "index.html", "Fixture Series")
    reader.click(".entry-title a >> text=Opening")
    shows(reader, base + "c-opening/index.html", "Opening")
    reader.click(".essay-nav a.next")
    shows(reader, base + "a-listening/index.html", "Listening first")
    reader.click("#e3-fnref1")  # a note call, to its note and back
    assert reader.url == base + "a-listening/index.html#e3-fn1"
    assert "Quoted with permission." in reader.locator("#e3-fn1").inner_text()
    reader.click("#e3-fn1 a[href='#e3-fnref1']")
    assert reader.url == base + "a-listening/index.html#e3-fnref1"
    reader.click("text=the opening essay")  # into another essay's section
    shows(reader, base + "c-opening/index.html#e2-first-steps", "Opening")
    assert reader.locator("#e2-first-steps").is_visible()
    reader.go_back()
    reader.click(".essay-nav a.next")
    shows(reader, base + "b-ten/index.html", "The long view")
    reader.click(".essay-nav a.contents")
    shows(reader, base + "index.html", "Fixture Series")
    reader.click(".site-title a")
    shows(reader, base + "index.html", "Fixture Series")
    # The download is not followed (it would be saved): its target is a file of the folder.
    pdf = reader.locator(".series-opening a.download[type='application/pdf']")
    target = pdf.evaluate("a => a.href")
    assert target == base + "downloads/fixture-series.pdf"
    path = Path(unquote(urlsplit(target).path))
    assert path.is_file() and path.read_bytes().startswith(b"%PDF-")
    assert reader.problems == []
