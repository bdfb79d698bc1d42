"""The `qlabbook` command: a thin typer layer over the library. Only this module prints or exits."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qlabbook import __version__
from qlabbook.output.editions import FORMATS
from qlabbook.source.diagnostics import Diagnostic, Diagnostics, QlabbookError
from qlabbook.source.profiles import PROFILES

if TYPE_CHECKING:
    from qlabbook.build import BuildReport, Progress
    from qlabbook.source.model import Collection

app = typer.Typer(
    help="Build print-ready PDF and EPUB 3 editions of a numbered essay series.",
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
    "--format", "-f", help="pdf or epub; repeat for both [default: both].")]
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


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path.as_posix() if d.path else "", d.line or 0))


def report(diagnostics: list[Diagnostic]) -> None:
    """Print diagnostics file by file, in line order."""
    for diagnostic in sorted_diagnostics(diagnostics):
        typer.echo(diagnostic.format(), err=True)


# -- progress ------------------------------------------------------------------------------

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


def finish(diagnostics: Diagnostics, strict: bool) -> None:
    report(diagnostics.items)
    if diagnostics.errors or (strict and diagnostics.warnings):
        code = EXIT_USAGE if diagnostics.errors and all(
            d.code in USAGE_CODES for d in diagnostics.errors) else EXIT_CONTENT
        raise typer.Exit(code)


# -- build ---------------------------------------------------------------------------------

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
    pdf_profiles: Annotated[list[PdfProfile] | None, typer.Option(
        "--pdf-profile", help=" or ".join(f"{p.name} ({p.summary})" for p in PROFILES.values())
        + "; repeat for several [default: [pdf] profiles, else screen].",
        show_default=False)] = None,
) -> None:
    """Build the collected PDF and EPUB (and per-essay editions), manifest.json and
    SHA256SUMS."""
    from qlabbook import build as library

    diagnostics = Diagnostics()
    chosen = [f.value for f in formats] if formats else list(FORMATS)
    try:
        with progress_reporter() as progress:
            result = library.build(collection, out, chosen, diagnostics, progress, strict,
                                   essays=essays, only=essay or (), jobs=jobs,
                                   cache=not no_cache,
                                   pdf_profiles=[p.value for p in pdf_profiles or ()] or None)
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
) -> None:
    """Build, then rebuild what changed each time a file in the collection is saved.
    Prints one line per build; content errors are reported and the watch goes on."""
    from qlabbook import build as library
    from qlabbook.source.watch import snapshot, wait_for_change

    chosen = [f.value for f in formats] if formats else list(FORMATS)
    target = out if out is not None else collection / "dist"
    ignore = (target,)
    typer.echo(f"qlabbook: watching {collection} (Ctrl-C to stop)", err=True)
    state = snapshot(collection, ignore)
    changed: list[str] = []
    try:
        while True:
            diagnostics = Diagnostics()
            clock = dt.datetime.now().strftime("%H:%M:%S")
            because = f" ({', '.join(changed[:3])}{', …' if len(changed) > 3 else ''})" \
                if changed else ""
            try:
                result = library.build(collection, out, chosen, diagnostics, None, strict,
                                       essays=essays, jobs=jobs)
                report(diagnostics.items)
                typer.echo(f"{clock} built{because}: {summary(result)}")
            except QlabbookError:
                report(diagnostics.items)
                typer.echo(f"{clock} not built{because}: {len(diagnostics.errors)} error(s)"
                           f"{', warnings are errors' if strict else ''}; waiting for a fix")
            except OSError as error:  # a file removed or renamed while it was being read
                typer.echo(f"{clock} not built{because}: {error.strerror}: {error.filename}; "
                           "waiting for the next change")
            state, changed = wait_for_change(collection, state, ignore)
    except KeyboardInterrupt:
        typer.echo("qlabbook: stopped watching", err=True)


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
    try:
        path = new_essay(collection, title)
    except QlabbookError as error:
        report(error.diagnostics)
        raise typer.Exit(EXIT_CONTENT) from None
    typer.echo(str(collection / path))


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


def shown_path(collection: Path, diagnostic: Diagnostic) -> str | None:
    """The file as the repository names it (GitHub annotates files by that path)."""
    if diagnostic.path is None:
        return None
    full = (collection / diagnostic.path)
    try:
        return full.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def github_escape(text: str, property_value: bool = False) -> str:
    """Workflow command escaping: %, CR and LF always; ':' and ',' in property values."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_annotation(collection: Path, diagnostic: Diagnostic, strict: bool) -> str:
    level = "error" if diagnostic.severity.value == "error" or strict else "warning"
    properties = []
    path = shown_path(collection, diagnostic)
    if path is not None:
        properties.append(f"file={github_escape(path, True)}")
        if diagnostic.line:
            properties.append(f"line={diagnostic.line}")
    properties.append(f"title={github_escape(diagnostic.code, True)}")
    message = f"{diagnostic.message} [{diagnostic.code}]"
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    return f"::{level} {','.join(properties)}::{github_escape(message)}"


def essay_rows(loaded: Collection) -> list[dict[str, Any]]:
    return [{"number": e.number, "slug": e.slug, "path": e.source.path.as_posix(),
             "title": e.title, "words": e.words, "notes": len(e.footnotes),
             "figures": len(e.figures)} for e in loaded.essays]


def essay_table(loaded: Collection) -> None:
    typer.echo(f"{'#':>3}  {'words':>6}  {'notes':>5}  {'figs':>4}  title")
    for row in essay_rows(loaded):
        typer.echo(f"{row['number']:>3}  {row['words']:>6}  {row['notes']:>5}  "
                   f"{row['figures']:>4}  {row['title']}")


def step_summary(loaded: Collection, diagnostics: Diagnostics) -> None:
    """On GitHub Actions, the per-essay report as a table on the run's summary page."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    lines = ["### qlabbook check", "",
             f"{len(diagnostics.errors)} error(s), {len(diagnostics.warnings)} warning(s)", "",
             "| # | essay | words | notes | figures |", "|--:|---|--:|--:|--:|"]
    for row in essay_rows(loaded):
        title = row["title"].replace("|", "\\|")
        lines.append(f"| {row['number']} | {title} | {row['words']} | {row['notes']} | "
                     f"{row['figures']} |")
    with open(target, "a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def check_json(collection: Path, diagnostics: Diagnostics, loaded: Collection | None,
               failed: bool) -> str:
    return json.dumps({
        "ok": not failed,
        "errors": len(diagnostics.errors),
        "warnings": len(diagnostics.warnings),
        "diagnostics": [d.as_record() for d in sorted_diagnostics(diagnostics.items)],
        "essays": essay_rows(loaded) if loaded is not None else [],
    }, indent=2, ensure_ascii=False)


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


def terminate(signum: int, frame: object) -> None:
    """SIGTERM ends a build the way Ctrl-C does, so half-written files are cleaned up."""
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, terminate)
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("qlabbook: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
