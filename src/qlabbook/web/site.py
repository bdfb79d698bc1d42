"""The web edition: index.html, a page per essay (<slug>/index.html), 404.html, the feed and
sitemap, the stylesheet, the fonts and images they load, and the downloads they offer."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from jinja2 import Environment
from markupsafe import Markup

from qlabbook.assets import (
    PACKAGE_STYLES,
    base_context,
    environment,
    screen_stylesheet,
    stylesheet,
)
from qlabbook.markdown.backindex import book_index, has_index, index_letters, locators
from qlabbook.markdown.crossref import with_page_numbers
from qlabbook.markdown.units import PageMap
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection, Essay
from qlabbook.web.citing import PARAGRAPH_SCRIPT, Citing, essay_citings, paragraph_citation
from qlabbook.web.feeds import atom_feed, sitemap
from qlabbook.web.fonts import web_fonts
from qlabbook.web.images import Picture, PictureStore, make_pictures
from qlabbook.web.pages import RememberedBodies, WebBody, web_body
from qlabbook.web.paths import (
    BOOK_INDEX,
    DOWNLOADS_FOLDER,
    INDEX,
    STYLE_FOLDER,
    essay_file,
    essay_path,
)
from qlabbook.web.printpages import page_id, without_page_numbers
from qlabbook.web.search import SEARCH_DATA, SEARCH_PAGE, SEARCH_SCRIPT, search_data

STYLESHEET = f"{STYLE_FOLDER}/web.css"
ICON = f"{STYLE_FOLDER}/icon.svg"
TAG = re.compile(r"<[^>]*>")
CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)


@dataclass(frozen=True)
class Download:
    """A file of this build the site offers: the collected edition's or an essay's."""

    path: str  # relative to the output folder: fixture-series.pdf, essays/03-a.epub
    format: str
    data: bytes
    essay: int | None = None
    profile: str = ""

    @property
    def site_path(self) -> str:
        return f"{DOWNLOADS_FOLDER}/{self.path}"

    @property
    def label(self) -> str:
        kind = self.format.upper()
        return f"{kind} ({self.profile})" if self.profile and self.profile != "screen" \
            else kind

    @property
    def size(self) -> str:
        return human_size(len(self.data))


def human_size(size: int) -> str:
    """1 234 567 -> "1.2 MB" (decimal units, as browsers and file managers show them)."""
    if size < 1000:
        return f"{size} bytes"
    for unit in ("kB", "MB", "GB"):
        size_in = size / 1000
        if size_in < 1000 or unit == "GB":
            return f"{size_in:.0f} {unit}" if size_in >= 10 else f"{size_in:.1f} {unit}"
        size = round(size_in)
    raise AssertionError("unreachable")


def page_text(markup: str) -> tuple[set[int], set[int]]:
    """The characters a page shows: in its text faces, and in code."""
    code = "".join(match.group(0) for match in CODE.finditer(markup))
    text = html.unescape(TAG.sub(" ", CODE.sub(" ", markup)))
    return set(map(ord, text)), set(map(ord, html.unescape(TAG.sub(" ", code))))


def shown_characters(pages: Iterable[str]) -> tuple[set[int], set[int]]:
    """The characters the pages show: in their text faces, and in code."""
    text, code = set[int](), set[int]()
    for markup in pages:
        found_text, found_code = page_text(markup)
        text |= found_text
        code |= found_code
    return text, code


def with_printed_pages(collection: Collection, pages: PageMap | None) -> Collection:
    """The collection with its page-form cross-references reading the pages the PDF
    prints (as plain references without a page map)."""
    return replace(collection, essays=tuple(with_page_numbers(
        essay, pages.anchors if pages else {}) for essay in collection.essays))


def render_site(collection: Collection, diagnostics: Diagnostics, pages: PageMap | None,
                downloads: Sequence[Download], pictures_kept: PictureStore | None = None,
                remembered: RememberedBodies | None = None) -> dict[str, bytes]:
    """Every file of the site by its path in it. Links are relative and name files
    (`../b-ten/index.html`, never a folder: over file:// a folder is a listing), so the site
    works from a folder and under any address prefix; only canonical addresses, the
    OpenGraph image, the sitemap and the 404 page, which a server shows at any address,
    use [web] url. Pictures are taken from `pictures_kept` when it has them, and essays'
    texts from `remembered`."""
    env = environment(collection)
    collection = with_printed_pages(collection, pages)
    pictures = make_pictures(collection, pictures_kept)
    slugs = {essay.anchor: essay.slug for essay in collection.essays}
    make = remembered.body if remembered is not None else web_body
    bodies = {essay.anchor: make(essay, slugs, pictures, pages)
              for essay in collection.essays}
    if pages is not None and collection.essays and not any(b.pages for b in bodies.values()):
        without_page_numbers(diagnostics)
    context = {**base_context(collection), "stylesheet": STYLESHEET, "icon": ICON,
               "web_url": collection.options.web_url, "pictures": pictures,
               "collected": [d for d in downloads if d.essay is None],
               "essay_downloads": {e.number: [d for d in downloads if d.essay == e.number]
                                   for e in collection.essays},
               "essay_path": essay_path, "essay_file": essay_file, "index": INDEX,
               "og_image": og_image(collection, pictures),
               "page_id": page_id,
               "book_index_file": BOOK_INDEX if has_index(collection) else "",
               "book_index_path": BOOK_INDEX.removesuffix("index.html"),
               "search_page": SEARCH_PAGE}
    files: dict[str, str] = {}
    series, citings = essay_citings(collection, offered_pdfs(downloads))
    files[INDEX] = env.get_template("web-index.html").render(**context, root="", cite=series)
    for index, essay in enumerate(collection.essays):
        files[essay_file(essay)] = render_essay(
            collection, env, context, essay, bodies[essay.anchor], index,
            citings[essay.anchor])
    files.update(finding_pages(collection, env, context, pages))
    # A server shows the 404 page at any address, so with [web] url its links start from
    # the site's path (right at any depth over HTTP, not opened from the folder); without
    # it they are relative to the site's root (right from the folder and at the top level).
    files["404.html"] = env.get_template("web-404.html").render(
        **context, root=urlsplit(collection.options.web_url).path or "./")
    font_faces, font_files = web_fonts(*shown_characters(files.values()))
    site: dict[str, bytes] = {name: page.encode("utf-8") for name, page in files.items()}
    site[STYLESHEET] = (font_faces + web_stylesheet(collection)).encode("utf-8")
    site[ICON] = (PACKAGE_STYLES / "web-icon.svg").read_bytes()
    site.update(font_files)
    for picture in pictures.values():
        site.update((variant.path, variant.data) for variant in picture.variants)
    site.update((download.site_path, download.data) for download in downloads)
    for found in (series, *citings.values()):
        site.update(found.site_files())
    site[SEARCH_DATA] = search_data(collection.essays, bodies).encode("utf-8")
    for path, script in ((SEARCH_SCRIPT, "web-search.js"), (PARAGRAPH_SCRIPT, "web-cite.js")):
        site[path] = (PACKAGE_STYLES / script).read_bytes()
    return {**site, **feeds(collection)}


def feeds(collection: Collection) -> dict[str, bytes]:
    """The Atom feed, and the sitemap when the site's address is known."""
    found = {"feed.xml": atom_feed(collection)}
    found_sitemap = sitemap(collection)
    if found_sitemap is not None:
        found["sitemap.xml"] = found_sitemap
    return found


def offered_pdfs(downloads: Sequence[Download]) -> dict[int | None, str]:
    """The site path of the PDF offered for each essay (None: the collected book), the
    screen profile's where there are several."""
    found: dict[int | None, str] = {}
    for download in sorted(downloads, key=lambda d: d.profile != "screen"):
        if download.format == "pdf":
            found.setdefault(download.essay, download.site_path)
    return found


def finding_pages(collection: Collection, env: Environment, context: dict[str, object],
                  pages: PageMap | None) -> dict[str, str]:
    """The search page, and the index of terms' when terms are marked."""
    found = {SEARCH_PAGE: env.get_template("web-search.html").render(
        **context, root="../", search_data=SEARCH_DATA, search_script=SEARCH_SCRIPT)}
    if has_index(collection):
        found[BOOK_INDEX] = render_book_index(collection, env, context, pages)
    return found


def render_book_index(collection: Collection, env: Environment, context: dict[str, object],
                      pages: PageMap | None) -> str:
    """The index of terms' page: its page numbers are the PDF's, from the page map."""
    return env.get_template("web-bookindex.html").render(
        **context, root="../", book_index=book_index(collection.essays),
        index_letters=index_letters, locators=locators,
        pages=pages.anchors if pages is not None else {},
        files={essay.anchor: essay_file(essay) for essay in collection.essays})


def render_essay(collection: Collection, env: Environment, context: dict[str, object],
                 essay: Essay, body: WebBody, index: int, cite: Citing) -> str:
    essays = collection.essays
    return env.get_template("web-essay.html").render(
        **context, root="../", essay=essay, body=Markup(body.html), cite=cite,
        paragraph_citation=paragraph_citation(collection, essay, cite, body),
        paragraph_script=PARAGRAPH_SCRIPT,
        opening_pages=Markup(body.opening), print_pages=body.pages,
        previous=essays[index - 1] if index > 0 else None,
        next=essays[index + 1] if index + 1 < len(essays) else None)


def og_image(collection: Collection,
             pictures: dict[str, Picture]) -> Callable[[Essay | None], str]:
    """The picture a link preview shows for a page: its essay's first figure (else the
    series' first); previews need a full address, so only with [web] url."""

    def address(essay: Essay | None = None) -> str:
        chosen = [essay] if essay is not None else list(collection.essays)
        for each in chosen if collection.options.web_url else []:
            for figure in each.figures:
                if figure.src in pictures:
                    return collection.options.web_url + pictures[figure.src].src
        return ""

    return address


def web_stylesheet(collection: Collection) -> str:
    """The package's web.css, code highlighting and list markers, then the collection's own
    web.css."""
    css = screen_stylesheet("web.css")
    own = stylesheet(collection, "web.css")
    if own is not None:
        css += "\n" + own.read_text(encoding="utf-8")
    return css
