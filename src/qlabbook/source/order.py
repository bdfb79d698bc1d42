"""Assemble stage: put the essays in series order and check what spans essays."""

from __future__ import annotations

from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import EssaySource


def order_essays(sources: list[EssaySource], diagnostics: Diagnostics) -> list[EssaySource]:
    """Series order is the `number` field (10 after 9); numbers and slugs must be unique."""
    ordered = sorted(sources, key=lambda s: (s.number, s.path.as_posix()))
    for code, what in (("A102", "number"), ("A103", "slug")):
        first_seen: dict[object, EssaySource] = {}
        for source in ordered:
            value = getattr(source, what)
            if value in first_seen:
                other = first_seen[value]
                diagnostics.error(
                    code, f"{what} {value!r} is also used by {other.path.as_posix()}",
                    source.path, source.field_line(what),
                    f"give each essay its own {what}")
            else:
                first_seen[value] = source
    # No raise here: conversion goes on so one run reports every essay's problems.
    return ordered
