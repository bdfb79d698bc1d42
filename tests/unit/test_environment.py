"""What a build sets in its process for the libraries it drives is set for a block only."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qlabbook.source.model import Collection, Metadata, Options
from qlabbook.source.timestamp import build_time, library_clock
from qlabbook.typeset.document import shipped_font_configuration


def test_the_shipped_font_setting_does_not_reach_later_processes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    fonts = shipped_font_configuration()
    assert fonts is not None
    assert "FONTCONFIG_FILE" not in os.environ
    # A process started now (a fork server, a build run from here) imports WeasyPrint
    # without the warning an empty font configuration gives.
    started = subprocess.run([sys.executable, "-W", "always", "-c",
                              "import weasyprint.text.fonts"],
                             capture_output=True, text=True, timeout=120, check=True)
    assert "No fonts configured" not in started.stderr


def test_the_setting_before_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FONTCONFIG_FILE", "/somewhere/fonts.conf")
    shipped_font_configuration()
    assert os.environ["FONTCONFIG_FILE"] == "/somewhere/fonts.conf"


def test_subset_fonts_are_dated_with_the_edition(monkeypatch: pytest.MonkeyPatch) -> None:
    """fontTools stamps the fonts it subsets (where HarfBuzz-Subset is missing) with the
    time it reads from SOURCE_DATE_EPOCH: within the block, the edition's date."""
    from fontTools.misc.timeTools import epoch_diff, timestampNow

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    collection = Collection(Path("."), Metadata(title="T", date=dt.date(2019, 5, 1)), Options())
    with library_clock(collection):
        stamped = timestampNow() + epoch_diff
    assert stamped == build_time(collection).timestamp()
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_a_layout_worker_collects_garbage_less_often_and_never_walks_its_libraries() -> None:
    # In a process of its own: the collector's settings are the whole process's.
    probe = ("import gc, qlabbook.build as b; import weasyprint; "
             "b.enter_build({}, '.'); print(gc.get_threshold()[0], gc.get_freeze_count())")
    started = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             timeout=120, check=True)
    threshold, frozen = map(int, started.stdout.split())
    assert threshold >= 10_000
    assert frozen > 50_000  # the objects of WeasyPrint and all it imports
