"""What the render caches are keyed by: files named inside the collection, so a moved
collection keeps its keys, and the version of every library qlabbook requires."""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

import pytest
from PIL import Image

from helpers import FIXTURES
from qlabbook.build import load_collection
from qlabbook.output.cache import edition_key
from qlabbook.output.editions import plan_editions
from qlabbook.source import fingerprint, renderkey
from qlabbook.source.model import DEFAULT_FORMATS
from qlabbook.source.renderkey import collection_name
from qlabbook.typeset.parts import essay_jobs, matter_jobs, sheet_jobs

# Libraries whose output lands in the files, some of them required only by a requirement.
PRINTING = {"weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "pyphen",
            "fonttools", "brotli", "zopfli", "pillow", "pikepdf", "ebooklib", "lxml",
            "markdown", "jinja2", "markupsafe", "pygments", "ziamath", "ziafont",
            "latex2mathml", "citeproc-py", "bibtexparser", "pylatexenc", "pyyaml"}


def styled_series(root: Path) -> Path:
    """The series with a stylesheet that loads an image from outside styles/."""
    shutil.copytree(FIXTURES / "series", root)
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text(
        'body { background: url("../images/texture.png") }\n', encoding="utf-8")
    Image.new("RGB", (4, 4), (1, 2, 3)).save(root / "images" / "texture.png")
    return root


def every_key(root: Path) -> dict[str, str]:
    """The key of every edition and of every part of both PDF profiles' books."""
    collection = load_collection(root)
    plan = plan_editions(collection, DEFAULT_FORMATS, collected=True,
                         essays=[e.number for e in collection.essays])
    found = {edition.path.as_posix(): edition_key(edition) for edition in plan}
    for profile in ("screen", "press"):
        jobs = [*essay_jobs(collection, profile), *matter_jobs(collection, profile, {}),
                *sheet_jobs(collection, profile, 70)]
        found |= {f"{profile} {job.part}": job.key() for job in jobs}
    return found


def test_a_moved_collection_keeps_every_key(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    here = styled_series(tmp_path / "here" / "series")
    before = every_key(here)
    moved = tmp_path / "somewhere" / "else" / "book"
    shutil.copytree(here, moved)
    assert every_key(moved) == before
    monkeypatch.chdir(moved.parent)
    assert every_key(Path("book")) == before  # a relative spelling of the same folder


def test_no_key_names_where_the_collection_is(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = styled_series(tmp_path / "series")
    fed: list[str] = []
    add = fingerprint.Hasher.add

    def recording(self: fingerprint.Hasher, label: str, data: str | bytes) -> None:
        fed.extend([label, data if isinstance(data, str) else ""])
        add(self, label, data)

    monkeypatch.setattr(fingerprint.Hasher, "add", recording)
    every_key(root)
    assert "resource images/texture.png" in fed
    assert not [text for text in fed if str(tmp_path) in text or
                str(tmp_path.resolve()) in text]


def test_a_collection_name_is_the_same_however_the_file_is_spelled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "series"
    (root / "images").mkdir(parents=True)
    (tmp_path / "link").symlink_to(root)
    monkeypatch.chdir(tmp_path)
    for folder in (root, tmp_path / "link", Path("series"), Path("link")):
        for spelling in (folder / "images" / "a.png", root / "images" / "a.png",
                         (tmp_path / "link" / "images" / "a.png").resolve()):
            assert collection_name(folder, spelling) == "images/a.png"
    with pytest.raises(ValueError):
        collection_name(root, tmp_path / "other" / "a.png")


def test_the_requirements_are_every_library_qlabbook_needs_and_no_extra() -> None:
    versions = dict(fingerprint.requirement_versions())
    assert {name for name, version in versions.items() if version != "absent"} >= PRINTING
    # The dev extra's tools do not make the files, and qlabbook's own version is hashed
    # with its files.
    assert not {"pytest", "mypy", "ruff", "pypdf", "qlabbook"} & set(versions)


def test_the_versions_and_requirements_are_those_importlib_reads() -> None:
    for name, version in fingerprint.requirement_versions():
        if version != "absent":
            assert version == metadata.version(name), name
            assert sorted(fingerprint.installed(name)[1]) == sorted(  # type: ignore[index]
                metadata.requires(name) or []), name


def test_which_requirements_are_wanted() -> None:
    wanted = fingerprint.wanted_requirements(
        ["fonttools[woff,Unicode]>=4", 'pytest<10; extra == "dev"',
         "Brotli; platform_python_implementation == 'CPython'",
         'zopfli>=0.1.4; extra == "woff"'], frozenset({"woff"}))
    assert wanted == [("fonttools", frozenset({"woff", "unicode"})), ("brotli", frozenset()),
                      ("zopfli", frozenset())]


@pytest.mark.parametrize("name", [name for name, _ in fingerprint.requirement_versions()])
def test_a_new_version_of_any_requirement_changes_the_tool_fingerprint(
        monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    first = fingerprint.tool_fingerprint()
    installed = fingerprint.installed

    def upgraded(wanted: str) -> tuple[str, list[str]] | None:
        found = installed(wanted)
        if wanted != name:
            return found
        return ("999.0", found[1]) if found is not None else ("999.0", [])

    monkeypatch.setattr(fingerprint, "installed", upgraded)
    versions = fingerprint.requirement_versions.__wrapped__()
    assert dict(versions)[name] == "999.0"
    monkeypatch.setattr(fingerprint, "requirement_versions", lambda: versions)
    assert fingerprint.tool_fingerprint.__wrapped__() != first


def test_a_new_version_of_a_requirement_changes_every_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = styled_series(tmp_path / "series")
    before = every_key(root)
    versions = {**dict(fingerprint.requirement_versions()), "pygments": "999.0"}
    monkeypatch.setattr(fingerprint, "requirement_versions",
                        lambda: tuple(sorted(versions.items())))
    monkeypatch.setattr(renderkey, "tool_fingerprint", fingerprint.tool_fingerprint.__wrapped__)
    after = every_key(root)
    assert [name for name in before if before[name] == after[name]] == []
