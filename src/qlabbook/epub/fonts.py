"""The code font in the EPUB: embedded only when an essay has code, so that code is set in the
same monospace as the PDF. Everything else is left to the reader's own font."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qlabbook.assets import CODE_BOLD_FONT, CODE_FONT, CODE_ITALIC_FONT
from qlabbook.source.model import Collection

FONT_MEDIA_TYPE = "font/ttf"  # an EPUB 3 core media type
CODE_ELEMENTS = ("<code", "<pre", "<kbd", "<samp")


def code_faces(collection: Collection) -> list[tuple[Path, str, int]]:
    """(font file, style, weight) of each face the essays' code needs: the regular one
    for any code, bold and italic as well where highlighting uses them."""
    documents = [html for essay in collection.essays
                 for html in (essay.body_html, *(note.html for note in essay.footnotes))]
    if not any(element in html for html in documents for element in CODE_ELEMENTS):
        return []
    faces = [(CODE_FONT, "normal", 400)]
    if any('class="highlight' in html for html in documents):
        faces += [(CODE_BOLD_FONT, "normal", 700), (CODE_ITALIC_FONT, "italic", 400)]
    return faces


def add_code_fonts(book: Any, collection: Collection) -> str:
    """Add the faces the code needs to the package; their @font-face rules, for the
    stylesheet in style/ (empty when the book has no code)."""
    from ebooklib import epub

    rules = []
    for index, (font, style, weight) in enumerate(code_faces(collection), start=1):
        book.add_item(epub.EpubItem(uid=f"font{index}", file_name=f"fonts/{font.name}",
                                    media_type=FONT_MEDIA_TYPE, content=font.read_bytes()))
        rules.append(f'@font-face {{ font-family: "Qlabbook Mono"; font-style: {style}; '
                     f'font-weight: {weight}; src: url("../fonts/{font.name}"); }}\n')
    return "".join(rules)
