"""The web edition in Chromium: every page over file:// and over HTTP under a path prefix
loads without errors or failed requests, its images and links resolve, notes link both ways,
axe-core finds nothing serious, nothing scrolls sideways at 375 px, and the Nu Html Checker
finds no error."""

from __future__ import annotations

import re
import shutil
import signal
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import (
    broken_links,
    chromium,
    images_loaded,
    missing_tools,
    nu_errors,
    serious_violations,
    served,
)
from helpers import FIXTURES, REPOSITORY, run_cli, serve

pytestmark = [pytest.mark.external, pytest.mark.slow,
              pytest.mark.skipif(bool(missing_tools()), reason=missing_tools() or "ready")]

WEB_URL = "https://essays.example.org/fixture/"
PAGES = ["index.html", "c-opening/index.html", "a-listening/index.html", "b-ten/index.html",
         "404.html"]
WIDTHS = (1280, 375)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture series' web edition with its downloads, and one naming its address."""
    root = tmp_path_factory.mktemp("web") / "series"
    shutil.copytree(FIXTURES / "series", root)
    result: Any = run_cli("build", root, "--out", root / "dist", "-f", "pdf", "-f", "epub",
                          "-f", "web", "--essays")
    assert result.exit_code == 0, result.output
    addressed = root.parent / "addressed"
    shutil.copytree(FIXTURES / "series", addressed)
    with (addressed / "qlabbook.toml").open("a") as config:
        config.write(f'\n[web]\nurl = "{WEB_URL}"\n')
    result = run_cli("build", addressed, "--out", addressed / "dist", "-f", "web")
    assert result.exit_code == 0, result.output
    # The repository's own essays: real text, photographs larger than any screen shows.
    repository = root.parent / "repository"
    result = run_cli("build", REPOSITORY, "--out", repository, "-f", "web", "--no-cache")
    assert result.exit_code == 0, result.output
    return {"relative": root / "dist" / "web", "addressed": addressed / "dist" / "web",
            "repository": repository / "web"}


def site_pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as opened:
        yield opened


def visit(browser: Any, url: str, width: int) -> tuple[Any, list[str]]:
    """The page opened at `width`, and what went wrong loading it."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # qlabbook serve's stream of builds is cut whenever its page reloads: no failure.
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}")
            if not (r.url.endswith("/__qlabbook__/events") and "ERR_ABORTED" in r.failure)
            else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    return page, problems


def check_page(browser: Any, base: str, name: str) -> list[str]:
    """Everything wrong with one page, at both widths."""
    found = []
    for width in WIDTHS:
        page, problems = visit(browser, base + name, width)
        images = images_loaded(page)
        found += [f"{name} @{width}: {p}" for p in problems]
        found += [f"{name} @{width}: image not loaded: {i['src']}" for i in images
                  if not i["natural"]]
        # Never more pixels than shown (the smallest variant aside): srcset at work.
        found += [f"{name} @{width}: {i['src']} is {i['natural']} px, shown {i['shown']:.0f}"
                  for i in images if i["natural"] > max(i["shown"], 480) * 1.01]
        found += [f"{name} @{width}: broken link {link}" for link in broken_links(page, base)]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            found.append(f"{name} @{width}: scrolls sideways ({scroll} px)")
        found += [f"{name} @{width}: axe: {v}" for v in serious_violations(page)]
        page.close()
    return found


def test_every_page_over_file_urls(browser: Any, sites: dict[str, Path]) -> None:
    base = sites["relative"].as_uri() + "/"
    problems = [p for name in PAGES for p in check_page(browser, base, name)]
    assert problems == []


def test_the_repository_edition_over_file_urls(browser: Any, sites: dict[str, Path]) -> None:
    base = sites["repository"].as_uri() + "/"
    names = site_pages(sites["repository"])
    assert len(names) >= 3
    problems = [p for name in names for p in check_page(browser, base, name)]
    assert problems == []


def test_every_page_under_a_path_prefix(browser: Any, sites: dict[str, Path]) -> None:
    with served(sites["relative"], "/some/prefix/") as base:
        problems = [p for name in PAGES for p in check_page(browser, base, name)]
    assert problems == []


def test_the_404_page_works_at_any_missing_address(browser: Any,
                                                   sites: dict[str, Path]) -> None:
    """With the site's address known, the 404 page's links are rooted at its path."""
    with served(sites["addressed"], "/fixture/") as base:
        page, problems = visit(browser, base + "no/such/page/", 1280)
        assert page.locator("h1").inner_text() == "Page not found"
        assert problems == [f"HTTP 404: {base}no/such/page/", "console error: Failed to load "
                            "resource: the server responded with a status of 404 (Not Found)"]
        page.click("text=Listening first")
        assert page.url == base + "a-listening/index.html"
        assert page.locator("h1").inner_text() == "Listening first"
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_note_calls_and_notes_link_both_ways(browser: Any, sites: dict[str, Path],
                                             width: int) -> None:
    page, problems = visit(browser, sites["relative"].as_uri() + "/a-listening/index.html",
                           width)
    page.click("#e3-fnref1-2")  # the second call of note 1
    assert page.evaluate("location.hash") == "#e3-fn1"
    assert page.locator("#e3-fn1").is_visible()
    assert "Quoted with permission." in page.locator("#e3-fn1").inner_text()
    note = page.locator("#e3-fn1").bounding_box()
    text = page.locator("#e3-p1").bounding_box()
    if width >= 1280:  # a side note, level with the paragraph that calls it
        assert note["x"] > text["x"] + text["width"]
        assert abs(note["y"] - text["y"]) < 20
    else:  # after the text
        last = page.locator("#e3-p4").bounding_box()
        assert note["y"] > last["y"] + last["height"]
    page.click("#e3-fn1 a[href='#e3-fnref1-2']")
    assert page.evaluate("location.hash") == "#e3-fnref1-2"
    assert page.locator("#e3-fnref1-2").is_visible()
    assert problems == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_print_page_numbers_show_in_the_margin_or_the_line(browser: Any, sites: dict[str, Path],
                                                           width: int) -> None:
    page, _ = visit(browser, sites["relative"].as_uri() + "/c-opening/index.html", width)
    number = page.locator(".print-page:not(.blank)").first
    title = page.locator("h1").bounding_box()
    box = number.bounding_box()
    assert number.inner_text() == "1"
    assert number.evaluate("e => getComputedStyle(e, '::before').content") == '"p.\u00a0"'

    if width >= 1280:
        assert box["x"] + box["width"] < title["x"]  # left of the text column
    else:
        assert box["x"] >= title["x"] - 1
    page.close()


def test_the_nu_checker_finds_no_error(sites: dict[str, Path]) -> None:
    pages = [sites[kind] / name for kind in ("relative", "addressed") for name in PAGES] + \
        [sites["repository"] / name for name in site_pages(sites["repository"])]
    assert nu_errors([*pages, sites["relative"] / "style" / "web.css"]) == []


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_feed_and_sitemap_lead_to_the_pages(browser: Any, sites: dict[str, Path]) -> None:
    """Every address in feed.xml and sitemap.xml, served where [web] url says, is a page
    with the entry's title; the feed's relative links resolve from the feed's address."""
    folder = sites["addressed"]
    feed = ET.parse(folder / "feed.xml").getroot()
    sitemap = ET.parse(folder / "sitemap.xml").getroot()
    entries = [(e.findtext(f"{ATOM}title"), e.find(f"{ATOM}link").get("href"))  # type: ignore[union-attr]
               for e in feed.findall(f"{ATOM}entry")]
    assert [title for title, _ in entries] == ["Opening", "Listening first", "The long view"]
    locations = [u.findtext(f"{SITEMAP}loc") or "" for u in sitemap]
    assert locations == [WEB_URL] + [href for _, href in entries]
    with served(folder, "/fixture/") as base:
        for title, href in entries:
            page, problems = visit(browser, href.replace(WEB_URL, base), 1280)
            assert page.locator("h1").inner_text() == title
            assert problems == []
            page.close()
    relative = ET.parse(sites["relative"] / "feed.xml").getroot()
    assert [e.find(f"{ATOM}link").get("href") for e in relative.findall(f"{ATOM}entry")] \
        == ["c-opening/", "a-listening/", "b-ten/"]  # type: ignore[union-attr]


def test_serve_reloads_the_open_page_after_a_change(browser: Any, tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    server = serve(root)
    try:
        assert server.stderr is not None
        line = ""
        while "serving" not in line:
            line = server.stderr.readline()
            assert line, "serve stopped before serving"
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)  # type: ignore[union-attr]
        page, problems = visit(browser, url + "a-listening/", 1280)
        assert page.locator("h1").inner_text() == "Listening first"
        essay = root / "essays" / "a-listening.md"
        essay.write_text(essay.read_text().replace('title: "Listening first"',
                                                   'title: "Listening again"'))
        # No one touches the page: the server's script reloads it.
        page.wait_for_function("document.querySelector('h1').textContent === "
                               "'Listening again'", timeout=60_000)
        assert problems == []
        page.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert server.returncode == 0
