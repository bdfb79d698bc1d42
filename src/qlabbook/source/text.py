"""Small text helpers shared by the stages."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Characters XML 1.0 forbids (C0 controls except tab, LF, CR; surrogates; U+FFFE/U+FFFF).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def slugify(text: str) -> str:
    """A lowercase ASCII slug: 'Café & Co.' -> 'cafe-co'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def format_date(date: dt.date, month_only: bool = False) -> str:
    """'14 February 2019', or 'May 2019' for a date given as a month. Locale-independent."""
    month_year = f"{MONTHS[date.month - 1]} {date.year}"
    return month_year if month_only else f"{date.day} {month_year}"


def numeric_date(parts: tuple[int, ...] | list[int], separator: str = "-") -> str:
    """A date's parts year first, to the precision they have: ISO 8601's 2019-05-14 or
    2019-05 (and W3CDTF's, which EPUB and XMP take), or with "/" as RIS and Highwire Press
    write it."""
    return separator.join(f"{part:02d}" if index else str(part)
                          for index, part in enumerate(parts))
