"""Search in the web edition, with no server: every paragraph of every essay (its essay, its
link, the print page it starts on and its words), written at build time into a script the
search page loads with a <script src>, which a browser runs from file:// as from a server
(a fetch of a JSON file is refused over file://)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator

from qlabbook.source.model import Essay
from qlabbook.web.pages import WebBody, parse
from qlabbook.web.paths import SEARCH_FOLDER, essay_file, slug_file
from qlabbook.web.printpages import PagedBlock, paged_blocks

SEARCH_PAGE = slug_file(SEARCH_FOLDER)
SEARCH_DATA = f"{SEARCH_FOLDER}/paragraphs.js"
SEARCH_SCRIPT = f"{SEARCH_FOLDER}/search.js"
# Blocks whose words are searched; a side note's paragraphs are their own entries.
SEARCHED = {"p", "li", "blockquote", "h2", "h3", "h4", "dd", "dt", "figcaption", "td"}


def paragraphs(blocks: tuple[PagedBlock, ...]) -> Iterator[tuple[str, str, str]]:
    """(id, print page it starts on, words) of each block searched, in reading order."""
    for block in blocks:
        if block.words:
            yield block.element.get("id", ""), block.first, block.words


# A serve makes the site again after each save: an unchanged essay's text is read once.
@functools.lru_cache(maxsize=4096)
def essay_blocks(html: str, page: str) -> tuple[PagedBlock, ...]:
    """The blocks with an id of an essay's web text (`page`: the print page it opens on)
    that are searched or cited, with their print pages."""
    return tuple(paged_blocks(parse(html), SEARCHED, page))


def opening_page(body: WebBody) -> str:
    """The print page the essay opens on: every essay opens on a page of its own."""
    return body.pages[0] if body.pages else ""


def search_data(essays: tuple[Essay, ...], bodies: dict[str, WebBody]) -> str:
    """The script that hands the search page every paragraph: [essay number, essay title,
    page address (from the site's root) with the paragraph's id, print page, words]."""
    entries = [[essay.number, essay.title, f"{essay_file(essay)}#{ident}", page, words]
               for essay in essays
               for ident, page, words in paragraphs(essay_blocks(
                   bodies[essay.anchor].html, opening_page(bodies[essay.anchor])))]
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.qlabbookParagraphs = {data};\n"
