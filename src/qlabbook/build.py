"""The library API: load -> assemble -> convert -> render -> write, one function per use."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qlabbook.assemble import order_essays
from qlabbook.convert import convert_collection
from qlabbook.errors import Diagnostics, QlabbookError
from qlabbook.model import Collection

FORMATS = ("pdf", "epub")
Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """The progress reporter when nobody is watching."""


def load_collection(root: Path, diagnostics: Diagnostics | None = None) -> Collection:
    """Read, order and convert a collection; raise QlabbookError with every error found."""
    from qlabbook.sources import load_sources

    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    metadata, options, sources = load_sources(root, diagnostics)
    ordered = order_essays(sources, diagnostics)
    return convert_collection(root, metadata, options, ordered, diagnostics)


@dataclass(frozen=True)
class Artefact:
    path: Path
    format: str
    data: bytes


def build(root: Path, out: Path | None = None, formats: Sequence[str] = FORMATS,
          diagnostics: Diagnostics | None = None, progress: Progress = quiet,
          strict: bool = False) -> list[Path]:
    """Build the editions into `out` (default root/dist). Nothing is written unless all
    of them rendered; each file appears whole or not at all."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    progress("reading essays")
    collection = load_collection(root, diagnostics)
    out = out if out is not None else root / "dist"
    artefacts = []
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        progress(f"rendering {fmt.upper()}")
        data = render(collection, fmt, diagnostics)
        artefacts.append(Artefact(out / f"{collection.slug}.{fmt}", fmt, data))
    diagnostics.raise_if_errors()
    if strict and diagnostics.warnings:
        raise QlabbookError(list(diagnostics.items))
    progress("writing")
    manifest = manifest_json(collection, artefacts, out)
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for artefact in artefacts:
            write_atomically(artefact.path, artefact.data)
            written.append(artefact.path)
        write_atomically(out / "manifest.json", manifest.encode("utf-8"))
    except OSError as error:
        diagnostics.error("W101", f"cannot write {error.filename or out}: {error.strerror}",
                          hint="check that the output folder is writable")
        raise QlabbookError(diagnostics.items) from error
    return [*written, out / "manifest.json"]


def render(collection: Collection, fmt: str, diagnostics: Diagnostics) -> bytes:
    if fmt == "pdf":
        from qlabbook.pdf import render_pdf

        return render_pdf(collection, diagnostics)
    from qlabbook.epub import render_epub

    return render_epub(collection)


def manifest_json(collection: Collection, artefacts: list[Artefact], out: Path) -> str:
    manifest = {
        "artefacts": [
            {"path": a.path.relative_to(out).as_posix(), "format": a.format,
             "bytes": len(a.data), "sha256": hashlib.sha256(a.data).hexdigest()}
            for a in artefacts
        ],
        "essays": [
            {"number": e.number, "slug": e.slug, "title": e.title,
             "footnotes": len(e.footnotes), "figures": len(e.figures)}
            for e in collection.essays
        ],
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
