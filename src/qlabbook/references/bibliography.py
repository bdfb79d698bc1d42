"""Read the bibliography files and the style that qlabbook.toml's [bibliography] names,
each problem located: in the .bib or .json file at its line, or in qlabbook.toml."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlabbook.references.bibfile import read_bibfile
from qlabbook.references.bibtex import to_csl
from qlabbook.references.csljson import read_items
from qlabbook.references.styles import (
    Style,
    StyleError,
    load_style,
    shipped_style_path,
    style_names,
)
from qlabbook.source.config import CONFIG_NAME
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import BibliographyOptions

CONFIG = Path(CONFIG_NAME)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    """One work, as a CSL-JSON item, and where it was defined."""

    key: str
    item: dict[str, Any]
    path: Path  # collection-relative
    line: int | None  # 1-based


@dataclass
class Bibliography:
    """Every entry of the collection's files, by key, and the style to print them in."""

    style: Style
    entries: dict[str, Entry] = field(default_factory=dict)
    # Keys of entries that could not be read, and where they are: a citation of one is
    # sent there rather than offered near keys.
    unreadable: dict[str, tuple[Path, int]] = field(default_factory=dict)
    # Everything formatting reads (the files' and the style's bytes, the options, the
    # language): a converted essay remembered with another fingerprint is converted again.
    fingerprint: str = ""


def load_bibliography(root: Path, options: BibliographyOptions | None, language: str,
                      diagnostics: Diagnostics) -> Bibliography | None:
    """The collection's bibliography, or None when it has none or it cannot be read
    (then the problems are recorded)."""
    if options is None:
        return None
    entries: dict[str, Entry] = {}
    unreadable: dict[str, tuple[Path, int]] = {}
    hasher = hashlib.sha256(repr((options.files, options.style, language)).encode())
    for name in options.files:
        path = Path(name)
        target = (root / path).resolve()
        if not inside(root, target) or not target.is_file():
            diagnostics.error("B101", f"bibliography file {name!r} not found", CONFIG,
                              options.files_line, "give a path relative to qlabbook.toml, e.g. "
                              '"references.bib"')
            continue
        suffix = path.suffix.lower()
        if suffix not in (".bib", ".bibtex", ".json"):
            diagnostics.error("B101", f"bibliography file {name!r} is neither BibTeX (.bib) "
                              "nor CSL-JSON (.json)", CONFIG, options.files_line)
            continue
        text = read_text(target, path, diagnostics)
        if text is None:
            continue
        hasher.update(name.encode() + b"\0" + text.encode("utf-8", "replace") + b"\0")
        read = read_json if suffix == ".json" else read_bibtex
        for entry in read(text, path, diagnostics, unreadable):
            if entry.key in entries:
                first = entries[entry.key]
                diagnostics.warning("B104", f"the key {entry.key!r} is defined twice (first "
                                    f"at {first.path.as_posix()}:{first.line}): the first is "
                                    "used", entry.path, entry.line,
                                    "give one of the two works another key")
                continue
            entries[entry.key] = entry
    style = resolve_style(root, options, language, diagnostics)
    if style is None:
        return None
    hasher.update(style.path.read_bytes())
    return Bibliography(style, entries, {k: v for k, v in unreadable.items() if k not in entries},
                        hasher.hexdigest())


def read_text(target: Path, path: Path, diagnostics: Diagnostics) -> str | None:
    """The file's text; bytes that are not UTF-8 are an error at their line, and read as
    U+FFFD so that the rest of the file still gives its entries."""
    try:
        data = target.read_bytes()
    except OSError as error:
        diagnostics.error("B102", f"cannot read the bibliography: {error.strerror or error}",
                          path, None)
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return without_control_characters(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        diagnostics.error("B102", f"the bibliography is not UTF-8: byte "
                          f"0x{data[error.start]:02x} cannot be read", path, line,
                          "save the file as UTF-8 (JabRef: Library > Library properties > "
                          "Encoding; Zotero and Mendeley export UTF-8)")
        return without_control_characters(data.decode("utf-8", "replace"))


def without_control_characters(text: str) -> str:
    """The text without the characters XML cannot hold (a NUL pasted into a URL)."""
    return CONTROL.sub("", text)


def inside(root: Path, target: Path) -> bool:
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return False
    return True


def resolve_style(root: Path, options: BibliographyOptions, language: str,
                  diagnostics: Diagnostics) -> Style | None:
    name = options.style
    path = shipped_style_path(name)
    if path is None and name.lower().endswith(".csl"):
        path = (root / name).resolve()
        if not inside(root, path) or not path.is_file():
            diagnostics.error("B103", f"the style file {name!r} is not in the collection",
                              CONFIG, options.style_line,
                              "give a .csl file's path relative to qlabbook.toml")
            return None
    if path is None:
        diagnostics.error("B103", f"unknown citation style {name!r}", CONFIG,
                          options.style_line, "use one of " + ", ".join(style_names()) +
                          ", or a .csl file in the collection")
        return None
    try:
        return load_style(path, name, language)
    except StyleError as error:
        diagnostics.error("B103", str(error), CONFIG, options.style_line)
        return None


def read_bibtex(text: str, path: Path, diagnostics: Diagnostics,
                unreadable: dict[str, tuple[Path, int]] | None = None) -> list[Entry]:
    """The entries of a .bib file, every problem located in it; the keys of entries that
    cannot be read, and where they are, added to `unreadable`."""
    bibfile = read_bibfile(text, path, diagnostics)
    if unreadable is not None:
        for key, line in bibfile.unreadable.items():
            unreadable.setdefault(key, (path, line))

    def lost(line: int, message: str, hint: str) -> None:
        diagnostics.warning("B107", message, path, line, hint)

    entries = []
    for raw in bibfile.entries:
        try:
            item = to_csl(raw, lost, bibfile.silent)
        except Exception as error:  # a qlabbook bug: said where, not as a traceback
            diagnostics.error("B102", f"cannot read the entry {raw.key!r} "
                              f"({type(error).__name__}: {error})", path, raw.line,
                              "check its fields; if they look right, report this")
            if unreadable is not None:
                unreadable.setdefault(raw.key, (path, raw.line))
            continue
        entries.append(Entry(raw.key, item, path, raw.line))
    return entries


def read_json(text: str, path: Path, diagnostics: Diagnostics,
              unreadable: dict[str, tuple[Path, int]] | None = None) -> list[Entry]:
    """The items of a CSL-JSON file, every problem located in it."""
    return [Entry(key, item, path, line)
            for key, item, line in read_items(text, path, diagnostics)]
