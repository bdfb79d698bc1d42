"""What a cached result is keyed by: labelled hashes, and the tool's own fingerprint."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import sys
import zlib
from importlib import metadata as distributions
from pathlib import Path

import qlabbook
from qlabbook import __version__

PACKAGE = Path(qlabbook.__file__).parent
DISTRIBUTION = "qlabbook"
# A Requires-Dist line's name and extras ("fonttools[woff] >=4; ..."), and the extra its
# marker asks for: a requirement of an extra is wanted only when that extra is.
REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
EXTRA = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")
VERSION_HEADER = re.compile(r"^Version:[ \t]*(.*?)\s*$", re.MULTILINE)
REQUIRES_HEADER = re.compile(r"^Requires-Dist:[ \t]*(.*?)\s*$", re.MULTILINE)


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
    fonts), Python's and zlib's versions and those of every library it requires: a change
    to any of them may change the output."""
    hasher = Hasher()
    hasher.add("version", __version__)
    for path in package_files():
        hasher.add_file(path.relative_to(PACKAGE).as_posix(), path)
    # Compressed streams in both formats depend on zlib; anything else on the interpreter.
    hasher.add("python", sys.version)
    hasher.add("zlib", zlib.ZLIB_RUNTIME_VERSION)
    for name, version in requirement_versions():
        hasher.add("requires " + name, version)
    return hasher.hexdigest()


def canonical_name(name: str) -> str:
    """A distribution's name as the Python packaging specifications compare them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted_requirements(requires: list[str] | None,
                        extras: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
    """(name, extras) of each requirement, leaving out those of extras not asked for. Other
    markers are not evaluated: what this platform does without is absent, which is stable."""
    wanted = []
    for line in requires or []:
        requirement, _, marker = line.partition(";")
        match, extra = REQUIREMENT.match(requirement), EXTRA.search(marker)
        if match is None or (extra is not None and canonical_name(extra[1]) not in extras):
            continue
        asked = frozenset(canonical_name(e) for e in (match[2] or "").split(",") if e.strip())
        wanted.append((canonical_name(match[1]), asked))
    return wanted


@functools.cache
def requirement_versions() -> tuple[tuple[str, str], ...]:
    """Every distribution qlabbook requires, and each of theirs, recursively, with the
    version installed ("absent" where none is): code whose output lands in the files, none
    of it left out by a list kept by hand. Cached: it reads a metadata file per library."""
    versions: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    waiting = [(DISTRIBUTION, frozenset[str]())]
    while waiting:
        name, extras = waiting.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        found = installed(name)
        if name != DISTRIBUTION:
            versions[name] = found[0] if found is not None else "absent"
        if found is not None:
            waiting += wanted_requirements(found[1], extras)
    return tuple(sorted(versions.items()))


def installed(name: str) -> tuple[str, list[str]] | None:
    """(version, Requires-Dist) of an installed distribution, None if it is not installed.
    Read from the metadata's headers: importlib's email parser reads the long description
    too, at 2 ms a library."""
    folder = metadata_folders().get(name)
    if folder is None:
        return None
    try:
        text = (folder / "METADATA").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    head = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    version = VERSION_HEADER.search(head)
    if version is None:  # no METADATA: an egg-info's requirements are in requires.txt
        found = distributions.PathDistribution(folder)
        return found.version, found.requires or []
    return version[1], REQUIRES_HEADER.findall(head)


@functools.cache
def metadata_folders() -> dict[str, Path]:
    """Each installed distribution's .dist-info (or .egg-info) folder by canonical name,
    the first on sys.path as importlib finds it, from one listing of each folder: Python
    3.11's importlib lists them all again for every name asked, 2 ms each."""
    found: dict[str, Path] = {}
    for entry in sys.path:
        folder = Path(entry or ".")
        try:
            children = sorted(os.listdir(folder))
        except OSError:  # a zip file or a folder that is gone
            continue
        for child in children:
            stem, _, suffix = child.rpartition(".")
            if suffix in ("dist-info", "egg-info") and (folder / child).is_dir():
                found.setdefault(canonical_name(stem.split("-")[0]), folder / child)
    return found
