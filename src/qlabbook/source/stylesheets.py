"""A collection's own stylesheets: what they load, read as CSS (escapes decoded)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from qlabbook.source.config import read_text
from qlabbook.source.diagnostics import Diagnostics

STYLESHEETS = ("print.css", "epub.css")


def check_stylesheets(root: Path, diagnostics: Diagnostics) -> None:
    """A collection's own stylesheets may load only files inside the collection: no
    network, no absolute paths (the renderer would refuse them; this says where)."""
    for name in STYLESHEETS:
        relative = Path("styles") / name
        if not (root / relative).is_file() or links_outside(root, [root / relative]):
            continue  # links leaving the collection are reported with the essays
        text = read_text(root, relative, diagnostics)
        if text is None:
            continue
        for line, url in stylesheet_urls(text):
            target = (root / relative.parent / url).resolve()
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/\\]", url) or \
                    not target.is_relative_to(root.resolve()):
                diagnostics.error("S108", f"the stylesheet loads {url[:60]!r}, which is not "
                                  "a file inside the collection", relative, line,
                                  "put fonts and images in the collection and use relative "
                                  "URLs; nothing is fetched from the network")
            elif name == "epub.css" and not url.startswith("#"):
                diagnostics.error("S110", f"the EPUB stylesheet loads {url[:60]!r}, which the "
                                  "EPUB does not carry", relative, line,
                                  "EPUB readers bring their own fonts and backgrounds; load "
                                  "files from styles/print.css only")


def stylesheet_urls(css: str) -> list[tuple[int, str]]:
    """(line, URL) for every url() and @import in a stylesheet, escapes decoded."""
    import tinycss2

    found: list[tuple[int, str]] = []

    def walk(tokens: list[object]) -> None:
        for token in tokens:
            kind = getattr(token, "type", "")
            if kind == "url":
                found.append((token.source_line, token.value))  # type: ignore[attr-defined]
            elif kind == "function" and token.lower_name == "url":  # type: ignore[attr-defined]
                strings = [a for a in token.arguments  # type: ignore[attr-defined]
                           if getattr(a, "type", "") == "string"]
                found.extend((token.source_line, a.value) for a in strings)  # type: ignore[attr-defined]
            elif kind == "at-rule" and token.lower_at_keyword == "import":  # type: ignore[attr-defined]
                strings = [a for a in token.prelude  # type: ignore[attr-defined]
                           if getattr(a, "type", "") == "string"]
                found.extend((token.source_line, a.value) for a in strings)  # type: ignore[attr-defined]
            for attribute in ("prelude", "content", "arguments", "value"):
                nested = getattr(token, attribute, None)
                if isinstance(nested, list):
                    walk(nested)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def links_outside(root: Path, paths: list[Path]) -> list[Path]:
    """The files among `paths` that resolve (through symbolic links) outside the root."""
    real_root = root.resolve()
    return [p for p in paths if not p.resolve().is_relative_to(real_root)]


def stylesheet_resources(root: Path) -> list[Path]:
    """Files outside styles/ that the collection's stylesheets load, found as the renderer
    finds them: url() and @import read as CSS, escapes decoded, comments skipped."""
    styles = root / "styles"
    real_root, real_styles = root.resolve(), styles.resolve()
    found: set[Path] = set()
    for sheet in sorted(styles.rglob("*.css")) if styles.is_dir() else []:
        text = sheet.read_text(encoding="utf-8", errors="replace")
        for _, url in stylesheet_urls(text):
            parts = urlsplit(url)
            if parts.scheme or not parts.path:
                continue  # data: and other schemes are in the stylesheet's own bytes
            path = (sheet.parent / unquote(parts.path)).resolve()
            if path.is_relative_to(real_root) and not path.is_relative_to(real_styles):
                found.add(path)
    return sorted(found)
