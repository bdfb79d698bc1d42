"""Settling lays an essay out again from the first page a change can reach (resume.py): the
pages it keeps from the previous layout, and those it lays out anew, are the pages a whole
new layout makes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import fitz
import pytest

from helpers import FIXTURES, REPOSITORY
from qlabbook.build import load_collection
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset import layout
from qlabbook.typeset.document import render_part
from qlabbook.typeset.parts import essay_jobs
from qlabbook.typeset.settling import resume
from qlabbook.typeset.settling.settle import settle

pytestmark = pytest.mark.slow


def drawn(document: Any) -> list[list[tuple[float, float, str]]]:
    """Every word of every page as drawn in the written PDF, with its place: running
    heads, notes and captions included."""
    with fitz.open(stream=document.write_pdf(), filetype="pdf") as pdf:
        return [[(round(w[0], 1), round(w[1], 1), w[4]) for w in page.get_text("words")]
                for page in pdf]


@pytest.mark.parametrize("source", ["repository", "typesetting"])
def test_an_essay_settled_from_where_it_changed_is_the_essay_settled_anew(
        source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / source
    if source == "repository":  # an essay of nine A4 pages whose second figure moves
        shutil.copytree(REPOSITORY / "essays", root / "essays")
        shutil.copytree(REPOSITORY / "images", root / "images")
        shutil.copy(REPOSITORY / "qlabbook.toml", root)
    else:
        shutil.copytree(FIXTURES / "typesetting", root)
    kept: list[int] = []
    counted = resume.reusable_pages
    monkeypatch.setattr(resume, "reusable_pages",
                        lambda *args: kept.append(counted(*args)) or kept[-1])
    reused: list[int] = []  # pages whose running heads were taken, not made again
    keeping = resume.kept_margins

    def kept_margins(session: resume.Session, index: int) -> tuple[Any, ...] | None:
        found = keeping(session, index)
        if found is not None:
            reused.append(index)
        return found

    monkeypatch.setattr(resume, "kept_margins", kept_margins)
    collection = load_collection(root)
    for job in essay_jobs(collection, "screen"):
        resumed = layout.settled(job, Diagnostics())
        anew = settle(lambda moves, repairs, *_, job=job: render_part(job, repairs, moves),
                      render_part(job), collection, "screen", Diagnostics())
        assert drawn(resumed) == drawn(anew), job.part.name
    assert max(kept) >= (5 if source == "repository" else 1), kept
    assert len(reused) >= max(kept), (reused, kept)
