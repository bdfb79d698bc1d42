"""The key of a render: what it reads from a collection, with every file named inside it."""

from __future__ import annotations

from pathlib import Path

from qlabbook.source.fingerprint import Hasher, tool_fingerprint
from qlabbook.source.model import Collection
from qlabbook.source.stylesheets import stylesheet_resources
from qlabbook.source.timestamp import build_time


def collection_name(root: Path, path: Path) -> str:
    """The collection-relative name of a file found on disk, however it or the root is
    spelled (relative, absolute, through a symbolic link): nothing printed depends on where
    the collection is, so a key naming that would be lost when the collection moves."""
    for base, full in ((root, path), (root.absolute(), path.absolute()),
                       (root.resolve(), path.absolute())):
        if full.is_relative_to(base):
            return full.relative_to(base).as_posix()
    raise ValueError(f"{path} is not inside the collection at {root}")


class RenderKey(Hasher):
    """What one render (an edition, a part of a book) reads, hashed: the tool, the PDF
    profile and the timestamp the files carry, then what the caller adds, the collection's
    files by collection-relative name. Both render caches key by it, so an edition and its
    parts name the same file alike."""

    def __init__(self, collection: Collection, profile: str) -> None:
        super().__init__()
        self.root = collection.root
        self.add("tool", tool_fingerprint())
        self.add("profile", profile)
        self.add("time", build_time(collection).isoformat())

    def add_collection_file(self, kind: str, name: str | Path) -> None:
        """A file of the collection by its collection-relative name, as the model holds it."""
        name = Path(name).as_posix()
        self.add_file(f"{kind} {name}", self.root / name)

    def add_found_file(self, kind: str, path: Path) -> None:
        """A file of the collection found on disk (by a folder's listing, a stylesheet)."""
        self.add_collection_file(kind, collection_name(self.root, path))

    def add_images(self, sources: list[str] | tuple[str, ...]) -> None:
        for src in sources:
            self.add_collection_file("image", src)

    def add_styles(self, templates: bool = True) -> None:
        """The collection's styles/ (and templates/) and the files its stylesheets load
        from elsewhere in it."""
        for folder in ("styles", "templates") if templates else ("styles",):
            for path in sorted((self.root / folder).rglob("*")) \
                    if (self.root / folder).is_dir() else []:
                if path.is_file():
                    self.add_found_file("file", path)
        for path in stylesheet_resources(self.root):
            self.add_found_file("resource", path)
