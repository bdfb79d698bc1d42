"""The render cache: an edition's bytes, stored under a key made of everything its render reads."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from qlabbook.output.editions import Edition
from qlabbook.output.files import write_atomically
from qlabbook.source.diagnostics import Diagnostic
from qlabbook.source.fingerprint import Hasher, tool_fingerprint
from qlabbook.source.model import Collection
from qlabbook.source.renderkey import RenderKey
from qlabbook.typeset.parts import LaidOutPart
from qlabbook.web.images import Picture, Variant

CACHE_FOLDER = ".qlabbook-cache"
KEEP = 3  # newest entries kept per edition: enough to switch back and forth between options
PART_ENTRIES = 400  # laid-out parts kept at least, the most recently used
RECORD_ENTRIES = 1000  # converted essays kept, the most recently used
COVER_ENTRIES = 200  # drawn covers kept (one per edition: the book's, each essay's)
PICTURE_ENTRIES = 2000  # the web edition's pictures kept, the most recently used


def shared_cache_folder() -> Path | None:
    """Where what no collection owns is kept between builds of any collection (the blank
    page and folio sheets, covers drawn from the metadata): $QLABBOOK_CACHE_HOME, else the
    user's cache folder ($XDG_CACHE_HOME or ~/.cache, then qlabbook/); None where there is
    no home folder."""
    chosen = os.environ.get("QLABBOOK_CACHE_HOME", "").strip()
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / "qlabbook"
    try:
        return Path.home() / ".cache" / "qlabbook"
    except RuntimeError:  # no home folder to be found
        return None


def furniture_cache() -> PartCache:
    """The blank page and folio sheets, shared by every collection (PartJob.furniture_key):
    a build, even with --no-cache, draws each at most once per look and timestamp."""
    shared = shared_cache_folder()
    return PartCache(shared / "furniture" if shared is not None else None)


def edition_key(edition: Edition) -> str:
    """Everything the render of this edition reads: its essays' files and what they
    became, the images they show, the collection's styles and templates and the files the
    stylesheets load, the options, the timestamp the files carry (SOURCE_DATE_EPOCH) and
    the tool itself."""
    collection = edition.collection
    key = RenderKey(collection, edition.profile)
    key.add("format", edition.format)
    key.add("metadata", repr(collection.metadata))
    # Whether per-essay editions or other formats are wanted does not change how any one
    # edition renders.
    key.add("options", repr(replace(collection.options, essays=False, formats=())))
    for essay in collection.essays:
        key.add_collection_file("essay", essay.source.path)
        key.add("essay", repr(essay))
    key.add_images(collection.images)
    if collection.options.cover:  # [pdf] cover: the screen PDF's first page, the EPUB's cover
        key.add_collection_file("cover", collection.options.cover)
    key.add_styles()
    return key.hexdigest()


class RenderCache:
    """Files under <collection>/.qlabbook-cache/<edition>/<key>.<format>, with the render's
    warnings and the data's sha256 beside them. An unreadable or damaged entry is a miss,
    and a cache that cannot be written is skipped: it only ever saves time."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.parts = PartCache(folder / "parts" if folder is not None else None)
        # Underscored: no edition is named so (edition folders are slugs).
        shared = shared_cache_folder()
        self.covers = CoverCache(folder / "_covers" if folder is not None else None,
                                 shared / "covers" if shared is not None else None)
        self.pictures = PictureCache(folder / "_pictures" if folder is not None else None)

    def _paths(self, edition: Edition, key: str) -> tuple[Path, Path]:
        assert self.folder is not None
        where = self.folder / edition.path.with_suffix("").as_posix().replace("/", "--")
        return where / f"{key}.{edition.format}", where / f"{key}.json"

    def get(self, edition: Edition, key: str) -> tuple[bytes, list[Diagnostic]] | None:
        if self.folder is None:
            return None
        data_path, info_path = self._paths(edition, key)
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            data = data_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return None
        os.utime(info_path)  # newest first when pruning
        try:
            warnings = [Diagnostic.from_record(w) for w in info.get("warnings", [])]
        except (KeyError, ValueError, TypeError):
            return None
        return data, warnings

    def put(self, edition: Edition, key: str, data: bytes, warnings: list[Diagnostic]) -> None:
        if self.folder is None:
            return

        data_path, info_path = self._paths(edition, key)
        info = {"edition": edition.path.as_posix(), "sha256": hashlib.sha256(data).hexdigest(),
                "warnings": [w.as_record() for w in warnings]}
        try:
            data_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(data_path, data)
            # The record goes last: an entry without it is never read.
            write_atomically(info_path, json.dumps(info, indent=1).encode("utf-8"))
            self._prune(info_path.parent)
        except OSError:
            pass

    def _prune(self, folder: Path) -> None:
        records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for record in records[KEEP:]:
            for path in folder.glob(record.stem + ".*"):
                path.unlink(missing_ok=True)


class PartCache:
    """Laid-out parts of books (typeset.book.PartStore): <key>.pdf with <key>.json beside
    it, the record last. A damaged entry is a miss; a cache that cannot be written is
    skipped. After each build the least recently used entries beyond what it used, and
    beyond PART_ENTRIES, are removed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def get(self, key: str) -> LaidOutPart | None:
        if self.folder is None:
            return None
        data_path, info_path = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            data = data_path.read_bytes()
            if hashlib.sha256(data).hexdigest() != info.get("sha256"):
                return None
            part = LaidOutPart.from_record(data, info)
            os.utime(info_path)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        return part

    def put(self, key: str, part: LaidOutPart) -> None:
        if self.folder is None:
            return
        record = {"sha256": hashlib.sha256(part.pdf).hexdigest(), **part.record()}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / f"{key}.pdf", part.pdf)
            write_atomically(self.folder / f"{key}.json", json.dumps(record).encode("utf-8"))
        except OSError:
            return
        self.used.add(key)

    def keep(self, key: str) -> None:
        """The entry was used (from memory): not to be pruned."""
        self.used.add(key)

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        try:
            records = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns,
                             reverse=True)
            for record in records[max(PART_ENTRIES, 2 * len(self.used)):]:
                if record.stem not in self.used:
                    record.unlink(missing_ok=True)
                    record.with_suffix(".pdf").unlink(missing_ok=True)
        except OSError:
            pass


class RecordCache:
    """JSON records (markdown.remembered.RecordStore), <key>.json, the oldest beyond
    RECORD_ENTRIES removed as new ones are written. A damaged record is a miss; a cache
    that cannot be written is skipped."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written = 0

    def get(self, key: str) -> dict[str, object] | None:
        path = self.folder / f"{key}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            os.utime(path)
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def keep(self, key: str) -> None:
        pass  # records are pruned by age of writing only

    def put(self, key: str, record: dict[str, object]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / f"{key}.json", json.dumps(record).encode("utf-8"))
            self.written += 1
            if self.written == 1:  # once a build, when it first writes
                records = sorted(self.folder.glob("*.json"),
                                 key=lambda p: p.stat().st_mtime_ns, reverse=True)
                for old in records[RECORD_ENTRIES:]:
                    old.unlink(missing_ok=True)
        except OSError:
            pass


class PictureCache:
    """The web edition's pictures (web.images.PictureStore): each variant's bytes in
    <key>-<n>.bin, and <key>.json, written last, naming them with their sha256. A damaged
    entry is a miss; a cache that cannot be written is skipped. The pictures not used for
    PICTURE_ENTRIES builds' worth of writing are removed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.written = 0

    def get(self, key: str) -> Picture | None:
        if self.folder is None:
            return None
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            variants = []
            for index, entry in enumerate(record["variants"]):
                data = (self.folder / f"{key}-{index}.bin").read_bytes()
                if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    return None
                variants.append(Variant(str(entry["path"]), int(entry["width"]), data))
            os.utime(self.folder / f"{key}.json")
            return Picture(str(record["src"]), int(record["width"]), int(record["height"]),
                           tuple(variants))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, picture: Picture) -> None:
        if self.folder is None:
            return
        record = {"src": picture.src, "width": picture.width, "height": picture.height,
                  "variants": [{"path": v.path, "width": v.width,
                                "sha256": hashlib.sha256(v.data).hexdigest()}
                               for v in picture.variants]}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for index, variant in enumerate(picture.variants):
                write_atomically(self.folder / f"{key}-{index}.bin", variant.data)
            write_atomically(self.folder / f"{key}.json", json.dumps(record).encode("utf-8"))
            self.written += 1
            if self.written == 1:  # once a build, when it first writes
                self.prune()
        except OSError:
            pass

    def keep(self, key: str) -> None:
        pass  # pruned by age of use, which a read from memory does not change

    def prune(self) -> None:
        assert self.folder is not None
        records = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns,
                         reverse=True)
        for old in records[PICTURE_ENTRIES:]:
            for path in self.folder.glob(f"{old.stem}*"):
                path.unlink(missing_ok=True)


class CoverCache:
    """The EPUB covers drawn from the metadata (or made from a supplied picture), <key>.jpg
    by what the drawing reads. Drawing one (its fonts loaded, their coverage read) costs
    more than the rest of an EPUB whose essays are cached. A cover drawn from the metadata
    reads nothing of its collection, so it is kept in `shared` (the folder every
    collection shares, even with --no-cache), a supplied one in the collection's `folder`.
    A damaged entry is a miss (the JPEG's own markers are checked); a cache that cannot be
    written is skipped."""

    def __init__(self, folder: Path | None, shared: Path | None = None) -> None:
        self.folder = folder
        self.shared = shared

    def cover(self, collection: Collection) -> bytes:
        from qlabbook.epub.cover import cover_jpeg

        folder = self.folder if collection.options.cover else self.shared or self.folder
        if folder is None:
            return cover_jpeg(collection)
        hasher = Hasher()
        hasher.add("tool", tool_fingerprint())
        hasher.add("metadata", repr(collection.metadata))
        supplied = collection.options.cover
        hasher.add("cover", supplied or "")
        if supplied:
            hasher.add_file("cover " + supplied, collection.root / supplied)
        path = folder / f"{hasher.hexdigest()}.jpg"
        try:
            data = path.read_bytes()
            if data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9"):
                os.utime(path)
                return data
        except OSError:
            pass
        data = cover_jpeg(collection)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data)
            drawn = sorted(folder.glob("*.jpg"), key=lambda p: p.stat().st_mtime_ns,
                           reverse=True)
            for old in drawn[COVER_ENTRIES:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass
        return data


Entry = TypeVar("Entry")


class Store(Protocol[Entry]):
    def get(self, key: str) -> Entry | None: ...
    def put(self, key: str, entry: Entry) -> None: ...
    def keep(self, key: str) -> None: ...


class Remembered(Generic[Entry]):
    """A store in front of a cache folder's, holding in this process what builds got from it
    or put in it, so that a `watch` reads nothing back from the disk. After each build what
    it did not use is let go: memory stays flat however long the watch."""

    def __init__(self) -> None:
        self.held: dict[str, Any] = {}
        self.used: set[str] = set()
        self.behind: Store[Entry] | None = None

    def over(self, behind: Store[Entry]) -> Remembered[Entry]:
        """This memory in front of `behind` (a new build's cache folder object)."""
        self.behind = behind
        return self

    def get(self, key: str) -> Entry | None:
        assert self.behind is not None
        if key in self.held:
            self.used.add(key)
            self.behind.keep(key)
            entry: Entry = self.held[key]
            return entry
        found = self.behind.get(key)
        if found is not None:
            self.held[key] = found
            self.used.add(key)
        return found

    def put(self, key: str, entry: Entry) -> None:
        assert self.behind is not None
        self.behind.put(key, entry)
        self.held[key] = entry
        self.used.add(key)

    def keep(self, key: str) -> None:
        self.used.add(key)

    def let_go(self) -> None:
        """Forget what the build that just ended did not use, if it used the store at all
        (one whose editions were all cached did not)."""
        if not self.used:
            return
        self.held = {key: entry for key, entry in self.held.items() if key in self.used}
        self.used = set()
