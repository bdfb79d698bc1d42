"""Watch a collection for saved files: woken by the file system's events (watchfiles), or
by polling where the system gives none (or too few watches): same paths, same answers."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

State = dict[str, tuple[int, int]]  # collection-relative path -> (mtime_ns, size)
# Editors' swap and backup files, and folders no source lives in (hidden ones, such as the
# render cache, are skipped too).
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".pyc")
IGNORED_FOLDERS = {"__pycache__", "node_modules", "dist"}
# After the first event, how long the folder must stay still before a build starts: an
# editor's save can be several writes, and a build of a half-written file is wasted.
QUIET_MS = 50
CHECK_SECONDS = 1.0


class Watcher(Protocol):
    """Started before the first build, so that a save during it is not missed."""

    def wait(self) -> list[str]: ...  # the paths changed since the last wait, sorted
    def close(self) -> None: ...


def watched(root: Path, relative: str, skip: set[Path]) -> bool:
    """Whether a collection-relative path is a source file worth a build."""
    parts = relative.split("/")
    if any(part.startswith(".") or part in IGNORED_FOLDERS for part in parts):
        return False
    if parts[-1].endswith(IGNORED_SUFFIXES):
        return False
    return not any(parent in skip for parent in (root / relative).resolve().parents)


def snapshot(root: Path, ignore: tuple[Path, ...] = ()) -> State:
    """Every source file under the collection with its modification time and size; hidden
    files and folders, the output folder and the cache are left out."""
    state: State = {}
    skip = {p.resolve() for p in ignore}
    for folder, folders, names in os.walk(root):
        here = Path(folder)
        folders[:] = sorted(f for f in folders if not f.startswith(".")
                            and f not in IGNORED_FOLDERS and (here / f).resolve() not in skip)
        for name in names:
            if name.startswith(".") or name.endswith(IGNORED_SUFFIXES):
                continue
            path = here / name
            try:
                info = path.stat()
            except OSError:  # removed while we looked
                continue
            state[path.relative_to(root).as_posix()] = (info.st_mtime_ns, info.st_size)
    return state


def changes(before: State, after: State) -> list[str]:
    """Paths added, removed or modified, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def wait_for_change(root: Path, before: State, ignore: tuple[Path, ...] = (),
                    interval: float = 0.3, settle: float = 0.2) -> tuple[State, list[str]]:
    """Block until a file changes, then until the folder has been still for `settle`
    seconds (an editor's save can be several writes)."""
    while True:
        time.sleep(interval)
        after = snapshot(root, ignore)
        if changes(before, after):
            break
    while True:
        time.sleep(settle)
        settled = snapshot(root, ignore)
        if settled == after:
            return settled, changes(before, settled)
        after = settled


class PollingWatcher:
    """Compares snapshots of the folder every 0.3 s."""

    def __init__(self, root: Path, ignore: tuple[Path, ...] = ()) -> None:
        self.root, self.ignore = root, ignore
        self.state = snapshot(root, ignore)

    def wait(self) -> list[str]:
        self.state, changed = wait_for_change(self.root, self.state, self.ignore)
        return changed

    def close(self) -> None:
        pass


class EventWatcher:
    """watchfiles' notifier on a thread of its own, from the moment it is made: the events
    that arrive while a build runs are kept for the next wait. A kernel's queue of events
    can overflow and a notifier can stop: when none has come for CHECK_SECONDS, the folder
    is compared with its last snapshot, so that no save waits longer than that."""

    def __init__(self, root: Path, ignore: tuple[Path, ...] = ()) -> None:
        import watchfiles

        self.root, self.ignore = root, ignore
        self.resolved = root.resolve()
        self.skip = {p.resolve() for p in ignore}
        self.state = snapshot(root, ignore)  # for the look every CHECK_SECONDS
        self.stop = threading.Event()
        self.events: queue.Queue[set[str] | BaseException] = queue.Queue()
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            try:
                changes = watchfiles.watch(root, watch_filter=None, debounce=1600,
                                           step=QUIET_MS, stop_event=self.stop,
                                           raise_interrupt=False, yield_on_timeout=True,
                                           rust_timeout=500)
                first = True
                for found in changes:
                    if first:  # the notifier is running: nothing from here on is missed
                        first = False
                        ready.set()
                    if found:
                        self.events.put({path for _, path in found})
            except BaseException as error:  # handed to the waiting thread
                failed.append(error)
                self.events.put(error)
            finally:
                ready.set()

        self.thread = threading.Thread(target=run, name="qlabbook-watch", daemon=True)
        self.thread.start()
        ready.wait()
        if failed:
            raise OSError(f"cannot watch {root}: {failed[0]}") from failed[0]

    def relative(self, paths: Iterable[str]) -> list[str]:
        found = set()
        for path in paths:
            try:
                relative = Path(path).resolve().relative_to(self.resolved).as_posix()
            except ValueError:
                continue
            # Folders are not sources (a new one comes with events for its files).
            if watched(self.resolved, relative, self.skip) and not Path(path).is_dir():
                found.add(relative)
        return sorted(found)

    def wait(self) -> list[str]:
        while True:
            try:
                event = self.events.get(timeout=CHECK_SECONDS)
            except queue.Empty:  # events can be lost: the folder itself says what changed
                changed = self.checked()
                if changed:
                    return changed
                continue
            if isinstance(event, BaseException):
                raise OSError(f"stopped watching {self.root}: {event}") from event
            paths = set(event)
            while not self.events.empty():  # what arrived meanwhile belongs to this build
                more = self.events.get_nowait()
                if isinstance(more, BaseException):
                    self.events.put(more)
                    break
                paths |= more
            changed = self.relative(paths)
            if changed:
                self.state = snapshot(self.root, self.ignore)
                return changed

    def checked(self) -> list[str]:
        """What changed since the last look that no event told of, once the folder has
        been still for a moment (an editor's save can be several writes)."""
        after = snapshot(self.root, self.ignore)
        if not changes(self.state, after):
            return []
        self.state, changed = wait_for_change(self.root, self.state, self.ignore, interval=0)
        return changed

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)


def watch_collection(root: Path, ignore: tuple[Path, ...] = ()) -> Watcher:
    """File-system events where the system gives them, else polling."""
    if os.environ.get("QLABBOOK_WATCH_POLLING"):
        return PollingWatcher(root, ignore)
    try:
        return EventWatcher(root, ignore)
    except (ImportError, OSError, RuntimeError):
        return PollingWatcher(root, ignore)
