"""How a build shows its progress: a bar on a terminal, plain lines in CI, nothing otherwise."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # the library loads only when a command runs: --help stays instant
    from qlabbook.build import BuildReport, Progress


class PlainProgress:
    """One line per step, for logs (CI): no cursor movement, no colour."""

    def __init__(self) -> None:
        self.total = self.count = 0

    def stage(self, message: str) -> None:
        typer.echo(f"qlabbook: {message}", err=True)

    def start(self, total: int) -> None:
        self.total, self.count = total, 0

    def done(self, label: str) -> None:
        self.count += 1
        typer.echo(f"qlabbook: rendered {label} ({self.count}/{self.total})", err=True)


class RichProgress:
    """A progress bar on a terminal while editions render."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True, highlight=False)
        self.bar = Progress(TextColumn("{task.description:<28}"), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(), console=self.console,
                            transient=True)
        self.task: Any = None

    def stage(self, message: str) -> None:
        if self.task is None:
            self.console.print(f"qlabbook: {message}…")

    def start(self, total: int) -> None:
        if total:
            self.bar.start()
            self.task = self.bar.add_task("rendering", total=total)

    def done(self, label: str) -> None:
        self.bar.update(self.task, advance=1, description=label)

    def close(self) -> None:
        self.bar.stop()


@contextmanager
def progress_reporter() -> Iterator[Progress | None]:
    """A bar on a terminal, plain lines in CI, nothing otherwise (output piped or captured)."""
    if sys.stderr.isatty():
        rich = RichProgress()
        try:
            yield rich
        finally:
            rich.close()
    elif os.environ.get("CI"):
        yield PlainProgress()
    else:
        yield None


def summary(report: BuildReport) -> str:
    cached = f", {len(report.cached)} from cache" if report.cached else ""
    return (f"{len(report.rendered)} edition(s) rendered{cached} in "
            f"{report.seconds:.2f} s")


def rebuilt_after(changed: list[str]) -> str:
    """What a rebuild of `watch` or `serve` follows: the first files saved, in brackets."""
    if not changed:
        return ""
    return f" ({', '.join(changed[:3])}{', …' if len(changed) > 3 else ''})"
