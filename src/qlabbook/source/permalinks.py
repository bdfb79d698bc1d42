"""The web addresses an essay had on its site, so links written for the site (permalinks,
`/2019/05/14/title/`, `https://example.org/blog/...`) lead to the essay in the book."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from qlabbook.source.layout import Layout
from qlabbook.source.text import slugify

PLACEHOLDER = re.compile(r":([a-z_]+)")
# Jekyll's named permalink styles.
STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
          "pretty": "/:categories/:year/:month/:day/:title/",
          "ordinal": "/:categories/:year/:y_day/:title:output_ext",
          "none": "/:categories/:title:output_ext"}
PAGE_ENDINGS = re.compile(r"(/index)?\.(html?|md|markdown)$")


def site_key(url: str) -> str:
    """A comparable form of a site address: '//host/path' for absolute ones, '/path' for
    site-relative ones; lowercase, without 'index.html', '.html' or a trailing slash."""
    url = unquote(url.strip())
    parts = urlsplit(url if "://" in url or url.startswith("//") else
                     re.sub(r"/{2,}", "/", url))
    path = re.sub(r"/{2,}", "/", "/" + parts.path.lstrip("/")).lower()
    path = PAGE_ENDINGS.sub("", path).rstrip("/") or "/"
    host = parts.netloc.lower().removeprefix("www.")
    return f"//{host}{path}" if host else path


def permalinks(layout: Layout, data: dict[str, Any], date: dt.date | None, slug: str,
               relative: Path) -> tuple[str, ...]:
    """Every key (site_key) under which the site published this essay."""
    paths: list[str] = []
    for key in ("permalink", "url", "path"):  # path: Zola's address for the page
        if isinstance(data.get(key), str):
            paths.append(data[key])
    aliases = data.get("aliases")
    if isinstance(aliases, list):
        paths += [a for a in aliases if isinstance(a, str)]
    if layout.permalink:
        paths += expand(STYLES.get(layout.permalink, layout.permalink), data, date, slug,
                        relative)
    site = urlsplit(layout.site)
    base = site.path.rstrip("/")
    keys: list[str] = []
    for path in paths:
        if "://" in path:
            keys.append(site_key(path))
            continue
        path = re.sub(r"/{2,}", "/", "/" + path)
        keys.append(site_key(path))
        if base:
            keys.append(site_key(base + path))
        if site.netloc:
            keys.append(site_key(f"//{site.netloc}{base}{path}"))
    return tuple(dict.fromkeys(keys))


def expand(pattern: str, data: dict[str, Any], date: dt.date | None, slug: str,
           relative: Path) -> list[str]:
    """The pattern filled in (Jekyll's and Hugo's placeholders): one address for each reading
    of :title (Jekyll: the file's slug; Hugo: the title's)."""
    categories = data.get("categories", data.get("category", []))
    if isinstance(categories, str):
        categories = categories.split()
    title = data.get("title")
    values = {
        "year": f"{date.year:04d}" if date else "", "month": f"{date.month:02d}" if date else "",
        "day": f"{date.day:02d}" if date else "", "i_month": str(date.month) if date else "",
        "i_day": str(date.day) if date else "",
        "short_year": f"{date.year % 100:02d}" if date else "",
        "y_day": f"{date.timetuple().tm_yday:03d}" if date else "",
        "monthname": date.strftime("%B").lower() if date else "",
        "categories": "/".join(str(c).lower() for c in categories if str(c)),
        "section": relative.parent.name, "slug": slug, "name": relative.stem,
        "filename": relative.stem, "contentbasename": slug, "output_ext": ".html",
    }
    readings = dict.fromkeys([slug, slugify(title) if isinstance(title, str) else slug])
    return [fill(pattern, {**values, "title": reading or slug}) for reading in readings]


def fill(pattern: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()), pattern)
