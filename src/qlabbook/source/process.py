"""Settings the libraries qlabbook drives read from the environment, made for a block only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


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
# default thresholds the young generation is collected every 700 allocations, and every
# few of those the older ones too, walking WeasyPrint's whole box tree. Measured on the
# bench's 20 essays laid out in one process, this takes 2-9 % off the layout's CPU time.
YOUNG_COLLECTION_EVERY = 50_000


def collect_less() -> None:
    """Tune the garbage collector for laying out, once per process: what is alive now (the
    imported libraries) is set aside for good, and collections run less often. Cycles
    are still collected, so memory stays bounded over a long `watch`."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 20, 20)
