"""Page labels and anchors: where each anchor is, roman numerals, /PageLabels ranges."""

from __future__ import annotations

from typing import Any


def anchor_pages(document: Any) -> dict[str, int]:
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, index)
    return pages


COVER_LABELS = ("Cover", "Inside cover")


def roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    text = ""
    for value, numeral in numerals:
        count, number = divmod(number, value)
        text += numeral * count
    return text


def label_ranges(labels: list[str]) -> list[tuple[int, dict[str, str]]]:
    """/PageLabels number-tree entries (first page index, label dictionary) for labels
    made by BookLayout.labels: a prefix for each cover page, then a roman and an arabic range."""
    ranges: list[tuple[int, dict[str, str]]] = []
    previous = ""
    for index, label in enumerate(labels):
        kind = "D" if label.isdigit() else label if label in COVER_LABELS else "r"
        if kind != previous:
            ranges.append((index, {"P": label} if label in COVER_LABELS else {"S": kind}))
        previous = kind
    return ranges
