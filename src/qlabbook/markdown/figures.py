"""Images: checked, pointed at their collection path, figures recorded with captions."""

from __future__ import annotations

import difflib
import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from qlabbook.markdown.context import EssayContext
from qlabbook.source import ids
from qlabbook.source.images import MEDIA_TYPES, check_image
from qlabbook.source.model import Figure


def resolve_images(body: ET.Element,
                   context: EssayContext) -> tuple[list[Figure], list[str]]:
    """Check every image and point it at its collection-relative path: the figures, and
    every image shown (figures and images inline in the text), in reading order."""
    figures = []
    seen: dict[str, int] = {}  # the same image shown twice is reported at each line
    for figure_or_image in list(body.iter()):
        if figure_or_image.tag != "img":
            continue
        image = figure_or_image
        src = image.get("src", "")
        needle = f"({src}"
        seen[src] = seen.get(src, 0) + 1
        alt = image.get("alt", "").strip()
        if not alt:  # the bare path finds raw HTML's images too
            image.set("alt", "")  # XHTML needs the attribute, even empty (raw HTML's <img>)
            report_missing_alt(context, src, context.line_of_occurrence(src, seen[src] - 1))
        relative = resolve_inside(context.root, context.source.path, src, context.site)
        if relative is None:
            context.error("I102", f"image {src!r} is not a file inside the collection", needle,
                          "put images in the collection's images/ folder")
            continue
        if not (context.root / relative).is_file():
            meant = likely_image(context.root, relative)
            guess = "" if meant is None else \
                f"; did you mean {written_from(context.source.path, meant)}?"
            context.error("I101", f"image {src!r} does not exist{guess}", needle,
                          f"expected at {relative}")
            continue
        checked = check_image(context.root / relative)
        if checked.code:
            context.error(checked.code, f"image {src!r} {checked.problem}", needle)
            continue
        size = (checked.width, checked.height)
        image.set("src", relative)
        figures.append((image, relative, alt, size))
    result: list[Figure] = []
    # The author's ids ({#fig1} on an image is e3-fig1 too) are never given to a figure.
    taken = {element.get("id") for element in body.iter() if element.get("id")}
    for parent in body.iter("figure"):
        if parent.get("class") != "figure":
            continue
        for image, relative, alt, size in figures:
            if parent[0] is image:
                caption = parent.find("figcaption/span[@class='caption']")
                # An id lets the picture-credits page give the page each figure is on.
                figure_id = ids.figure_id(context.anchor, len(result) + 1)
                while figure_id in taken:
                    figure_id += "-figure"
                taken.add(figure_id)
                parent.set("id", figure_id)
                result.append(Figure(
                    src=relative, alt=alt,
                    caption=caption.text or "" if caption is not None else "",
                    credit=parent.get("data-credit", ""), width=size[0], height=size[1],
                    licence=parent.get("data-licence", ""), source=parent.get("data-source", ""),
                    anchor=figure_id))
    return result, [relative for _, relative, _, _ in figures]


def undescribed_images(trees: list[ET.Element]) -> list[str]:
    """The sources of the images in `trees` that have no alt text, in reading order."""
    return [image.get("src", "") for tree in trees for image in tree.iter("img")
            if not image.get("alt", "").strip()]


def report_missing_alt(context: EssayContext, src: str, line: int | None) -> None:
    """A warning, not an error: most blogs have such images, and a build should not refuse
    them. The EPUB's and the PDF's accessibility claims leave out what it makes false."""
    context.diagnostics.warning(
        "I103", f"image {src!r} has no alt text, so the EPUB and the PDF do not claim a text "
        "alternative for every image", context.source.path, line,
        "describe the picture for readers who cannot see it: ![a description](...); "
        "--strict makes this an error")


def resolve_inside(root: Path, essay_path: Path, src: str, site: str = "") -> str | None:
    """The collection-relative path of `src`, or None when it leaves the collection. `site`
    is the address the essays had on the web: a path under it (`/blog/images/x.png` for
    `https://example.org/blog`, or that full address) is the site's own file."""
    parts, home = urlsplit(src), urlsplit(site)
    if (parts.scheme or parts.netloc) and not (
            parts.scheme in ("http", "https") and parts.netloc.lower() == home.netloc.lower()
            and home.netloc):
        return None
    if not parts.path:
        return None
    path = unquote(parts.path)
    target = (root / essay_path.parent / path).resolve()
    for site_root, site_path in site_files(root, path, home.path.rstrip("/")):
        # A site's own address (/assets/x.png): the file under the collection (the site's
        # root, or Hugo's static/), when it is there.
        if (site_root / site_path).resolve().is_file():
            target = (site_root / site_path).resolve()
            break
    try:
        return target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def site_files(root: Path, path: str, base: str) -> list[tuple[Path, str]]:
    """Where a site path's file may be: under the collection or Hugo's static/, as written
    and without the site's base path (Jekyll's baseurl, /blog)."""
    if not path.startswith("/"):
        return []
    paths = [path.lstrip("/")]
    if base and path.startswith(base + "/"):
        paths.append(path[len(base):].lstrip("/"))
    return [(site_root, p) for p in paths for site_root in (root, root / "static")]


NAME_LIKENESS = 0.85  # "workshp.jpg" is 0.96 like "workshop.jpg", "cat.png" only 0.8 "card.png"
SKIPPED_FOLDERS = {"dist", "build", "node_modules", "_site", "public"}


def likely_image(root: Path, missing: str) -> str | None:
    """The collection's image file whose path is closest to a misspelt one, if any is close:
    `images/workshp.jpg` -> `images/workshop.jpg`."""
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts[:-1]):
            continue
        if path.suffix.lower() in MEDIA_TYPES and path.is_file():
            found.append(path.relative_to(root).as_posix())
    # The file's name must be close (a slip of a letter or two, or of case); its folder
    # may be any: `image/x.jpg` for `images/x.jpg`.
    name = posixpath.basename(missing).lower()

    def likeness(path: str) -> tuple[float, float]:
        return (difflib.SequenceMatcher(None, name, posixpath.basename(path).lower()).ratio(),
                difflib.SequenceMatcher(None, missing.lower(), path.lower()).ratio())

    best = max(found, key=likeness, default=None)
    return best if best is not None and likeness(best)[0] >= NAME_LIKENESS else None


def written_from(essay_path: Path, target: str) -> str:
    """A collection path as the essay would write it: relative to the essay's folder."""
    return posixpath.relpath(target, essay_path.parent.as_posix() or ".")
