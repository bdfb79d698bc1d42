"""The markup contract of converted essays: the note class names are written in one module,
and every format expands note calls from the same converted text."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import qlabbook
from qlabbook.markdown.markup import NoteClass

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


def class_literals(path: Path) -> list[str]:
    """Where a module writes a note class name itself, as `path:line: name`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for line, value in string_constants(path):
        attributes = {name for found_classes in CLASS_ATTRIBUTE.findall(value)
                      for name in found_classes.split()}
        about_classes = "class" in lines[line - 1] \
            and path.relative_to(SOURCE).parts[0] in RENDERING
        named = (value in DISTINCT or value.startswith("note-")
                 or (about_classes and value in NAMES) or bool(attributes & NAMES))
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
             if set(match.group(1).split()) & NAMES]
    assert found == []
