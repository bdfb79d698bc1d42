"""What a cached result is keyed by: labelled hashes, and the tool's own fingerprint."""

from __future__ import annotations

import functools
import hashlib
import os
import stat
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


# Files at least this large (pictures, fonts) are hashed once a process while their size,
# modification time and inode stay the same: a build keys every image three times (the
# essay's conversion, its part, the edition), and a watch builds again and again.
REMEMBERED_SIZE = 64 * 1024
DIGESTS: dict[tuple[str, int, int, int, int], bytes] = {}


def large_file_digest(path: Path, info: os.stat_result) -> bytes:
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev)
    if key not in DIGESTS:
        if len(DIGESTS) > 10_000:
            DIGESTS.clear()
        DIGESTS[key] = b"sha256:" + hashlib.sha256(path.read_bytes()).digest()
    return DIGESTS[key]


class Hasher:
    """sha256 over labelled fields, each length-prefixed, so no two inputs run together."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def add(self, label: str, data: str | bytes) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.sha.update(label.encode("utf-8") + b"\0" + len(raw).to_bytes(8, "big") + raw)

    def add_file(self, label: str, path: Path) -> None:
        """The file's sha256 (its bytes, for a small one), or that it is missing."""
        try:
            info = path.stat()
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode):
            self.add(label, b"<missing>")
        elif info.st_size < REMEMBERED_SIZE:
            self.add(label, path.read_bytes())
        else:
            self.add(label, large_file_digest(path, info))

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
