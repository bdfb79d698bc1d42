"""The collection watcher: events (watchfiles) and polling give the same paths."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qlabbook.source.watch import EventWatcher, PollingWatcher, Watcher

WATCHERS: dict[str, Callable[[Path, tuple[Path, ...]], Watcher]] = {
    "events": EventWatcher, "polling": PollingWatcher}


def collection(tmp_path: Path) -> Path:
    root = tmp_path / "c"
    (root / "essays").mkdir(parents=True)
    (root / "essays" / "01-a.md").write_text("one\n")
    (root / "dist").mkdir()
    (root / ".qlabbook-cache").mkdir()
    return root


def wait_within(watcher: Watcher, seconds: float) -> list[str]:
    found: list[list[str]] = []
    thread = threading.Thread(target=lambda: found.append(watcher.wait()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert found, f"no change reported within {seconds} s"
    return found[0]


@pytest.fixture(params=sorted(WATCHERS))
def watcher(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Watcher]:
    """Each kind of watcher on a new collection, started, closed after the test."""
    root = collection(tmp_path)
    started = WATCHERS[request.param](root, (root / "dist",))
    yield started
    started.close()


@pytest.fixture
def events(tmp_path: Path) -> Iterator[EventWatcher]:
    root = collection(tmp_path)
    started = EventWatcher(root, (root / "dist",))
    yield started
    started.close()


def test_a_save_is_reported_by_its_collection_path(watcher: Watcher, tmp_path: Path) -> None:
    root = tmp_path / "c"
    time.sleep(0.05)
    (root / "essays" / "01-a.md").write_text("one, edited\n")
    (root / "essays" / "02-b.md").write_text("two\n")
    assert wait_within(watcher, 5) == ["essays/01-a.md", "essays/02-b.md"]


def test_output_cache_hidden_and_swap_files_wake_nothing(watcher: Watcher,
                                                        tmp_path: Path) -> None:
    root = tmp_path / "c"
    time.sleep(0.05)
    (root / "dist" / "book.pdf").write_bytes(b"%PDF")
    (root / ".qlabbook-cache" / "x.json").write_text("{}")
    (root / "essays" / ".01-a.md.swp").write_text("swap")
    (root / "essays" / "01-a.md~").write_text("backup")
    time.sleep(0.8)  # longer than either watcher takes to notice
    (root / "images").mkdir()
    (root / "images" / "x.png").write_bytes(b"png")
    assert wait_within(watcher, 5) == ["images/x.png"]


def test_a_save_during_a_build_is_kept_for_the_next_wait(events: EventWatcher,
                                                         tmp_path: Path) -> None:
    (tmp_path / "c" / "essays" / "01-a.md").write_text("saved while nobody waits\n")
    time.sleep(0.5)  # the build that was running ends; then the watch waits
    assert wait_within(events, 2) == ["essays/01-a.md"]


def test_a_save_no_event_tells_of_is_found_by_looking(events: EventWatcher,
                                                      tmp_path: Path) -> None:
    events.stop.set()  # the notifier stops, as one whose events were lost
    events.thread.join(5)
    assert not events.thread.is_alive()
    (tmp_path / "c" / "essays" / "01-a.md").write_text("saved, and no event\n")
    assert wait_within(events, 3) == ["essays/01-a.md"]
