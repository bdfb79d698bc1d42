"""What a cached result is keyed by: labelled hashes, and the tool's own fingerprint."""

from __future__ import annotations

import functools
import hashlib
import sys
import zlib
from importlib import metadata as distributions
from pathlib import Path

import qlabbook
from qlabbook import __version__

PACKAGE = Path(qlabbook.__file__).parent
# The libraries whose output ends up in the files; a new version may change the bytes.
RENDERERS = ("weasyprint", "pydyf", "fonttools", "tinycss2", "ebooklib", "lxml", "pillow",
             "markdown", "jinja2", "tinyhtml5", "pikepdf")


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
