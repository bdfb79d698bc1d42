"""`qlabbook serve`: build the web edition, serve it, rebuild and reload on every change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qlabbook.cli.progress import rebuilt_after, summary
from qlabbook.cli.reports import report
from qlabbook.source.diagnostics import Diagnostics, QlabbookError

if TYPE_CHECKING:
    from qlabbook.build import BuildRequest, Session

EXIT_USAGE = 2


def serve(
    collection: Annotated[Path, typer.Argument(
        help="The collection folder (holding qlabbook.toml and essays/).",
        exists=True, file_okay=False, dir_okay=True)] = Path("."),
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535,
                                      help="The port on 127.0.0.1 (0: any free one).")] = 8000,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder [default: COLLECTION/dist].")] = None,
    downloads: Annotated[bool, typer.Option(
        "--downloads/--no-downloads", help="Also build the PDF and EPUB the pages offer "
        "(slower to rebuild).")] = False,
) -> None:
    """Build the web edition into OUT/web/, serve it on http://127.0.0.1:PORT/ and rebuild
    it each time a file of the collection is saved; open pages reload themselves, first
    with the last layout's print page numbers, then with the new ones. Ctrl-C stops."""
    from qlabbook import build as library
    from qlabbook.source.watch import watch_collection
    from qlabbook.web.serve import SiteServer

    request = library.BuildRequest(
        collection, out, ("pdf", "epub", "web") if downloads else ("web",))
    site = request.target / "web"
    watcher = watch_collection(collection, (request.target,))
    session = library.Session()  # workers and what was read stay warm between builds
    rebuild(request, session, [])
    site.mkdir(parents=True, exist_ok=True)
    try:
        server = SiteServer(site, port).start()
    except OSError as error:
        watcher.close()
        session.close()
        typer.echo(f"qlabbook: cannot serve on 127.0.0.1:{port}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"qlabbook: serving {site} at {server.url} (Ctrl-C to stop)", err=True)
    try:
        while True:
            changed = watcher.wait()
            if not downloads and rebuild(replace(request, provisional=True), session, changed):
                server.reload()  # the edit shows before its pages are laid out
            if rebuild(request, session, changed):
                server.reload()
    except KeyboardInterrupt:
        typer.echo("qlabbook: stopped serving", err=True)
    finally:
        server.stop()
        watcher.close()
        session.close()


def rebuild(request: BuildRequest, session: Session, changed: list[str]) -> bool:
    """Whether the build wrote the site; a provisional one says nothing of errors, which
    the build after it reports."""
    from qlabbook.build import build

    diagnostics = Diagnostics()
    clock = dt.datetime.now().strftime("%H:%M:%S")
    because = rebuilt_after(changed)
    try:
        result = build(request, diagnostics, session=session)
    except QlabbookError:
        if not request.provisional:
            report(diagnostics.items)
            typer.echo(f"{clock} not built{because}: {len(diagnostics.errors)} "
                       "error(s); waiting for a fix")
        return False
    except OSError as error:
        if not request.provisional:
            typer.echo(f"{clock} not built{because}: {error.strerror}: {error.filename}")
        return False
    if result.provisional:
        typer.echo(f"{clock} pages written{because}, print page numbers to follow")
    else:
        report(diagnostics.items)
        typer.echo(f"{clock} built{because}: {summary(result)}")
    return True
