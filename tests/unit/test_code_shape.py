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

