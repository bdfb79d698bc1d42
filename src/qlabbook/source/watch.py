"""Watch a collection for saved files by polling: portable, and no dependency to install."""

from __future__ import annotations

import os
import time
from pathlib import Path

State = dict[str, tuple[int, int]]  # collection-relative path -> (mtime_ns, size)
# Editors' swap and backup files, and folders no source lives in (hidden ones, such as the
# render cache, are skipped too).
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".pyc")
IGNORED_FOLDERS = {"__pycache__", "node_modules", "dist"}


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
