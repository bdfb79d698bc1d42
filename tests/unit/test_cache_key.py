"""The render cache's key: every file an edition reads is in it, and nothing else is."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers import COLLECTED, ESSAY, EVERY, FIXTURES
from qlabbook.assets import ASSETS
from qlabbook.build import load_collection
from qlabbook.output.cache import edition_key
from qlabbook.output.editions import Edition, plan_editions
from qlabbook.source.model import DEFAULT_FORMATS

# A stylesheet naming its image with a CSS escape ("\61 " is "a"), as the renderer reads it.
ESCAPED_URL_CSS = 'body { background: url("../images/b\\61 ck.png") }\n'
# Each file of the collection and the editions that read it.
READERS = {
    "essays/a-listening.md": COLLECTED + ESSAY[3],
    "essays/b-ten.md": COLLECTED + ESSAY[10],
    "essays/c-opening.md": COLLECTED + ESSAY[2],
    "images/card.png": COLLECTED + ESSAY[10],
    "images/back.png": EVERY,
    "styles/print.css": EVERY,
    "templates/essay.xhtml": EVERY,
}
UNREAD = ["images/unused.png", "notes.txt", "dist/fixture-series.pdf",
          ".qlabbook-cache/old.json"]


def make_collection(root: Path) -> Path:
    shutil.copytree(FIXTURES / "series", root)
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text(ESCAPED_URL_CSS, encoding="utf-8")
    (root / "templates").mkdir()
    shutil.copy(ASSETS / "templates" / "essay.xhtml", root / "templates" / "essay.xhtml")
    Image.new("RGB", (4, 4), (1, 2, 3)).save(root / "images" / "back.png")
    Image.new("RGB", (4, 4), (9, 9, 9)).save(root / "images" / "unused.png")
    (root / "notes.txt").write_text("An editor's notes, not part of the book.\n")
    for name in ("dist/fixture-series.pdf", ".qlabbook-cache/old.json"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"an earlier build's file")
    return root


def plan(root: Path) -> list[Edition]:
    collection = load_collection(root)
    return plan_editions(collection, DEFAULT_FORMATS, collected=True,
                         essays=[e.number for e in collection.essays])


def keys(editions: list[Edition]) -> dict[str, str]:
    return {edition.path.as_posix(): edition_key(edition) for edition in editions}


MARKUP = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|<[^>]*>|`[^`]*`")


def prose_letters(essay: bytes) -> list[int]:
    """Where a letter can change and the essay still loads: in the body's text, outside
    headings (links name them by their text) and outside link targets, note labels,
    attributes, tags and code."""
    body_start = essay.index(b"\n---\n") + 5
    found, offset = [], body_start
    for line in essay[body_start:].decode("utf-8").split("\n"):
        encoded = line.encode("utf-8")
        if not line.startswith("#") and line.isascii():
            hidden = {i for m in MARKUP.finditer(line) for i in range(m.start(), m.end())}
            found += [offset + i for i, char in enumerate(line)
                      if char.isalpha() and i not in hidden]
        offset += len(encoded) + 1
    return found


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[Path, list[Edition], dict[str, str]]]:
    """The collection, its editions and their keys; each example puts back what it changed."""
    root = make_collection(tmp_path_factory.mktemp("key") / "series")
    editions = plan(root)
    yield root, editions, keys(editions)


def test_an_escaped_url_in_a_stylesheet_is_the_file_it_names(tmp_path: Path) -> None:
    """The image a stylesheet loads through a CSS escape is part of the key: after it
    changes, the cache cannot serve the old PDF."""
    root = make_collection(tmp_path / "series")
    editions = plan(root)
    before = keys(editions)
    Image.new("RGB", (4, 4), (3, 2, 1)).save(root / "images" / "back.png")
    after = keys(editions)
    assert sorted(p for p in before if before[p] != after[p]) == sorted(EVERY)


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(READERS) + UNREAD), position=st.floats(0, 1),
       flip=st.integers(1, 255))
def test_a_changed_byte_changes_the_key_of_every_edition_reading_it_and_no_other(
        collection: tuple[Path, list[Edition], dict[str, str]], name: str, position: float,
        flip: int) -> None:
    root, editions, before = collection
    path = root / name
    original = path.read_bytes()
    changed = bytearray(original)
    if name.endswith(".md"):
        letters = prose_letters(original)
        index = letters[min(int(position * len(letters)), len(letters) - 1)]
        changed[index] = ord("q") if original[index] != ord("q") else ord("z")
    else:
        index = min(int(position * len(original)), len(original) - 1)
        changed[index] ^= flip
    path.write_bytes(bytes(changed))
    try:
        # Essays are read when the collection loads; every other file when the key is made.
        after = keys(plan(root) if name.endswith(".md") else editions)
    finally:
        path.write_bytes(original)
    assert sorted(p for p in before if before[p] != after[p]) == sorted(READERS.get(name, []))


def test_a_drawn_cover_is_kept_between_builds_and_drawn_anew_when_the_title_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from qlabbook.build import load_collection
    from qlabbook.epub import cover as covers
    from qlabbook.output.cache import CoverCache

    collection = load_collection(FIXTURES / "series")
    drawn: list[str] = []
    draw = covers.cover_jpeg
    monkeypatch.setattr(covers, "cover_jpeg",
                        lambda c: drawn.append(c.metadata.title) or draw(c))
    cache = CoverCache(tmp_path / "covers")
    first = cache.cover(collection)
    with Image.open(io.BytesIO(first)) as image:
        assert image.format == "JPEG" and image.size == (covers.WIDTH, covers.HEIGHT)
    assert cache.cover(collection) == first and len(drawn) == 1
    renamed = replace(collection, metadata=replace(collection.metadata, title="Another title"))
    assert cache.cover(renamed) != first and drawn == [collection.metadata.title,
                                                       "Another title"]
    [kept] = [p for p in (tmp_path / "covers").glob("*.jpg")
              if p.read_bytes() == first]
    kept.write_bytes(first[:1000])  # a damaged entry is drawn again
    assert cache.cover(collection) == first and len(drawn) == 3
    assert CoverCache(None).cover(collection) == first and len(drawn) == 4


def test_a_drawn_cover_is_shared_by_every_collection_and_a_supplied_one_is_the_collections(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from qlabbook.build import load_collection
    from qlabbook.epub import cover as covers
    from qlabbook.output.cache import CoverCache

    collection = load_collection(FIXTURES / "series")
    drawn: list[str] = []
    draw = covers.cover_jpeg
    monkeypatch.setattr(covers, "cover_jpeg", lambda c: drawn.append(c.metadata.title) or draw(c))
    own, shared = tmp_path / "own", tmp_path / "shared"
    first = CoverCache(own, shared).cover(collection)
    # Another collection's cache (or none: --no-cache) with the same metadata draws nothing.
    assert CoverCache(None, shared).cover(collection) == first and len(drawn) == 1
    assert len(list(shared.glob("*.jpg"))) == 1 and not own.exists()
    image = FIXTURES / "series" / "images"
    picture = next(p for p in image.iterdir() if p.suffix in (".jpg", ".png"))
    supplied = replace(collection, options=replace(
        collection.options, cover=picture.relative_to(FIXTURES / "series").as_posix()))
    CoverCache(own, shared).cover(supplied)
    assert len(list(own.glob("*.jpg"))) == 1 and len(list(shared.glob("*.jpg"))) == 1


def test_a_large_file_is_read_once_while_it_is_unchanged(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from qlabbook.source import fingerprint

    picture = tmp_path / "photo.jpg"
    picture.write_bytes(b"\xff" * fingerprint.REMEMBERED_SIZE)

    def key() -> str:
        hasher = fingerprint.Hasher()
        hasher.add_file("image", picture)
        return hasher.hexdigest()

    first = key()
    reads: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or original(self))
    assert key() == first and reads == []
    picture.write_bytes(b"\xfe" * fingerprint.REMEMBERED_SIZE)  # same size, newer
    os.utime(picture, ns=(picture.stat().st_atime_ns, picture.stat().st_mtime_ns + 1000))
    assert key() != first and reads == [picture]
