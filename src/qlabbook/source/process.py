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
