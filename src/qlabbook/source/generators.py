"""What static-site generators (Jekyll, Hugo, Zola, Quarto) and pandoc put in front matter:
the fields each defines, so that a post written for one of them reads without a warning;
their ways of naming authors; and the dates Zola keeps in file names and paths."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# Fields each tool defines for the site, the layout or its own processing. qlabbook reads
# its own fields (and the aliases in frontmatter.ALIASES); the rest are accepted, unused.
# Compared in lower case (Hugo writes publishDate, the docs publishdate).
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "jekyll": frozenset({
        "layout", "permalink", "published", "category", "categories", "tags", "excerpt",
        "excerpt_separator", "author", "description", "image", "comments", "toc", "lang",
        "last_modified_at", "redirect_from", "redirect_to", "sitemap", "header", "sidebar",
        "share", "canonical_url", "hidden", "math", "mathjax", "render_with_liquid",
        "tagline", "classes", "author_profile", "read_time", "pinned", "modified", "updated",
        "image_alt", "seo", "feature", "featured", "thumbnail", "cover", "featured_image",
    }),
    "hugo": frozenset({
        "aliases", "audio", "build", "cascade", "date", "description", "draft", "expirydate",
        "headless", "images", "iscjklanguage", "keywords", "lastmod", "layout", "linktitle",
        "markup", "menu", "menus", "outputs", "params", "publishdate", "resources", "sitemap",
        "slug", "summary", "title", "translationkey", "type", "url", "videos", "weight",
        "tags", "categories", "series", "toc", "showtoc", "tocopen", "katex", "math", "cover",
        "author", "authors", "hidemeta", "comments", "disableshare", "searchhidden",
    }),
    "zola": frozenset({
        "title", "description", "date", "updated", "weight", "draft", "slug", "path",
        "aliases", "authors", "in_search_index", "template", "taxonomies", "extra",
        # a section's _index.md
        "sort_by", "paginate_by", "paginate_path", "paginate_reversed", "insert_anchor_links",
        "render", "redirect_to", "transparent", "page_template", "generate_feed",
        "generate_feeds",
    }),
    "quarto": frozenset({
        "title", "subtitle", "date", "date-modified", "date-format", "author", "authors",
        "affiliation", "affiliations", "abstract", "abstract-title", "description",
        "categories", "keywords", "image", "image-alt", "image-height", "image-width",
        "draft", "format", "execute", "engine", "jupyter", "knitr", "editor", "bibliography",
        "csl", "citation", "citation-location", "reference-location", "cap-location",
        "fig-cap-location", "tbl-cap-location", "toc", "toc-depth", "toc-title",
        "toc-location", "toc-expand", "number-sections", "number-depth", "number-offset",
        "filters", "freeze", "lang", "license", "copyright", "funding", "doi", "order",
        "listing", "page-layout", "title-block-banner", "title-block-banner-color",
        "title-block-style", "title-block-categories", "code-fold", "code-summary",
        "code-tools", "code-overflow", "code-line-numbers", "code-copy", "code-annotations",
        "highlight-style", "echo", "eval", "warning", "error", "include", "output",
        "crossref", "link-citations", "link-bibliography", "nocite", "theme", "css",
        "include-in-header", "include-before-body", "include-after-body", "comments",
        "aliases", "search", "sidebar", "margin-header", "margin-footer", "appendix-style",
        "google-scholar", "params", "resources", "metadata-files", "pagetitle", "mainfont",
        "monofont", "fontsize", "linestretch", "documentclass", "classoption", "geometry",
        "pdf-engine", "self-contained", "embed-resources", "fig-width", "fig-height",
        "fig-format", "fig-dpi", "fig-align", "fig-responsive", "df-print", "execute-dir",
        "output-file", "other-links", "code-links", "institute", "keep-md", "keep-ipynb",
        "ipynb-filters", "notebook-links", "notebook-view", "lightbox", "mermaid", "shortcodes",
        "smooth-scroll", "anchor-sections", "footnotes-hover", "reference-links",
        "html-math-method", "email-obfuscation", "canonical-url", "open-graph", "twitter-card",
        "subject", "thanks", "version", "citation-key", "bibliographystyle", "cite-method",
        "jupyter-options", "toc-float", "page-navigation", "back-to-top-navigation",
        "body-classes", "header-includes", "number-figures",
    }),
    "pandoc": frozenset({
        "title", "subtitle", "author", "date", "abstract", "keywords", "subject", "lang",
        "dir", "bibliography", "csl", "link-citations", "link-bibliography", "nocite",
        "references", "header-includes", "include-before", "include-after", "documentclass",
        "classoption", "geometry", "margin-left", "margin-right", "fontsize", "mainfont",
        "numbersections", "toc", "toc-depth", "toc-title", "output", "title-meta",
        "author-meta", "date-meta", "pagetitle", "description", "rights", "cover-image",
        "papersize", "linestretch", "secnumdepth", "suppress-bibliography",
    }),
}
SITE_FIELDS = frozenset().union(*KNOWN_FIELDS.values())

# A date in a Zola path or file name: 2019/05/01, 2019-05-01.
PATH_DATE = re.compile(r"(?<!\d)(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")
INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def is_known(key: str) -> bool:
    """Whether some generator or pandoc defines the field `key`."""
    return key.lower() in SITE_FIELDS


def is_draft(data: dict[str, Any]) -> bool:
    """A draft by its generator's rule: `draft: true` (Hugo, Zola, Quarto) or
    `published: false` (Jekyll)."""
    return data.get("draft") is True or data.get("published") is False


def plain_inline(text: str) -> str:
    """Inline Markdown as the words it shows: `[Institute](https://...)` reads
    "Institute", `*x*` reads "x". Fields such as an author's name are printed as text in
    the contents, the openings and the metadata."""
    text = INLINE_LINK.sub(r"\1", text)
    text = AUTOLINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, EMPHASIS.sub(r"\2", text)
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", " ".join(text.split()))


def author_name(value: Any) -> str | None:
    """One author as Quarto, pandoc, Hugo and Jekyll write one: a name, `{name: ...}`,
    `{name: {given, family}}`, `{name: {literal}}` or `{given, family}` (CSL)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return plain_inline(str(value)) or None
    if not isinstance(value, dict):
        return None
    name = value.get("name", value)
    if isinstance(name, dict):
        if name.get("literal"):
            return plain_inline(str(name["literal"]))
        parts = [name.get(k) for k in ("given", "dropping-particle", "non-dropping-particle",
                                       "family", "suffix")]
        joined = " ".join(str(p) for p in parts if isinstance(p, str | int) and str(p))
        return plain_inline(joined) or None
    return author_name(name) if isinstance(name, str) else None


def author_names(value: Any) -> Any:
    """Every author in a field, as a list of names; a value in no known form is returned
    as it is, for the field's check to report."""
    entries = value if isinstance(value, list) else [value]
    names = [author_name(entry) for entry in entries]
    if any(name is None for name in names):
        return value
    return [name for name in names if name]


def date_in_path(value: Any) -> dt.date | None:
    """Zola's date kept in a page's `path` or file name: `2019/05/01/slug`,
    `2019-05-01_slug.md`."""
    return calendar_date(PATH_DATE.search(value) if isinstance(value, str) else None)


def calendar_date(found: re.Match[str] | None) -> dt.date | None:
    """The date a match's (year, month, day) groups name, None for no match or no such
    day (2019-02-30)."""
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError:
        return None
