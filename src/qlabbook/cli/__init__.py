"""The `qlabbook` command: a thin typer layer over the library. Only this package prints or
exits."""

from __future__ import annotations

import datetime as dt
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from qlabbook import __version__
from qlabbook.cli.progress import progress_reporter, rebuilt_after, summary
from qlabbook.cli.reports import (
    check_json,
    essay_table,
    github_annotation,
    report,
    sorted_diagnostics,
    step_summary,
)
from qlabbook.cli.serve import serve
from qlabbook.output.editions import FORMATS
from qlabbook.source.diagnostics import Diagnostics, QlabbookError
from qlabbook.source.model import EditionFormat
from qlabbook.source.profiles import PROFILES

app = typer.Typer(
    help="Build print-ready PDF, EPUB 3 and web editions of a numbered essay series.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

EXIT_CONTENT, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
USAGE_CODES = {"A104"}  # diagnostics about the command line rather than the essays


# The choices --format takes: every format the build writes.
Format = StrEnum("Format", {name: name for name in FORMATS})  # type: ignore[misc]


# The choices --pdf-profile takes: every profile the registry has.
PdfProfile = StrEnum("PdfProfile", {name: name for name in PROFILES})  # type: ignore[misc]


class CheckFormat(StrEnum):
    text = "text"
    github = "github"
    json = "json"


CollectionArg = Annotated[Path, typer.Argument(
    help="The collection folder (holding qlabbook.toml and essays/).",
    exists=True, file_okay=False, dir_okay=True, resolve_path=False)]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
OutOption = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Output folder [default: COLLECTION/dist].")]
FormatsOption = Annotated[list[Format] | None, typer.Option(
    "--format", "-f", help="pdf, epub or web; repeat for several [default: [build] formats, "
    "else pdf and epub].", show_default=False)]
EssaysOption = Annotated[bool | None, typer.Option(
    "--essays/--no-essays", help="Also write one PDF and EPUB per essay into OUT/essays/ "
    "[default: the collection's [build] essays, else no].", show_default=False)]
JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, help="Render up to N editions at once, in parallel processes "
    "[default: the machine's cores].", show_default=False)]
NoCacheOption = Annotated[bool, typer.Option(
    "--no-cache", help="Render every edition again instead of reusing unchanged ones "
    "from COLLECTION/.qlabbook-cache.")]


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



def finish(diagnostics: Diagnostics, strict: bool) -> None:
    report(diagnostics.items)
    if diagnostics.errors or (strict and diagnostics.warnings):
        code = EXIT_USAGE if diagnostics.errors and all(
            d.code in USAGE_CODES for d in diagnostics.errors) else EXIT_CONTENT
        raise typer.Exit(code)


# -- build ---------------------------------------------------------------------------------

PdfProfilesOption = Annotated[list[PdfProfile] | None, typer.Option(
    "--pdf-profile", help=" or ".join(f"{p.name} ({p.summary})" for p in PROFILES.values())
    + "; repeat for several [default: [pdf] profiles, else screen].", show_default=False)]


def profile_names(chosen: list[PdfProfile] | None) -> tuple[str, ...]:
    return tuple(p.value for p in chosen or ())


def format_names(chosen: list[Format] | None) -> tuple[EditionFormat, ...]:
    """The formats asked for (none: the collection's own), in the order they are built."""
    names = {f.value for f in chosen or ()}
    return tuple(name for name in FORMATS if name in names)


@app.command()
def build(
    collection: CollectionArg = Path("."),
    out: OutOption = None,
    formats: FormatsOption = None,
    essays: EssaysOption = None,
    essay: Annotated[list[int] | None, typer.Option(
        "--essay", "-e", min=1, help="Build only this essay's PDF and EPUB (its number); "
        "repeatable.", show_default=False)] = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    pdf_profiles: PdfProfilesOption = None,
) -> None:
    """Build the collected PDF, EPUB and web edition (and per-essay editions),
    manifest.json and SHA256SUMS."""
    from qlabbook import build as library

    request = library.BuildRequest(
        collection, out, format_names(formats), essays, tuple(essay or ()), jobs,
        cache=not no_cache, strict=strict, profiles=profile_names(pdf_profiles))
    diagnostics = Diagnostics()
    try:
        with progress_reporter() as progress:
            result = library.build(request, diagnostics, progress)
    except QlabbookError:
        finish(diagnostics, strict)
        raise typer.Exit(EXIT_CONTENT) from None
    except KeyboardInterrupt:
        typer.echo("qlabbook: interrupted; nothing was written", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finish(diagnostics, strict)
    if progress is not None:
        typer.echo(f"qlabbook: {summary(result)}", err=True)
    for path in result.written:
        typer.echo(str(path))


@app.command()
def watch(
    collection: CollectionArg = Path("."),
    out: OutOption = None,
    formats: FormatsOption = None,
    essays: EssaysOption = None,
    jobs: JobsOption = None,
    strict: StrictOption = False,
    pdf_profiles: PdfProfilesOption = None,
) -> None:
    """Build, then rebuild what changed each time a file in the collection is saved.
    Prints one line per build; content errors are reported and the watch goes on."""
    from qlabbook import build as library
    from qlabbook.source.watch import watch_collection

    request = library.BuildRequest(collection, out, format_names(formats), essays, jobs=jobs,
                                   strict=strict, profiles=profile_names(pdf_profiles))
    typer.echo(f"qlabbook: watching {collection} (Ctrl-C to stop)", err=True)
    watcher = watch_collection(collection, (request.target,))
    session = library.Session()  # workers and what was read stay warm between builds
    changed: list[str] = []
    try:
        while True:
            diagnostics = Diagnostics()
            clock = dt.datetime.now().strftime("%H:%M:%S")
            because = rebuilt_after(changed)
            try:
                result = library.build(request, diagnostics, session=session)
                report(diagnostics.items)
                typer.echo(f"{clock} built{because}: {summary(result)}")
            except QlabbookError:
                report(diagnostics.items)
                typer.echo(f"{clock} not built{because}: {len(diagnostics.errors)} error(s)"
                           f"{', warnings are errors' if strict else ''}; waiting for a fix")
            except OSError as error:  # a file removed or renamed while it was being read
                typer.echo(f"{clock} not built{because}: {error.strerror}: {error.filename}; "
                           "waiting for the next change")
            changed = watcher.wait()
    except KeyboardInterrupt:
        typer.echo("qlabbook: stopped watching", err=True)
    finally:
        watcher.close()
        session.close()


app.command()(serve)


# -- authoring -----------------------------------------------------------------------------

@app.command()
def new(
    title: Annotated[str, typer.Argument(help="The new essay's title.")],
    collection: CollectionArg = Path("."),
) -> None:
    """Start the next essay: essays/NN-slug.md with front matter (next free number, slug,
    today's date) and a short guide in comments. Never overwrites a file."""
    from qlabbook.source.scaffold import new_essay

    if not title.strip():
        typer.echo("qlabbook: the title is empty", err=True)
        raise typer.Exit(EXIT_USAGE)
    from qlabbook.source.layout import read_layout

    try:
        path = new_essay(collection, title)
    except QlabbookError as error:
        report(error.diagnostics)
        raise typer.Exit(EXIT_CONTENT) from None
    typer.echo(str(collection / path))
    if read_layout(collection, Diagnostics()).order is not None:
        typer.echo(f"qlabbook: add \"{path.name}\" to the order list under [essays] in "
                   "qlabbook.toml to put it in the book", err=True)


def interactive() -> bool:
    """Whether someone can answer a question: never when input comes from a pipe or file."""
    return sys.stdin.isatty()


@app.command()
def init(
    collection: CollectionArg = Path("."),
    title: Annotated[str | None, typer.Option(
        "--title", help="The book's title [default: the site's, else the folder's name; "
        "asked for on a terminal].", show_default=False)] = None,
) -> None:
    """Adopt a folder of Markdown as it is: find the essays, choose their order and write
    qlabbook.toml (nothing else; never overwrites it, never edits an essay)."""
    from qlabbook.source.adopt import plan, refuse_existing, write_config

    try:
        refuse_existing(collection)
        adoption = plan(collection, title)
        if title is None and interactive():
            answer = typer.prompt("Title of the book", default=adoption.title)
            if answer != adoption.title:  # the reader's own: nothing to say where it is from
                adoption.title, adoption.title_from = answer, ""
        write_config(collection, adoption)
    except QlabbookError as error:
        report(error.diagnostics)
        raise typer.Exit(EXIT_CONTENT) from None
    typer.echo(f"wrote {collection / 'qlabbook.toml'}: {len(adoption.essays)} essays from "
               f"{adoption.folder}/, in {adoption.order_by} order:")
    for number, essay in enumerate(adoption.essays, 1):
        when = f"{essay.when:%Y-%m-%d}" if essay.when else ""
        typer.echo(f"{number:3}  {when:10}  {essay.title}  ({essay.name})")
    for name, why in adoption.left_out:
        typer.echo(f"left out: {name} ({why})")
    if adoption.pandoc_because:
        typer.echo(f"markdown: read as pandoc reads it ({adoption.pandoc_because}); a list, "
                   "quotation or heading needs a blank line before it")
    if adoption.title_from:
        typer.echo(f"title: {adoption.title} (from {adoption.title_from}); to change it, "
                   "edit title under [collection] in qlabbook.toml")
    typer.echo("To change the order, move lines in the order list under [essays] in "
               f"qlabbook.toml. Then: qlabbook build {collection}")


@app.command()
def check(
    collection: CollectionArg = Path("."),
    output: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="text (for people), github (workflow annotations) or json.")
    ] = CheckFormat.text,
    strict: StrictOption = False,
) -> None:
    """Report every problem in the collection at once, without building, and each essay's
    words, notes and figures."""
    from qlabbook.build import inspect_collection

    diagnostics = Diagnostics()
    loaded = inspect_collection(collection, diagnostics)
    failed = bool(diagnostics.errors or (strict and diagnostics.warnings))
    if output is CheckFormat.json:
        typer.echo(check_json(collection, diagnostics, loaded, failed))
    elif output is CheckFormat.github:
        for diagnostic in sorted_diagnostics(diagnostics.items):
            typer.echo(github_annotation(collection, diagnostic, strict))
        if loaded is not None:
            essay_table(loaded)
            step_summary(loaded, diagnostics)
    else:
        report(diagnostics.items)
        if loaded is not None:
            essay_table(loaded)
        typer.echo("no problems found" if not diagnostics.items else
                   f"{len(diagnostics.errors)} error(s), {len(diagnostics.warnings)} warning(s)",
                   err=True)
    if failed:
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
    essay_table(loaded)


@app.command()
def proof(
    pdfs: Annotated[list[Path], typer.Argument(
        help="PDF files to proof.", exists=True, file_okay=True, dir_okay=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder [default: beside each PDF].")] = None,
    dpi: Annotated[int, typer.Option("--dpi", min=10, max=300,
                                     help="Resolution of the pages on the sheet.")] = 40,
) -> None:
    """Render each PDF's pages, in spreads, to a PNG contact sheet for editors."""
    from qlabbook.output.proof import contact_sheet

    for pdf in pdfs:
        target = (out or pdf.parent) / f"{pdf.stem}-proof.png"
        try:
            written = contact_sheet(pdf, target, dpi=dpi)
        except Exception as error:  # PDFium reports damaged files with its own error types
            typer.echo(f"{pdf}: error: cannot render this PDF ({error})", err=True)
            raise typer.Exit(EXIT_CONTENT) from None
        typer.echo(str(written))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM. To every `except KeyboardInterrupt` it is one, but not exactly
    one: CPython takes a plain KeyboardInterrupt that left code run by eval() or exec() of a
    string (libraries compile code so: cssselect2's selectors, dataclasses) for one nobody
    caught, even when the command caught it further out, and at exit replaces the status
    the command chose (130, or 0 after `watch`) with death by SIGINT."""


def interrupt(signum: int, frame: object) -> None:
    """SIGINT and SIGTERM stop a command the way Ctrl-C does, so half-written files are
    cleaned up."""
    raise Interrupted


def main() -> None:
    signal.signal(signal.SIGTERM, interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if ignored
        signal.signal(signal.SIGINT, interrupt)
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("qlabbook: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
