"""The time an edition carries: the same sources always give the same bytes."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from qlabbook.source.model import Collection
from qlabbook.source.process import environment_variable


def build_time(collection: Collection) -> dt.datetime:
    """The edition's timestamp: SOURCE_DATE_EPOCH when set, else the collection's date, so
    the same sources always give the same bytes; today only when neither is known."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    day = collection.metadata.date or dt.datetime.now(dt.UTC).date()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@contextmanager
def library_clock(collection: Collection) -> Iterator[None]:
    """Libraries that stamp what they write with the time (fontTools dates the fonts it
    subsets) read SOURCE_DATE_EPOCH: within this block it holds the edition's time, so
    their output is the same in every build too."""
    with environment_variable("SOURCE_DATE_EPOCH", str(int(build_time(collection).timestamp()))):
        yield
