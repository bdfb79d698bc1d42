"""The editor's everyday slips: each is one located message with the fix in it, nothing is
written, and no second message follows from the first."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from helpers import FIXTURES, run_cli
from qlabbook.build import load_collection


def series(tmp_path: Path) -> Path:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    return root


def lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def test_a_quoted_date_in_qlabbook_toml_is_a_date(tmp_path: Path) -> None:
    root = series(tmp_path)
    config = root / "qlabbook.toml"
    config.write_text(config.read_text().replace("date = 2020-03-01", 'date = "2026-11-01"'))
    assert load_collection(root).metadata.date == dt.date(2026, 11, 1)
    config.write_text(config.read_text().replace('date = "2026-11-01"', "date = '1 May 2019'"))
    assert load_collection(root).metadata.date == dt.date(2019, 5, 1)


def test_new_with_an_existing_title_refuses_and_writes_nothing(tmp_path: Path) -> None:
    root = series(tmp_path)
    before = sorted(p.name for p in (root / "essays").iterdir())
    result = run_cli("new", "listening FIRST", root)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert lines(result.stderr) == [  # type: ignore[attr-defined]
        "essays/a-listening.md:2: error: essays/a-listening.md already has the title "
        "'Listening first'; nothing was written [W104]",
        "    hint: give the new essay another title, or edit the existing one"]
    assert sorted(p.name for p in (root / "essays").iterdir()) == before
    # A title that is only similar is a new essay.
    assert run_cli("new", "Listening first, again", root).exit_code == 0  # type: ignore[attr-defined]


def test_a_yaml_error_is_one_message_without_follow_on_warnings(tmp_path: Path) -> None:
    root = series(tmp_path)
    # a-listening.md links to c-opening.md: its broken front matter is the one problem.
    opening = root / "essays" / "c-opening.md"
    opening.write_text(opening.read_text().replace('title: "Opening"', 'title: "Opening'))
    result = run_cli("check", root)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert [line for line in lines(result.stderr)  # type: ignore[attr-defined]
            if "error" in line or "warning" in line or "hint" in line] == [
        "essays/c-opening.md:2: error: the quoted value of 'title' is never closed [S103]",
        '    hint: end it with " on the same line',
        "1 error(s), 0 warning(s)"]
