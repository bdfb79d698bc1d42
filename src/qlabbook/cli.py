"""The `qlabbook` command: a thin typer layer over the library. Only this module prints or exits."""

from __future__ import annotations

import contextlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from qlabbook import __version__
from qlabbook.errors import Diagnostic, Diagnostics, QlabbookError

app = typer.Typer(
    help="Build print-ready PDF and EPUB 3 editions of a numbered essay series.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

EXIT_CONTENT, EXIT_INTERRUPTED = 1, 130


class Format(StrEnum):
    pdf = "pdf"
    epub = "epub"


CollectionArg = Annotated[Path, typer.Argument(
    help="The collection folder (holding qlabbook.toml and essays/).",
    exists=True, file_okay=False, dir_okay=True, resolve_path=False)]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"qlabbook {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option(
        "--version", callback=version_callback, is_eager=True,
        help="Show the version and exit.")] = False,
) -> None:
    """Build print-ready PDF and EPUB 3 editions of a numbered essay series."""


def report(diagnostics: list[Diagnostic]) -> None:
    """Print diagnostics file by file, in line order."""
    for diagnostic in sorted(diagnostics, key=lambda d: (
            d.path.as_posix() if d.path else "", d.line or 0)):
        typer.echo(diagnostic.format(), err=True)


def progress_printer() -> object:
    """Progress lines on a terminal; nothing when output is piped or captured."""
    if sys.stderr.isatty():
        return lambda message: typer.echo(f"qlabbook: {message}…", err=True)
    from qlabbook.build import quiet
    return quiet


def finish(diagnostics: Diagnostics, strict: bool) -> None:
    report(diagnostics.items)
    if diagnostics.errors or (strict and diagnostics.warnings):
        raise typer.Exit(EXIT_CONTENT)


@app.command()
def build(
    collection: CollectionArg = Path("."),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder "
                                             "[default: COLLECTION/dist].")] = None,
    formats: Annotated[list[Format] | None, typer.Option(
        "--format", "-f", help="pdf or epub; repeat for both [default: both].")] = None,
    strict: StrictOption = False,
) -> None:
    """Build the PDF and EPUB editions and dist/manifest.json."""
    from qlabbook import build as library

    diagnostics = Diagnostics()
    chosen = [f.value for f in formats] if formats else list(library.FORMATS)
    try:
        written = library.build(collection, out, chosen, diagnostics,
                                progress_printer(), strict)  # type: ignore[arg-type]
    except QlabbookError:
        finish(diagnostics, strict)
        raise typer.Exit(EXIT_CONTENT) from None
    except KeyboardInterrupt:
        typer.echo("qlabbook: interrupted; nothing was written", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finish(diagnostics, strict)
    for path in written:
        typer.echo(str(path))


@app.command()
def check(collection: CollectionArg = Path("."), strict: StrictOption = False) -> None:
    """Report every problem in the collection at once, without building."""
    from qlabbook.build import load_collection

    diagnostics = Diagnostics()
    with contextlib.suppress(QlabbookError):  # the diagnostics hold everything it found
        load_collection(collection, diagnostics)
    report(diagnostics.items)
    typer.echo("no problems found" if not diagnostics.items else
               f"{len(diagnostics.errors)} error(s), {len(diagnostics.warnings)} warning(s)",
               err=True)
    if diagnostics.errors or (strict and diagnostics.warnings):
        raise typer.Exit(EXIT_CONTENT)


@app.command("list")
def list_essays(collection: CollectionArg = Path(".")) -> None:
    """List the essays in series order: number, title, words, notes, figures."""
    from qlabbook.build import load_collection

    diagnostics = Diagnostics()
    try:
        loaded = load_collection(collection, diagnostics)
    except QlabbookError:
        finish(diagnostics, False)
        raise typer.Exit(EXIT_CONTENT) from None
    report(diagnostics.items)
    typer.echo(f"{'#':>3}  {'words':>6}  {'notes':>5}  {'figs':>4}  title")
    for essay in loaded.essays:
        typer.echo(f"{essay.number:>3}  {essay.words:>6}  {len(essay.footnotes):>5}  "
                   f"{len(essay.figures):>4}  {essay.title}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("qlabbook: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
