"""Preflight: photographs that would print soft in the press PDF."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Collection
from qlabbook.typeset import engine

LOW_PPI = 150  # below this, a photograph looks soft in print


@dataclass(frozen=True)
class PrintedImage:
    src: str  # collection-relative path
    page: int  # 0-based page index
    pixels: int  # across
    width_mm: float

    @property
    def ppi(self) -> float:
        return self.pixels / (self.width_mm / 25.4)


def printed_images(document: Any) -> list[PrintedImage]:
    """Every raster image laid out in the document, with its printed width."""
    found = []
    for index, page in enumerate(document.pages):
        for box in engine.page_boxes(page):
            width = engine.box_width(box)
            if engine.box_kind(box) != "image" or not width:
                continue
            pixels = engine.image_pixels(box)
            element = engine.box_element(box)
            src = element.get("src") if element is not None else None
            if pixels is not None and src:
                found.append(PrintedImage(src, index, pixels, width / 96 * 25.4))
    return found


def check_image_resolution(collection: Collection, document: Any, diagnostics: Diagnostics,
                           ppi: int) -> None:
    """Warn about photographs that will print soft (below 150 ppi) in a press PDF, saying
    how many pixels they need for the profile's `ppi`."""
    for image in printed_images(document):
        if image.ppi >= LOW_PPI:
            continue
        essay = next((e for e in collection.essays for f in e.figures if f.src == image.src),
                     None)
        path = essay.source.path if essay else None
        line = essay.source.line_of(Path(image.src).name) if essay else None
        needed = math.ceil(image.width_mm / 25.4 * ppi)
        diagnostics.warning(
            "I105", f"image {image.src!r} prints at {image.ppi:.0f} ppi in the press PDF "
            f"(below {LOW_PPI})", path, line,
            f"supply it at least {needed} pixels wide for its {image.width_mm:.0f} mm "
            "printed width")
