"""The code's shape: every function short enough to read at once."""

from __future__ import annotations

import ast
from pathlib import Path

import qlabbook

PACKAGE = Path(qlabbook.__file__).parent
MAX_FUNCTION_LINES = 60  # from the def line to the last line, docstring and comments in


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                where = path.relative_to(PACKAGE.parent).as_posix()
                found.append(f"{where}:{node.lineno}: {node.name} has {lines} lines")
    return found


def test_no_function_is_longer_than_sixty_lines() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50  # the package itself, not an empty folder
    assert [line for path in modules for line in long_functions(path)] == []



# Attributes only WeasyPrint's boxes have (ElementTree's elements, pikepdf's pages and
# Pillow's images, which the stage also reads, have none of them): typeset/engine.py is the
# one module that reads them, and the others ask it (box_kind, box_children, text_block...).
BOX_ATTRIBUTES = frozenset({
    "children", "descendants", "element", "element_tag", "replacement", "_page_box",
    "position_x", "position_y", "content_box_x", "content_box_y", "margin_height",
    "margin_width", "border_height", "border_width", "padding_height", "padding_width",
    "margin_top", "margin_bottom", "page_type", "baseline"})
ATTRIBUTE_BY_NAME = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def box_reads(source: str, where: str) -> list[str]:
    """Each read or write of a box attribute in `source`: `box.position_y`, and
    `getattr(box, "children", ())` (the name as a string)."""
    found = []
    for node in ast.walk(ast.parse(source, where)):
        name = None
        if isinstance(node, ast.Attribute) and node.attr in BOX_ATTRIBUTES:
            name = node.attr
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ATTRIBUTE_BY_NAME and len(node.args) > 1 and \
                isinstance(node.args[1], ast.Constant) and node.args[1].value in BOX_ATTRIBUTES:
            name = str(node.args[1].value)
        if name is not None:
            found.append(f"{where}:{getattr(node, 'lineno', 0)}: .{name}")
    return found


def test_box_reads_finds_attribute_and_getattr_reads() -> None:
    source = ("def f(box, element):\n"
              "    top = box.position_y + box.margin_height()\n"
              "    kids = getattr(box, 'children', ())\n"
              "    box.element = element\n"
              "    return element.get('id'), element.text, element.tag, list(element)\n")
    assert sorted(box_reads(source, "x.py")) == ["x.py:2: .margin_height",
                                                 "x.py:2: .position_y", "x.py:3: .children",
                                                 "x.py:4: .element"]


def test_only_the_engine_reads_weasyprint_boxes() -> None:
    typeset = PACKAGE / "typeset"
    modules = sorted(path for path in typeset.rglob("*.py") if path.name != "engine.py")
    assert len(modules) > 15
    assert [read for path in modules for read in box_reads(
        path.read_text(encoding="utf-8"), path.relative_to(PACKAGE.parent).as_posix())] == []
    assert box_reads((typeset / "engine.py").read_text(encoding="utf-8"), "engine.py")
