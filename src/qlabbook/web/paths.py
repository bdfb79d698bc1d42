"""Where a page of the web edition is: the file that links between pages name (a folder
opened over file:// shows a listing, not its index.html), and the clean address that
canonical links, the feed and the sitemap give under [web] url."""

from __future__ import annotations

from qlabbook.source.model import Essay

INDEX = "index.html"


def essay_path(essay: Essay) -> str:
    """An essay's clean address, relative to the site's root: `b-ten/`."""
    return f"{essay.slug}/"


def essay_file(essay: Essay) -> str:
    """An essay's page, relative to the site's root, as links name it: `b-ten/index.html`."""
    return slug_file(essay.slug)


def slug_file(slug: str) -> str:
    return f"{slug}/{INDEX}"


# The index of terms' page, as links name it (its clean address is the folder).
BOOK_INDEX = slug_file("book-index")
