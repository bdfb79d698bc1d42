"""The PDF's bookmarks name each section by its heading's own text."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from helpers import run_cli

ESSAY = """---
title: "One"
number: 1
---

Text.

## Results in $x^2$ terms[^a]

More text.[^b]

### A & B

End.

[^a]: The note on the heading.
[^b]: Another.
"""


def titles(outline: list[object], depth: int = 0) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for item in outline:
        if isinstance(item, list):
            found += titles(item, depth + 1)
        else:
            found.append((depth, str(item.title)))  # type: ignore[attr-defined]
    return found


@pytest.mark.slow
def test_bookmarks_leave_out_the_notes_a_heading_calls(tmp_path: Path) -> None:
    root = tmp_path / "book"
    (root / "essays").mkdir(parents=True)
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Bookmarks"\ndate = 2020-01-01\n')
    (root / "essays" / "01-one.md").write_text(ESSAY)
    assert run_cli("build", root, "-f", "pdf", "-o", root / "dist").exit_code == 0  # type: ignore[attr-defined]
    outline = pypdf.PdfReader(root / "dist" / "bookmarks.pdf").outline
    assert titles(outline) == [(0, "Contents"), (0, "One"), (1, "Results in x^2 terms"),
                               (2, "A & B")]
