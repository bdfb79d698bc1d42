"""The render cache: an edition's bytes, stored under a key made of everything its render reads."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import zlib
from dataclasses import replace
from importlib import metadata as distributions
from pathlib import Path
from urllib.parse import unquote, urlsplit

import qlabbook
from qlabbook import __version__
from qlabbook.output.editions import Edition
from qlabbook.output.files import write_atomically
from qlabbook.source.diagnostics import Diagnostic
from qlabbook.source.stylesheets import stylesheet_urls
from qlabbook.source.timestamp import build_time

CACHE_FOLDER = ".qlabbook-cache"
PACKAGE = Path(qlabbook.__file__).parent
KEEP = 3  # newest entries kept per edition: enough to switch back and forth between options
# The libraries whose output ends up in the files; a new version may change the bytes.
RENDERERS = ("weasyprint", "pydyf", "fonttools", "tinycss2", "ebooklib", "lxml", "pillow",
             "markdown", "jinja2", "tinyhtml5")


class Hasher:
    """sha256 over labelled fields, each length-prefixed, so no two inputs run together."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def add(self, label: str, data: str | bytes) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.sha.update(label.encode("utf-8") + b"\0" + len(raw).to_bytes(8, "big") + raw)

    def add_file(self, label: str, path: Path) -> None:
        self.add(label, path.read_bytes() if path.is_file() else b"<missing>")

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def package_files() -> list[Path]:
    """Every file of the installed qlabbook package, every stage's code and the assets."""
    return sorted(path for path in PACKAGE.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


@functools.cache
def tool_fingerprint() -> str:
    """qlabbook's version, every file of the installed package (code, templates, styles,
    fonts), Python's, zlib's and the renderers' versions: a change to any of them may change
    the output."""
    hasher = Hasher()
    hasher.add("version", __version__)
    for path in package_files():
        hasher.add_file(path.relative_to(PACKAGE).as_posix(), path)
    # Compressed streams in both formats depend on zlib; anything else on the interpreter.
    hasher.add("python", sys.version)
    hasher.add("zlib", zlib.ZLIB_RUNTIME_VERSION)
    for name in RENDERERS:
        try:
            hasher.add(name, distributions.version(name))
        except distributions.PackageNotFoundError:
            hasher.add(name, "absent")
    return hasher.hexdigest()


def edition_key(edition: Edition) -> str:
    """Everything the render of this edition reads: its essays' files and what they
    became, the images they show, the collection's styles and templates and the files the
    stylesheets load, the options, the timestamp the files carry (SOURCE_DATE_EPOCH) and
    the tool itself."""
    collection = edition.collection
    root = collection.root
    hasher = Hasher()
    hasher.add("tool", tool_fingerprint())
    hasher.add("format", edition.format)
    hasher.add("profile", edition.profile)
    hasher.add("time", build_time(collection).isoformat())
    hasher.add("metadata", repr(collection.metadata))
    # Whether per-essay editions or other formats are wanted does not change how any one
    # edition renders.
    hasher.add("options", repr(replace(collection.options, essays=False, formats=())))
    for essay in collection.essays:
        hasher.add_file(essay.source.path.as_posix(), root / essay.source.path)
        hasher.add("essay", repr(essay))
    for src in collection.images:
        hasher.add_file("image " + src, root / src)
    if collection.options.cover:  # [pdf] cover: the screen PDF's first page, the EPUB's cover
        hasher.add_file("cover " + collection.options.cover, root / collection.options.cover)
    for folder in ("styles", "templates"):
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            if path.is_file():
                hasher.add_file(path.relative_to(root).as_posix(), path)
    for path in stylesheet_resources(root):
        hasher.add_file("resource " + path.relative_to(root.resolve()).as_posix(), path)
    return hasher.hexdigest()


def stylesheet_resources(root: Path) -> list[Path]:
    """Files outside styles/ that the collection's stylesheets load, found as the renderer
    finds them: url() and @import read as CSS, escapes decoded, comments skipped."""
    styles = root / "styles"
    real_root, real_styles = root.resolve(), styles.resolve()
    found: set[Path] = set()
    for sheet in sorted(styles.rglob("*.css")) if styles.is_dir() else []:
        text = sheet.read_text(encoding="utf-8", errors="replace")
        for _, url in stylesheet_urls(text):
            parts = urlsplit(url)
            if parts.scheme or not parts.path:
                continue  # data: and other schemes are in the stylesheet's own bytes
            path = (sheet.parent / unquote(parts.path)).resolve()
            if path.is_relative_to(real_root) and not path.is_relative_to(real_styles):
                found.add(path)
    return sorted(found)


class RenderCache:
    """Files under <collection>/.qlabbook-cache/<edition>/<key>.<format>, with the render's
    warnings and the data's sha256 beside them. An unreadable or damaged entry is a miss,
    and a cache that cannot be written is skipped: it only ever saves time."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

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
