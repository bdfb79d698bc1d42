"""The font programs a PDF embeds (FontFile, FontFile2 and FontFile3 streams), by face."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")  # the six letters a subset's name starts with
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class FontPrograms:
    programs: int  # distinct font program streams
    bytes: int  # their stored (compressed) length
    by_face: Counter[str]  # programs by face: the font's name without its subset tag

    @property
    def faces(self) -> int:
        return len(self.by_face)

    @property
    def most(self) -> int:
        """The most programs any one face has."""
        return max(self.by_face.values(), default=0)

    def summary(self) -> str:
        return (f"{self.bytes / 2**20:.2f} MiB, {self.programs} programs of {self.faces} "
                f"faces, at most {self.most} a face")


def font_programs(path: Path) -> FontPrograms:
    info = path.stat()
    return read_font_programs(path, info.st_mtime_ns, info.st_size)


@cache
def read_font_programs(path: Path, mtime_ns: int, size: int) -> FontPrograms:
    """Each font descriptor's program, counted once however many descriptors share it."""
    import pikepdf

    seen: dict[tuple[int, int], tuple[str, int]] = {}
    with pikepdf.open(path) as pdf:
        for thing in pdf.objects:
            if not isinstance(thing, pikepdf.Dictionary) or \
                    thing.get("/Type") != pikepdf.Name.FontDescriptor:
                continue
            face = SUBSET_TAG.sub("", str(thing.get("/FontName", "/unnamed"))[1:])
            for key in FONT_FILES:
                program = thing.get(key)
                if isinstance(program, pikepdf.Stream) and program.objgen not in seen:
                    seen[program.objgen] = (face, len(program.read_raw_bytes()))
    return FontPrograms(len(seen), sum(size for _, size in seen.values()),
                        Counter(face for face, _ in seen.values()))
