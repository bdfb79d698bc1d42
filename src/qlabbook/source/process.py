"""Settings the libraries qlabbook drives read from the environment, made for a block only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache


@contextmanager
def environment_variable(name: str, value: str) -> Iterator[None]:
    """`name` set to `value` within the block, as it was afterwards: left set, it would reach
    every process started later (a fork server, a build run from this one)."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


# Laying out a page makes hundreds of thousands of short-lived objects: with Python's
# default thresholds the young generation is collected every 700 allocations and the
# older ones every 7,000 and 70,000, walking the part of WeasyPrint's box tree that has
# grown old each time. Collecting every 50,000, with the libraries set aside
# (frozen), takes 2-4 % off the CPU time of laying out 8 bench essays in one process
# (medians of 5), and the older generations are still collected often enough that a
# worker's memory stays flat over 40 edits of a `watch` (about 130 MiB, against 105 with
# the defaults; 150 and growing with the oldest collected twenty times less often).
YOUNG_COLLECTION_EVERY = 50_000


@cache
def collect_less() -> None:
    """Tune the garbage collector for laying out, once per process (where a first part is
    laid out, not at start-up): what is alive now (the imported libraries) is set aside for
    good, and collections run less often. Cycles are still collected, so memory stays
    bounded over a long `watch`."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 10, 2)
