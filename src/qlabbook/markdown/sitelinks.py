"""Links written for a website rather than for the book: site permalinks, `/blog/...`
paths, bare `github.com/...` addresses, Jekyll and Hugo shortcodes. Each leads to an essay
of the collection when it names one, else keeps its text (a real web address stays a link)
with a located warning."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from qlabbook.markdown.context import EssayContext
from qlabbook.source.permalinks import site_key

# {% post_url 2019-05-14-title %}, {% link _posts/x.md %}, {{< ref "x.md#part" >}}, relref.
SHORTCODE = re.compile(r"\{%-?\s*(post_url|link)\s+(\S+?)\s*-?%\}"
                       r"|\{\{[<%]\s*(?:rel)?ref\s+\"?([^\"\s>%]+)\"?\s*[>%]\}\}")
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
# github.com/x, www.example.org: the first segment is a host name, not a file.
BARE_HOST = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|dev|edu|"
                       r"gov|uk|de|fr|nl|eu|info|me|co|app|ai|blog|ca|au|us)(?:[/?#:]|$)", re.I)
ESSAY_SUFFIX = re.compile(r"\.(md|markdown|html?)$")


def essay_by_name(name: str, context: EssayContext) -> str | None:
    """The anchor of the essay whose file is `name` (any folder, with or without its
    extension; a page bundle by its folder), if exactly one essay has that name."""
    stem = ESSAY_SUFFIX.sub("", posixpath.basename(name.rstrip("/"))).lower()
    if stem == "index":
        stem = posixpath.basename(posixpath.dirname(name.rstrip("/"))).lower()
    found = {anchor for path, anchor in context.essay_anchors.items()
             if stem in (ESSAY_SUFFIX.sub("", posixpath.basename(path)).lower(),
                         posixpath.basename(posixpath.dirname(path)).lower()
                         if path.endswith("/index.md") else "")}
    found |= {anchor for slug, anchor in context.essay_slugs.items() if slug == stem}
    return found.pop() if len(found) == 1 else None


def resolve_site_link(href: str, context: EssayContext) -> tuple[str | None, str | None]:
    """(target, web address) for a link that is not a plain path to an essay: the essay's
    anchor (plus #fragment) it names, or a web address to keep, or (None, None) to keep only
    the text. Reports what it did."""
    written = unquote(href)
    needle = f"({written}"
    if written.startswith("@/"):
        return zola_link(written, context), None
    shortcode = SHORTCODE.search(written)
    if shortcode or TEMPLATE.search(written):
        name = (shortcode.group(2) or shortcode.group(3)) if shortcode else ""
        base, _, fragment = name.partition("#")
        fragment = fragment or urlsplit(TEMPLATE.sub("", written)).fragment  # {% x %}#part
        essay = essay_by_name(base, context) if base else None
        if essay is not None:
            return with_fragment(essay, fragment), None
        context.warning("M205", f"link {written!r} is a site template's shortcode that names no "
                        "essay of this collection: its text is kept", needle,
                        "link to the essay's file, e.g. (02-other.md)")
        return None, None
    parts = urlsplit(written)
    if parts.scheme in ("http", "https") or written.startswith("/"):
        essay = context.permalinks.get(site_key(written))
        if essay is not None:
            return with_fragment(essay, parts.fragment), None
        if parts.scheme:
            return None, href  # a web page elsewhere: stays a link
        if parts.netloc:
            return None, "https:" + href
        essay = essay_by_name(parts.path, context)
        if essay is not None:
            context.warning("M207", f"link {written!r} taken as the essay named "
                            f"{posixpath.basename(parts.path.rstrip('/'))!r}", needle,
                            "record the site's permalink pattern in qlabbook.toml: [essays] "
                            'permalink = "/:year/:month/:day/:title/"')
            return with_fragment(essay, parts.fragment), None
        site = urlsplit(context.site)
        if site.scheme in ("http", "https") and site.netloc:
            url = f"{site.scheme}://{site.netloc}{href}"
            context.warning("M204", f"link to {written!r}, a page of the website, not an essay "
                            f"of this collection: it links to {url}", needle, f"write ({url})")
            return None, url
        context.warning("M204", f"link to {written!r}, a page of a website, not an essay of "
                        "this collection: its text is kept", needle,
                        "give the full address (https://...) to keep it as a link")
        return None, None
    if BARE_HOST.match(written):
        url = "https://" + href
        context.warning("M206", f"link to {written!r} has no http:// or https://; it links to "
                        f"{url}", needle, f"write ({url})")
        return None, url
    essay = essay_by_name(parts.path, context) if not parts.scheme else None
    if essay is not None:  # ../first-post/, other.html: the essay of that name
        context.warning("M207", f"link {written!r} taken as the essay named "
                        f"{posixpath.basename(parts.path.rstrip('/'))!r}", needle,
                        "link to the essay's file, e.g. (02-other.md)")
        return with_fragment(essay, parts.fragment), None
    return None, None


def zola_link(written: str, context: EssayContext) -> str | None:
    """Zola's internal link `@/blog/post.md#part`: the essay at that path under the site's
    content folder, or None (the link is then a local file that is not an essay, M203)."""
    path, _, fragment = written[2:].partition("#")
    found = {anchor for key, anchor in context.essay_anchors.items()
             if key == path or key.endswith("/" + path)}
    return with_fragment(found.pop(), fragment) if len(found) == 1 else None


def with_fragment(essay: str, fragment: str) -> str:
    return f"{essay}-{fragment}" if fragment else essay
