"""manifest.json and SHA256SUMS: every artefact of the output folder, with its checksum."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qlabbook.output.editions import FORMATS
from qlabbook.source.model import Collection
from qlabbook.source.profiles import PROFILES

MANIFEST, SUMS = "manifest.json", "SHA256SUMS"


@dataclass(frozen=True)
class Artefact:
    path: Path  # relative to the output folder
    format: str
    data: bytes
    essay: int | None = None
    profile: str = ""  # PDFs: a name in profiles.PROFILES


def manifest_entries(collection: Collection, artefacts: list[Artefact],
                     out: Path) -> list[dict[str, Any]]:
    """This build's artefacts, and those of earlier builds into the same folder that are
    still there and still belong to the collection (a build of one essay keeps the rest)."""
    entries = {a.path.as_posix(): {
        "path": a.path.as_posix(), "format": a.format, "bytes": len(a.data),
        "sha256": hashlib.sha256(a.data).hexdigest(),
        "edition": "collected" if a.essay is None else "essay",
        **({} if a.essay is None else {"essay": a.essay}),
        **({"profile": a.profile} if a.profile else {})} for a in artefacts}
    stems = {e.number: e.file_stem for e in collection.essays}
    for entry in previous_manifest(out):
        path = entry.get("path")
        if not isinstance(path, str) or path in entries or not (out / path).is_file():
            continue
        stem = collection.slug if entry.get("edition") == "collected" else \
            stems.get(entry.get("essay"))  # type: ignore[arg-type]
        if stem is None or not Path(path).name.startswith(stem):
            continue  # an essay since removed or renamed
        data = (out / path).read_bytes()
        entries[path] = {**entry, "bytes": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()}

    def order(entry: dict[str, Any]) -> tuple[int, int, int, int, str]:
        fmt = entry.get("format")
        return (0 if entry.get("edition") == "collected" else 1, entry.get("essay", 0),
                FORMATS.index(fmt) if fmt in FORMATS else len(FORMATS),
                profile_order(entry.get("profile")), entry["path"])

    return sorted(entries.values(), key=order)


def previous_manifest(out: Path) -> list[dict[str, Any]]:
    try:
        entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["artefacts"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def manifest_json(collection: Collection, entries: list[dict[str, Any]]) -> str:
    manifest = {
        "artefacts": entries,
        "essays": [
            {"number": e.number, "slug": e.slug, "title": e.title,
             "footnotes": len(e.footnotes), "figures": len(e.figures)}
            for e in collection.essays
        ],
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def sha256sums(entries: list[dict[str, Any]]) -> str:
    """The artefacts in `sha256sum --check` format, paths relative to the output folder."""
    return "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)


def profile_order(profile: object) -> int:
    """PDFs of a book in the registry's order of profiles (the default first)."""
    names = list(PROFILES)
    return names.index(profile) if profile in names else 0
