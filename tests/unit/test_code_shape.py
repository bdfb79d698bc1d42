"""The code's shape: every function short enough to read at once."""

from __future__ import annotations

import ast
from pathlib import Path

import qlabbook

PACKAGE = Path(qlabbook.__file__).parent
MAX_FUNCTION_LINES = 60  # from the def line to the last line, docstring and comments in
# Folders not held to it yet (none now).
NOT_YET_SHORT: tuple[str, ...] = ()


def held_to_shape(path: Path) -> bool:
    return path.relative_to(PACKAGE).parts[0] not in NOT_YET_SHORT


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
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if held_to_shape(p)]
    assert len(modules) > 50  # the package itself, not an empty folder
    assert [line for path in modules for line in long_functions(path)] == []


def test_the_exception_names_folders_that_exist() -> None:
    assert all((PACKAGE / folder).is_dir() for folder in NOT_YET_SHORT)
