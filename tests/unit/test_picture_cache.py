"""The web edition's pictures, kept between builds: never resampled twice, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES
from qlabbook.build import BuildRequest, build, load_collection
from qlabbook.output.cache import PictureCache
from qlabbook.web import images


def series(tmp_path: Path) -> Path:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    return root


def test_kept_pictures_are_the_ones_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = series(tmp_path)
    collection = load_collection(root)
    store = PictureCache(tmp_path / "pictures")
    made = images.make_pictures(collection, store)
    assert made and all(p.variants for p in made.values())

    def refuse(root: Path, src: str) -> images.Picture:
        raise AssertionError(f"{src} resampled again")

    monkeypatch.setattr(images, "make_picture", refuse)
    assert images.make_pictures(collection, store) == made
    # A damaged variant is a miss: made again, not served.
    damaged = next((tmp_path / "pictures").glob("*-0.bin"))
    damaged.write_bytes(b"not the picture")
    monkeypatch.undo()
    assert images.make_pictures(collection, store) == made
    # A changed image is another key.
    src = next(iter(made))
    (root / src).write_bytes((root / src).read_bytes() + b"\0")
    assert images.picture_key(root, src) != images.picture_key(series(tmp_path / "b"), src)


def test_a_web_rebuild_resamples_nothing(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = series(tmp_path)
    build(BuildRequest(root, formats=("web",), jobs=1))
    first = {p: p.read_bytes() for p in sorted((root / "dist" / "web").rglob("*"))
             if p.is_file()}
    essay = root / "essays" / "a-listening.md"
    essay.write_text(essay.read_text() + "\nOne more paragraph.\n")

    def refuse(root: Path, src: str) -> images.Picture:
        raise AssertionError(f"{src} resampled again")

    monkeypatch.setattr(images, "make_picture", refuse)
    build(BuildRequest(root, formats=("web",), jobs=1))
    second = {p: p.read_bytes() for p in sorted((root / "dist" / "web").rglob("*"))
              if p.is_file()}
    assert sorted(first) == sorted(second)
    pictures = [p for p in first if p.suffix == ".png"]
    assert pictures and all(first[p] == second[p] for p in pictures)
