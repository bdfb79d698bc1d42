"""Measure set pages with PyMuPDF: the lines of running text, the note calls and their link
boxes, the contents' lines. What a typographer checks with a ruler, in numbers."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import pymupdf

BODY_FONT = "LinLibertine"


@dataclass(frozen=True)
class Line:
    page: int  # 0-based
    text: str
    size: float  # the size most of its characters are set in
    x0: float
    x1: float
    y: float  # baseline


def lines(pdf: Path) -> list[Line]:
    """Every line of every page, with the size most of its characters have."""
    found = []
    with pymupdf.open(pdf) as document:
        for number, page in enumerate(document):
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", ()):
                    spans = [s for s in line["spans"] if s["text"].strip()]
                    if not spans:
                        continue
                    text = "".join(s["text"] for s in line["spans"])
                    sizes = [s["size"] for s in spans for _ in s["text"]]
                    found.append(Line(number, text, round(statistics.mode(sizes), 2),
                                      line["bbox"][0], line["bbox"][2],
                                      round(spans[0]["origin"][1], 1)))
    return found


def body_size(all_lines: list[Line]) -> float:
    return statistics.mode(line.size for line in all_lines)


def full_text_lines(pdf: Path) -> list[Line]:
    """The running text's full lines: body size, reaching the right edge of the text block
    (justified), not a paragraph's last line. Headings, notes and captions are other sizes."""
    every = lines(pdf)
    size = body_size(every)
    body = [line for line in every if line.size == size]
    if not body:
        return []
    full = []
    for line in body:
        # The text block's right edge on this page: where most of its lines end.
        right = statistics.mode(round(other.x1) for other in body if other.page == line.page)
        if abs(round(line.x1) - right) <= 1 and len(line.text) > 20:
            full.append(line)
    return full


def measure(pdf: Path) -> list[int]:
    """Characters (spaces included) in each full line of running text."""
    return [len(line.text.strip()) for line in full_text_lines(pdf)]


@dataclass(frozen=True)
class Call:
    page: int
    text: str
    size: float
    bbox: tuple[float, float, float, float]


def note_calls(pdf: Path, base: float) -> list[Call]:
    """Spans of digits set smaller than the text and raised: the note calls in the text
    and the notes' numbers (the caller tells them apart by size or place)."""
    found = []
    with pymupdf.open(pdf) as document:
        for number, page in enumerate(document):
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", ()):
                    spans = line["spans"]
                    for span in spans:
                        text = span["text"].strip()
                        if text.isdigit() and span["size"] < base * 0.9 and \
                                span["flags"] & pymupdf.TEXT_FONT_SUPERSCRIPT:
                            found.append(Call(number, text, round(span["size"], 2),
                                              tuple(span["bbox"])))
    return found


def links(pdf: Path) -> list[tuple[int, pymupdf.Rect, dict[str, object]]]:
    """Every internal link: (page, its box, the link)."""
    found = []
    with pymupdf.open(pdf) as document:
        for number, page in enumerate(document):
            for link in page.get_links():
                found.append((number, pymupdf.Rect(link["from"]), link))
    return found


def rows(all_lines: list[Line], page: int) -> list[Line]:
    """The lines of a page joined by baseline, left to right: PyMuPDF gives a contents
    line as many pieces (number, title, each leader dot, page number)."""
    found: dict[float, list[Line]] = {}
    for line in all_lines:
        if line.page != page:
            continue
        key = next((y for y in found if abs(y - line.y) <= 1.0), line.y)
        found.setdefault(key, []).append(line)
    joined = []
    for y in sorted(found):
        pieces = sorted(found[y], key=lambda line: line.x0)
        text = "".join(piece.text for piece in pieces)
        size = statistics.mode(piece.size for piece in pieces)
        joined.append(Line(page, text, size, pieces[0].x0, max(p.x1 for p in pieces), y))
    return joined
