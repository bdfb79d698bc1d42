"""A build session (watch, serve): what it keeps between builds, and that it changes no byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, page_texts
from qlabbook.build import BuildRequest, Session, build
from qlabbook.typeset.join import OpenedParts


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture series, dated, so that a cold build of it gives the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    return root


@pytest.mark.slow
def still_open(joined: int) -> int:
    """How many of the `joined` sources a session keeps open after the join."""
    return joined + (-joined // OpenedParts.REOPENED)


def test_a_session_lays_out_only_the_edit_and_writes_a_cold_builds_bytes(
        root: Path, tmp_path: Path) -> None:
    essay = root / "essays" / "c-opening.md"
    session = Session()
    try:
        build(BuildRequest(root, formats=("pdf", "epub"), jobs=2), session=session)
        pool = session.pool
        first_parts = dict(session.parts.held)
        assert pool is not None and len(first_parts) == 5  # three essays, front, back
        # Every part was joined, and the blank page and folio sheet (the shared store's):
        # all of them stay open, less the most worn, opened afresh by the next join.
        assert len(session.opened.held) == still_open(len(first_parts) + 2)
        essay.write_text(essay.read_text().replace("## First steps",
                                                   "## First steps\n\nOne more line."))
        build(BuildRequest(root, formats=("pdf", "epub"), jobs=2), session=session)
        assert session.pool is pool  # the same warm workers
        kept = set(first_parts) & set(session.parts.held)
        # The edited essay's part is new and its old one let go; the others are the same
        # objects, read from memory, not from the cache folder.
        assert len(set(session.parts.held) - kept) == 1
        assert len(set(first_parts) - kept) == 1
        assert all(session.parts.held[key] is first_parts[key] for key in kept)
        assert len(session.opened.held) == still_open(len(session.parts.held) + 2)
        assert not session.opened.retired  # the joined book is freed once written
        # An edition found whole in the cache uses no part: nothing is let go.
        build(BuildRequest(root, formats=("pdf", "epub"), jobs=2), session=session)
        assert len(session.parts.held) == 5
        assert len(session.opened.held) == still_open(len(session.parts.held) + 2)
        warm = files(root / "dist")
    finally:
        session.close()
    assert session.pool is None
    cold = tmp_path / "cold"
    build(BuildRequest(root, cold, formats=("pdf", "epub"), jobs=1, cache=False))
    assert files(cold) == warm
    assert any("One more line." in text for text in page_texts(root / "dist" /
                                                            "fixture-series.pdf"))


@pytest.mark.slow
def test_a_provisional_web_build_shows_the_edit_then_the_build_after_it_is_a_cold_ones(
        root: Path, tmp_path: Path) -> None:
    essay = root / "essays" / "a-listening.md"
    page = root / "dist" / "web" / "a-listening" / "index.html"
    session = Session()
    try:
        assert not build(BuildRequest(root, formats=("web",), jobs=1),
                         session=session).provisional
        laid_out = dict(session.parts.held)
        assert len(session.bodies.held) == 3  # each essay's text, kept
        before = page.read_text()
        essay.write_text(essay.read_text().replace("## ", "A new first line.\n\n## ", 1))
        report = build(BuildRequest(root, formats=("web",), jobs=1, provisional=True),
                       session=session)
        assert report.provisional
        assert session.parts.held == laid_out  # nothing laid out
        shown = page.read_text()
        assert "A new first line." in shown and "A new first line." not in before
        assert shown.count('class="print-page"') == before.count('class="print-page"')
        assert not build(BuildRequest(root, formats=("web",), jobs=1),
                         session=session).provisional
        assert len(session.bodies.held) == 3  # the old text let go
        warm = files(root / "dist")
    finally:
        session.close()
    cold = tmp_path / "cold"
    build(BuildRequest(root, cold, formats=("web",), jobs=1, cache=False))
    assert files(cold) == warm
