"""The book's title when init is not given one: the site's, a documentation generator's, an
index page's or README's own title, else the folder's name; and where it came from."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from qlabbook.source import frontmatter

# Pages that name the whole site rather than one post, nearest the collection first.
INDEX_PAGES = ("README.md", "readme.md", "index.md", "_index.md", "content/_index.md")
# Titles that name a page of the site, not the book.
GENERIC = {"home", "index", "blog", "posts", "readme", "about", "welcome"}
PELICAN_SITENAME = re.compile(r"^SITENAME\s*=\s*(['\"])(.+?)\1\s*$", re.MULTILINE)


def book_title(root: Path, base: Path, site: dict[str, Any]) -> tuple[str, str]:
    """(title, where it came from, as init says it)."""
    if isinstance(site.get("title"), str) and site["title"].strip():
        return clean(site["title"]), f"the title in {site.get('config', 'the site config')}"
    for found, where in generator_titles(root):
        return found, where
    for folder in dict.fromkeys((root, base)):
        for name in INDEX_PAGES:
            title = page_title(folder / name)
            if title and title.casefold() not in GENERIC:
                return title, f"the title of {(folder / name).relative_to(root).as_posix()}"
    name = root.resolve().name.replace("-", " ").replace("_", " ").strip().title()
    return name or "Essays", "the folder's name: no site config, README or index page names one"


def generator_titles(root: Path) -> list[tuple[str, str]]:
    """Site names that MkDocs (mkdocs.yml's site_name) and Pelican (SITENAME) keep."""
    titles = []
    try:
        mkdocs = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError):
        mkdocs = None
    if isinstance(mkdocs, dict) and isinstance(mkdocs.get("site_name"), str):
        titles.append((clean(mkdocs["site_name"]), "site_name in mkdocs.yml"))
    try:
        pelican = PELICAN_SITENAME.search((root / "pelicanconf.py").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pelican = None
    if pelican:
        titles.append((clean(pelican.group(2)), "SITENAME in pelicanconf.py"))
    return [(title, where) for title, where in titles if title]


def page_title(path: Path) -> str:
    """A page's title: its front matter's, or its first heading's; "" if none."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        data = frontmatter.read(text).data
    except (OSError, ValueError, yaml.YAMLError, tomllib.TOMLDecodeError):
        return ""
    title = data.get("title") if isinstance(data, dict) else None
    return clean(title) if isinstance(title, str) else ""


def clean(title: str) -> str:
    """One line of plain words: a heading's Markdown emphasis and links are not a title's."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    return " ".join(re.sub(r"[*_`]+", "", plain).split())
