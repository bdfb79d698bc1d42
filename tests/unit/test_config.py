"""qlabbook.toml's schema: unknown tables and keys warned about at their line with the nearest
known spelling, every key init writes known, and README's key table the schema's own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, REPOSITORY, run_cli
from qlabbook.source.config import load_config, read_config
from qlabbook.source.config.schema import reference_table
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.layout import read_layout

COLLECTION = '[collection]\ntitle = "T"\n'


def problems(tmp_path: Path, text: str) -> list[str]:
    """Every diagnostic reading the file gives, first lines only."""
    (tmp_path / "qlabbook.toml").write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    load_config(tmp_path, diagnostics)
    read_layout(tmp_path, diagnostics)
    return [d.format().splitlines()[0] for d in diagnostics.items]


@pytest.mark.parametrize(("text", "expected"), [
    (COLLECTION + '\n[pdf]\n\npage-size = "A5"\n',
     "qlabbook.toml:6: warning: unknown key 'page-size' in [pdf]; did you mean 'page_size'? "
     "[C105]"),
    (COLLECTION + '[pdf]\nbleed = 5\n',
     "qlabbook.toml:4: warning: unknown key 'bleed' in [pdf]; did you mean 'bleed_mm'? [C105]"),
    (COLLECTION + 'autors = ["A"]\n',
     "qlabbook.toml:3: warning: unknown key 'autors' in [collection]; did you mean 'authors'? "
     "[C105]"),
    (COLLECTION + '[pfd]\npage_size = "A5"\n',
     "qlabbook.toml:3: warning: unknown table [pfd]; did you mean [pdf]? [C105]"),
    (COLLECTION + '[essay]\nfolder = "_posts"\n',
     "qlabbook.toml:3: warning: unknown table [essay]; did you mean [essays]? [C105]"),
    (COLLECTION + '[pdf]\nmood = "calm"\n',
     "qlabbook.toml:4: warning: unknown key 'mood' in [pdf]: it is ignored [C105]"),
    (COLLECTION + '[pdf.margins]\ninner = 20\n',
     "qlabbook.toml:3: warning: unknown key 'margins' in [pdf]: it is ignored [C105]"),
    ('pdf.pagesize = "A5"\n' + COLLECTION,
     "qlabbook.toml:1: warning: unknown key 'pagesize' in [pdf]; did you mean 'page_size'? "
     "[C105]"),
])
def test_a_misspelt_table_or_key_is_a_warning_at_its_line(tmp_path: Path, text: str,
                                                          expected: str) -> None:
    assert problems(tmp_path, text) == [expected]


def test_a_misspelt_key_is_ignored_and_its_default_kept(tmp_path: Path) -> None:
    (tmp_path / "qlabbook.toml").write_text(COLLECTION + '[pdf]\npage-size = "A5"\n')
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    assert config is not None and config[1].page_size == "A4"
    assert [d.hint for d in diagnostics.items] == [
        "[pdf] has the keys page_size, profiles, profile, bleed_mm, notes, cover"]


def test_a_wrong_value_is_an_error_at_its_line_in_its_own_table(tmp_path: Path) -> None:
    # `url` under another table, and blank lines before the key, do not move the line.
    text = COLLECTION + '[essays]\nsite = "https://e.org"\n\n[web]\n\n\nurl = "e.org"\n'
    assert problems(tmp_path, text) == [
        "qlabbook.toml:9: error: [web] url must be an http(s) address, not 'e.org' [C104]"]


def test_a_table_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path, 'pdf = "A5"\n' + COLLECTION) == [
        "qlabbook.toml:1: error: [pdf] must be a table [C104]"]


def test_every_key_read_is_in_the_schema_and_read_once(tmp_path: Path) -> None:
    (tmp_path / "qlabbook.toml").write_text(COLLECTION)
    config = read_config(tmp_path, Diagnostics())
    assert config is not None and config.line_of("collection", "title") == 2
    assert config.line_of("collection", "subtitle") is None


FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("adopted", [False, True], ids=["as-written", "after-init"])
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_no_fixture_has_an_unknown_key_as_written_or_after_init(tmp_path: Path, name: str,
                                                               adopted: bool) -> None:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("dist", ".qlabbook*"))
    if adopted:
        (root / "qlabbook.toml").unlink(missing_ok=True)
        assert run_cli("init", root, "--title", "T").exit_code == 0
    elif not (root / "qlabbook.toml").is_file():
        pytest.skip("init writes this fixture's qlabbook.toml")
    result = run_cli("check", root, "--format", "json")
    report = json.loads(result.stdout)
    assert [d for d in report["diagnostics"] if d["code"] == "C105"] == []


def test_readme_key_table_is_the_schema() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- qlabbook.toml keys, generated from the schema -->\n")
    end = readme.index("<!-- end of qlabbook.toml keys -->")
    written = readme[readme.index("\n", start) + 1:end]
    assert written == reference_table(), "paste schema.reference_table() into README"
