"""The markup contract of converted essays: the note class names are written in one module,
and every format expands note calls from the same converted text."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import qlabbook
from helpers import convert_essay_body, xhtml_tree
from qlabbook.epub.documents import epub_body
from qlabbook.markdown.markup import NOTE_BLOCK_PREFIX, NoteClass, expand_figures, shown_images
from qlabbook.markdown.xhtml import parse_fragment
from qlabbook.source import ids
from qlabbook.source.model import Essay
from qlabbook.typeset.html import print_body
from qlabbook.web.pages import web_body

SOURCE = Path(qlabbook.__file__).parent
CONTRACT = SOURCE / "markdown" / "markup.py"
TEMPLATES = SOURCE / "assets" / "templates"
NAMES = frozenset(NoteClass)
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
# Names no prose or setting uses: found anywhere. The others ("notes", "footnote") are
# words too (a setting, a shortcode, a CSL style's class), so only found where a line of a
# stage that writes the formats' markup speaks of classes.
DISTINCT = frozenset(name for name in NAMES if "-" in name or name == NoteClass.CALL)
RENDERING = ("markdown", "typeset", "epub", "web", "assets")


def string_constants(path: Path) -> Iterator[tuple[int, str]]:
    """(line, value) of the string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            yield node.lineno, node.value


def is_note_class(name: str) -> bool:
    return name in NAMES or name.startswith(NOTE_BLOCK_PREFIX)


def class_literals(path: Path) -> list[str]:
    """Where a module writes a note class name itself, as `path:line: name`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for line, value in string_constants(path):
        attributes = {name for found_classes in CLASS_ATTRIBUTE.findall(value)
                      for name in found_classes.split()}
        about_classes = "class" in lines[line - 1] \
            and path.relative_to(SOURCE).parts[0] in RENDERING
        named = (value in DISTINCT or value.startswith(NOTE_BLOCK_PREFIX)
                 or (about_classes and value in NAMES) or any(map(is_note_class, attributes)))
        if named:
            found.append(f"{path.relative_to(SOURCE)}:{line}: {value[:40]}")
    return found


def test_the_note_class_names_are_written_in_one_module_only() -> None:
    modules = [path for path in sorted(SOURCE.rglob("*.py")) if path != CONTRACT]
    found = [hit for path in modules for hit in class_literals(path)]
    assert found == []
    assert {value for _, value in string_constants(CONTRACT)} >= set(NAMES)


def test_the_templates_take_the_note_class_names_from_the_contract() -> None:
    found = [f"{path.name}: {match.group(0)}" for path in sorted(TEMPLATES.iterdir())
             for match in CLASS_ATTRIBUTE.finditer(path.read_text(encoding="utf-8"))
             if any(map(is_note_class, match.group(1).split()))]
    assert found == []


ADJACENT = "Later.[^1][^2] Again.[^1]\n\n[^1]: One.\n[^2]: Two.\n"


def calls_of(paragraph: ET.Element) -> list[tuple[str, str, str]]:
    return [(child.tag.rsplit("}", 1)[-1], child.get("class", ""), child.text or "")
            for child in paragraph]


def test_the_web_page_separates_adjacent_calls_as_print_and_the_epub_do(tmp_path: Path) -> None:
    essay, problems = convert_essay_body(tmp_path, ADJACENT)
    assert problems == []
    page = xhtml_tree(web_body(essay, {essay.anchor: essay.slug}, {}, None).html)
    paragraph = page.find(f".//p[@id='{ids.paragraph_id(essay.anchor, 1)}']")
    assert paragraph is not None
    assert calls_of(paragraph) == [("a", "noteref", "1"),
                                   ("span", "noteref noteref-separator", ","),
                                   ("a", "noteref", "2"), ("a", "noteref", "1")]
    # The same paragraph id and separator in every format: made once, in the essay.
    separator = '<span class="noteref noteref-separator">,</span>'
    for body in (print_body(essay), epub_body(essay, {})):
        assert f'<p id="{ids.paragraph_id(essay.anchor, 1)}">' in body
        assert body.count(separator) == 1


def test_a_link_to_a_paragraph_leads_to_its_id(tmp_path: Path) -> None:
    """The converted essay holds the paragraph ids, so the link check knows them."""
    essay, problems = convert_essay_body(tmp_path, "See [the next](#p2).\n\nNext.\n")
    assert problems == []
    assert essay.body_html == ('<p id="e1-p1">See <a href="#e1-p2">the next</a>.</p>\n'
                               '<p id="e1-p2">Next.</p>')


FIGURES = ('![A card](../images/p.png "A test card"){ credit="Ben Writer" }\n\n'
           "Text with ![a dot](../images/q.png) inside.\n\n"
           "> ![Quoted](../images/p.png)\n\n"
           "After the figures.\n")


def converted_figures(tmp_path: Path) -> Essay:
    from PIL import Image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "p.png")
    Image.new("RGB", (4, 4)).save(tmp_path / "images" / "q.png")
    essay, problems = convert_essay_body(tmp_path, FIGURES)
    assert problems == []
    return essay


def test_every_figure_and_image_of_a_body_is_shown_once_in_reading_order(
        tmp_path: Path) -> None:
    essay = converted_figures(tmp_path)
    body = parse_fragment(essay.body_html)
    found = [(s.id, s.src, s.caption, s.credit, s.figure is not None, s.among_blocks,
              "body" if s.holder is body else s.holder.tag) for s in shown_images(body)]
    assert found == [
        (ids.figure_id(essay.anchor, 1), "images/p.png", "A test card", "Ben Writer", True,
         True, "body"),
        ("", "images/q.png", "", "", False, False, "p"),
        (ids.figure_id(essay.anchor, 2), "images/p.png", "", "", True, False, "blockquote")]
    assert [s.image for s in shown_images(body)] == list(body.iter("img"))


def test_a_format_that_leaves_the_figures_gets_the_body_as_converted(tmp_path: Path) -> None:
    essay = converted_figures(tmp_path)
    seen: list[str] = []
    assert expand_figures(essay.body_html, lambda shown: seen.append(shown.src)) == \
        essay.body_html
    assert seen == ["images/p.png", "images/q.png", "images/p.png"]
    assert essay.body_html in epub_body(essay, {})  # the EPUB's images are the essay's


def test_each_format_renders_the_figures_by_its_own_rule(tmp_path: Path) -> None:
    from qlabbook.typeset.html import defer_figures
    from qlabbook.web.images import Picture, Variant

    essay = converted_figures(tmp_path)
    first, quoted = ids.figure_id(essay.anchor, 1), ids.figure_id(essay.anchor, 2)
    # Print moves a figure that is one of the essay's blocks, never one inside a quotation.
    moved = parse_fragment(defer_figures(essay.body_html, {first: 1, quoted: 1}))
    assert [child.tag for child in moved] == ["p", "figure", "blockquote", "p"]
    assert moved.find("blockquote/figure") is not None
    # The web page gives every image, a figure's or the text's, its resized pictures.
    pictures = {src: Picture(f"pictures/{src}", 30, 20, (Variant(f"pictures/{src}", 30, b""),))
                for src in ("images/p.png", "images/q.png")}
    page = xhtml_tree(web_body(essay, {essay.anchor: essay.slug}, pictures, None).html)
    assert [(image.get("src"), image.get("srcset")) for image in page.iter("img")] == [
        (f"../pictures/{src}", f"../pictures/{src} 30w")
        for src in ("images/p.png", "images/q.png", "images/p.png")]
