"""The blank page and folio sheets, kept once for every collection that looks alike."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, page_texts
from qlabbook.build import BuildRequest, build, load_collection
from qlabbook.typeset.parts import sheet_jobs


def series(tmp_path: Path, name: str, title: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / "series", root)
    config = root / "qlabbook.toml"
    config.write_text(config.read_text().replace('title = "Fixture Series"',
                                                 f'title = "{title}"'))
    return root


def sheet_keys(root: Path) -> list[str]:
    return [job.key() for job in sheet_jobs(load_collection(root), "screen", 70)]


def test_sheets_are_keyed_by_their_look_not_by_the_collection(tmp_path: Path) -> None:
    one, other = series(tmp_path, "one", "One Series"), series(tmp_path, "two", "Two")
    assert len(sheet_keys(one)) == 3  # the blank page, folios 1-64, 65-128
    assert sheet_keys(one) == sheet_keys(other)
    (other / "styles").mkdir()
    (other / "styles" / "print.css").write_text("@page { @bottom-left { color: red } }")
    assert sheet_keys(one)[1:] != sheet_keys(other)[1:]


@pytest.mark.slow
def test_a_cold_build_of_another_collection_draws_no_sheet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    monkeypatch.setenv("QLABBOOK_CACHE_HOME", str(shared))
    one, other = series(tmp_path, "one", "One Series"), series(tmp_path, "two", "Two")
    build(BuildRequest(one, formats=("pdf",), cache=False, jobs=1))
    kept = sorted(p.name for p in (shared / "furniture").iterdir())
    assert len(kept) == 2 * 2  # the blank page and one sheet, each a PDF and its record
    stamps = {path: os.stat(shared / "furniture" / path).st_mtime_ns for path in kept}
    build(BuildRequest(other, formats=("pdf",), cache=False, jobs=1))
    assert sorted(p.name for p in (shared / "furniture").iterdir()) == kept
    assert all(os.stat(shared / "furniture" / path).st_mtime_ns == stamp
               for path, stamp in stamps.items() if path.endswith(".pdf"))
    # The sheets drawn for the first collection print the second's folios.
    texts = page_texts(other / "dist" / "two.pdf")
    assert texts[4].startswith("Contents")  # then each essay on a right-hand page
    assert [text.split()[-1] for text in texts[5:] if text] == ["1", "3", "5", "7"], texts
