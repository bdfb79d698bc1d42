"""Where a page of the web edition is: the file that links between pages name (a folder
opened over file:// shows a listing, not its index.html), and the clean address that
canonical links, the feed and the sitemap give under [web] url."""

from __future__ import annotations

from collections.abc import Iterable

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Essay, EssaySource

INDEX = "index.html"
# The folders the web edition keeps for its own pages and files, which no essay's page may
# take (an essay whose slug is `search` would replace the search page).
SEARCH_FOLDER = "search"
CITE_FOLDER = "cite"
DOWNLOADS_FOLDER = "downloads"
FONTS_FOLDER = "fonts"
IMAGES_FOLDER = "images"
STYLE_FOLDER = "style"
BOOK_INDEX_FOLDER = "book-index"
SITE_FOLDERS = (SEARCH_FOLDER, CITE_FOLDER, DOWNLOADS_FOLDER, FONTS_FOLDER, IMAGES_FOLDER,
                STYLE_FOLDER, BOOK_INDEX_FOLDER)


def essay_path(essay: Essay) -> str:
    """An essay's clean address, relative to the site's root: `b-ten/`."""
    return f"{essay.slug}/"


def essay_file(essay: Essay) -> str:
    """An essay's page, relative to the site's root, as links name it: `b-ten/index.html`."""
    return slug_file(essay.slug)


def slug_file(slug: str) -> str:
    return f"{slug}/{INDEX}"


# The index of terms' page, as links name it (its clean address is the folder).
BOOK_INDEX = slug_file(BOOK_INDEX_FOLDER)


def check_site_folders(essays: Iterable[EssaySource], diagnostics: Diagnostics) -> None:
    """An error [A105] for each essay whose page would be one of the site's own folders."""
    for source in essays:
        if source.slug in SITE_FOLDERS:
            diagnostics.error(
                "A105", f"slug {source.slug!r} is the name of the web edition's own "
                f"{source.slug}/ folder", source.path, source.field_line("slug"),
                "give the essay another slug (front matter `slug:`), or rename its file")
