"""Read the bibliography files and the style that qlabbook.toml's [bibliography] names,
each problem located: in the .bib or .json file at its line, or in qlabbook.toml."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlabbook.references.bibtex import to_csl
from qlabbook.references.styles import (
    Style,
    StyleError,
    load_style,
    shipped_style_path,
    style_names,
)
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import BibliographyOptions

CONFIG = Path("qlabbook.toml")


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
        try:
            text = target.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            diagnostics.error("B102", f"cannot read the bibliography: {error}", path, None,
                              "save the file as UTF-8")
            continue
        hasher.update(name.encode() + b"\0" + text.encode() + b"\0")
        read = read_json if suffix == ".json" else read_bibtex
        for entry in read(text, path, diagnostics):
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
    return Bibliography(style, entries, hasher.hexdigest())


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


def read_bibtex(text: str, path: Path, diagnostics: Diagnostics) -> list[Entry]:
    from bibtexparser.entrypoint import parse_string

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures are ours to say
    library = parse_string(text)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1  # the parser counts lines from 0
        head = (block.raw or "").strip().split("\n", 1)[0][:60]
        diagnostics.error("B102", f"malformed BibTeX entry {head!r}", path, line,
                          "check its braces, quotes and the commas between fields")
    entries = []
    for entry in library.entries:
        fields = {f.key: f.value for f in entry.fields if isinstance(f.value, str)}
        entries.append(Entry(entry.key, to_csl(entry.key, entry.entry_type, fields), path,
                             (entry.start_line or 0) + 1))
    return entries


def read_json(text: str, path: Path, diagnostics: Diagnostics) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        diagnostics.error("B102", f"invalid CSL-JSON: {error.msg}", path, error.lineno,
                          "a CSL-JSON file is a list of items, each with an \"id\"")
        return []
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        diagnostics.error("B102", "CSL-JSON must be a list of items", path, 1)
        return []
    entries = []
    for index, item in enumerate(data):
        key = item.get("id") if isinstance(item, dict) else None
        if not isinstance(key, str | int) or isinstance(key, bool) or not str(key):
            diagnostics.error("B102", f"item {index + 1} has no \"id\"", path,
                              item_line(text, index), "give every item an \"id\": its key")
            continue
        found = re.search(r'"id"\s*:\s*"?' + re.escape(str(key)) + r'"?\s*[,}\n]', text)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        entries.append(Entry(str(key), {**item, "id": str(key)}, path, line))
    return entries


def item_line(text: str, index: int) -> int | None:
    """The line of the `index`-th object of a top-level JSON list (a best effort)."""
    starts = [m.start() for m in re.finditer(r"^\s{0,4}\{", text, re.MULTILINE)]
    return text.count("\n", 0, starts[index]) + 1 if index < len(starts) else None
