"""The library API: read the sources -> convert the Markdown -> plan the editions -> render
them (typeset and EPUB, cached, in parallel) -> write the output, one function per use."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from qlabbook.markdown.convert import convert_collection, convert_essays
from qlabbook.output.cache import (
    CACHE_FOLDER,
    RecordCache,
    Remembered,
    RenderCache,
    edition_key,
    furniture_cache,
)
from qlabbook.output.editions import WEB_FOLDER, Edition, plan_editions
from qlabbook.output.files import remove_stale, write_if_changed
from qlabbook.output.manifest import (
    MANIFEST,
    SUMS,
    Artefact,
    manifest_entries,
    manifest_json,
    sha256sums,
)
from qlabbook.source.diagnostics import Diagnostic, Diagnostics, QlabbookError, Severity
from qlabbook.source.essays import load_sources
from qlabbook.source.model import Collection, EditionFormat
from qlabbook.source.order import order_essays
from qlabbook.source.process import collect_less
from qlabbook.source.profiles import DEFAULT_PROFILE

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from qlabbook.markdown.remembered import RecordStore
    from qlabbook.typeset.book import BookLayout, PartStore, Runner
    from qlabbook.typeset.join import PartPdfs
    from qlabbook.typeset.parts import LaidOutPart, PartJob
    from qlabbook.web.images import Picture, PictureStore
    from qlabbook.web.pages import RememberedBodies

# What every worker needs, imported once in the fork server (missing ones are skipped).
WORKER_PRELOAD = ("qlabbook.build", "qlabbook.typeset.layout", "weasyprint",
                  "weasyprint.text.fonts", "PIL.Image")


class Progress(Protocol):
    """What a build tells whoever watches it; the library never prints."""

    def stage(self, message: str) -> None: ...
    def start(self, total: int) -> None: ...  # how many editions will be rendered
    def done(self, label: str) -> None: ...  # one of them is rendered


class Quiet:
    """The progress reporter when nobody is watching."""

    def stage(self, message: str) -> None:
        pass

    def start(self, total: int) -> None:
        pass

    def done(self, label: str) -> None:
        pass


class Session:
    """What one process's builds (a `watch`, a `serve`) keep alive between them, so that
    after a save only what changed is converted, laid out and joined: the layout workers
    (WeasyPrint imported, fonts, stylesheets and hyphenation loaded), the converted
    essays, the laid-out parts and their opened PDFs. What a build did not use is let go
    after it. The same sources give the same bytes with or without a session."""

    def __init__(self) -> None:
        from qlabbook.typeset.join import OpenedParts
        from qlabbook.web.pages import RememberedBodies

        self.pool: ProcessPoolExecutor | None = None
        self.pool_size = 0
        self.records: Remembered[dict[str, object]] = Remembered()
        self.parts: Remembered[LaidOutPart] = Remembered()
        self.pictures: Remembered[Picture] = Remembered()
        self.opened = OpenedParts()
        self.bodies = RememberedBodies()  # the web pages' essay texts
        self.web_pages: bytes | None = None  # the last web build's page map

    def let_go(self) -> None:
        self.records.let_go()
        self.parts.let_go()
        self.pictures.let_go()
        self.bodies.let_go()
        self.opened.let_go()

    def close(self) -> None:
        """Ends the workers; the session may start new ones if used again."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def load_collection(root: Path, diagnostics: Diagnostics | None = None,
                    cache: bool = False, session: Session | None = None) -> Collection:
    """Read, order and convert a collection; raise QlabbookError with every error found.
    With `cache`, essays converted by an earlier build and unchanged since are taken from
    the collection's cache folder (or from the session's memory)."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    sources = load_sources(root, diagnostics)
    ordered = order_essays(list(sources.essays), diagnostics)
    store: RecordStore | None = RecordCache(root / CACHE_FOLDER / "essays") if cache else None
    if store is not None and session is not None:
        store = session.records.over(store)  # type: ignore[arg-type]
    return convert_collection(root, sources.metadata, sources.options, ordered, diagnostics,
                              store)


def inspect_collection(root: Path, diagnostics: Diagnostics) -> Collection | None:
    """`check`'s view: every problem, and whatever essays could be read, without raising
    (None when the collection cannot be read at all)."""
    try:
        sources = load_sources(root, diagnostics)
    except QlabbookError:
        return None
    ordered = order_essays(list(sources.essays), diagnostics)
    if "web" in sources.options.formats:
        from qlabbook.web.paths import check_site_folders

        check_site_folders(ordered, diagnostics)
    return convert_essays(root, sources.metadata, sources.options, ordered, diagnostics,
                          uncited=True)


@dataclass
class BuildReport:
    """What a build did: the files it wrote (or found already up to date) and which editions
    were rendered or came from the cache."""

    written: list[Path] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    seconds: float = 0.0
    provisional: bool = False  # the web pages only, with the last layout's page numbers


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class BuildRequest:
    """What one build is asked for, assembled once by whoever asks (a command, a watch's
    every rebuild, a test). Empty `formats` and `profiles` leave the choice to the
    collection's [build] formats and [pdf] profiles."""

    root: Path
    out: Path | None = None  # default root/dist
    formats: tuple[EditionFormat, ...] = ()
    essays: bool | None = None  # one edition per essay too; None: [build] essays
    only: tuple[int, ...] = ()  # just these essays' editions (and no web edition)
    jobs: int | None = None  # None: every core this process may use
    cache: bool = True
    strict: bool = False  # warnings fail the build
    profiles: tuple[str, ...] = ()  # PDF profiles (screen, press)
    # With a session, the web edition alone, laid out by nothing: its pages take their
    # print page numbers from the session's last layout (serve shows an edit at once).
    provisional: bool = False

    @property
    def target(self) -> Path:
        """The output folder."""
        return self.out if self.out is not None else self.root / "dist"


def build(request: BuildRequest, diagnostics: Diagnostics | None = None,
          progress: Progress | None = None, session: Session | None = None) -> BuildReport:
    """Build the editions `request` asks for into its output folder: the collected edition,
    and one per essay when asked. A `session` keeps workers and what was read in memory for
    the next build (`watch`, `serve`). Nothing is written unless all of them rendered; each
    file appears whole or not at all."""
    try:
        return build_once(request, diagnostics if diagnostics is not None else Diagnostics(),
                          progress if progress is not None else Quiet(), session)
    finally:
        if session is not None:
            session.let_go()


def build_once(request: BuildRequest, diagnostics: Diagnostics, progress: Progress,
               session: Session | None) -> BuildReport:
    started = time.perf_counter()
    progress.stage("reading essays")
    collection = load_collection(request.root, diagnostics, request.cache, session)
    plan = plan_request(request, collection, diagnostics)
    report = BuildReport()
    render_cache = RenderCache(request.root / CACHE_FOLDER if request.cache else None)
    if request.provisional and session is not None and session.web_pages is not None \
            and [edition.format for edition in plan] == ["web"]:
        # The pages now, with the print page numbers of the last layout (placed by their
        # text, which an edit hardly moves); the build that follows lays out the change.
        artefacts = [Artefact(plan[0].path, "web", session.web_pages)]
        report.provisional = True
    else:
        artefacts = render_editions(plan, diagnostics, progress, report, render_cache,
                                    request.jobs or default_jobs(), session)
    diagnostics.raise_if_errors()
    if any(a.format == "web" for a in artefacts):
        progress.stage("making the web edition")
        pictures: PictureStore = render_cache.pictures
        if session is not None and render_cache.folder is not None:
            pictures = session.pictures.over(render_cache.pictures)
        if session is not None:
            session.web_pages = next(a.data for a in artefacts if a.format == "web")
        artefacts = with_web_site(collection, artefacts, diagnostics,
                                  pictures if render_cache.folder is not None else None,
                                  session.bodies if session is not None else None)
    if request.strict and diagnostics.warnings:
        raise QlabbookError(list(diagnostics.items))
    progress.stage("writing")
    report.written = write_artefacts(collection, artefacts, request.target, diagnostics)
    report.seconds = time.perf_counter() - started
    return report


def plan_request(request: BuildRequest, collection: Collection,
                 diagnostics: Diagnostics) -> list[Edition]:
    """The editions a request asks of the collection, once its essay numbers are checked."""
    numbers = [e.number for e in collection.essays]
    for number in dict.fromkeys(request.only):
        if number not in numbers:
            diagnostics.error("A104", f"there is no essay number {number}",
                              hint="the series has essays " + ", ".join(map(str, numbers)))
    diagnostics.raise_if_errors()
    per_essay = collection.options.essays if request.essays is None else request.essays
    chosen = list(request.only) if request.only else numbers if per_essay else []
    formats = request.formats or collection.options.formats
    if request.only and "web" in formats:
        diagnostics.warning("H102", "the web edition is the whole series': a build of "
                            "single essays (--essay) does not write it",
                            hint="build without --essay to write OUT/web/")
    elif "web" in formats:
        from qlabbook.web.paths import check_site_folders

        check_site_folders((essay.source for essay in collection.essays), diagnostics)
        diagnostics.raise_if_errors()
    return plan_editions(collection, formats, collected=not request.only, essays=chosen,
                         profiles=request.profiles or None)


def write_artefacts(collection: Collection, artefacts: list[Artefact], out: Path,
                    diagnostics: Diagnostics) -> list[Path]:
    """Writes every artefact, the manifest and the checksums into `out`; the files written
    (or found already up to date)."""
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for artefact in artefacts:
            write_if_changed(out / artefact.path, artefact.data)
            written.append(out / artefact.path)
        if any(a.format == "web" for a in artefacts):
            remove_stale(out / WEB_FOLDER, {out / a.path for a in artefacts})
        entries = manifest_entries(collection, artefacts, out)
        write_if_changed(out / MANIFEST, manifest_json(collection, entries).encode("utf-8"))
        write_if_changed(out / SUMS, sha256sums(entries).encode("utf-8"))
    except OSError as error:
        diagnostics.error("W101", f"cannot write {error.filename or out}: {error.strerror}",
                          hint="check that the output folder is writable")
        raise QlabbookError(diagnostics.items) from error
    return [*written, out / MANIFEST, out / SUMS]


def render_editions(plan: list[Edition], diagnostics: Diagnostics, progress: Progress,
                    report: BuildReport, cache: RenderCache, jobs: int,
                    session: Session | None = None) -> list[Artefact]:
    """Each edition from the cache when its inputs are unchanged, else rendered from its
    book's layout: the parts of every book that needs one, laid out together (in parallel
    processes when jobs allow), or found in the cache of parts."""
    keys = [edition_key(edition) if cache.folder is not None else "" for edition in plan]
    results: dict[int, tuple[bytes, list[Diagnostic]]] = {}
    for index, (edition, key) in enumerate(zip(plan, keys, strict=True)):
        hit = cache.get(edition, key) if key else None
        if hit is not None:
            results[index] = hit
            report.cached.append(edition.label)
    misses = [i for i in range(len(plan)) if i not in results]
    progress.start(len(misses))
    books = {book_id(plan[index]): book_of(plan[index]) for index in misses}
    if books:
        from qlabbook.typeset.book import lay_out_books

        progress.stage("laying out pages")
        parts: PartStore | None = cache.parts if cache.folder is not None else None
        if parts is not None and session is not None:
            parts = session.parts.over(cache.parts)
        furniture = furniture_cache()
        with part_runner(jobs, session) as run:
            layouts = dict(zip(books, lay_out_books(list(books.values()), parts, run,
                                                    furniture), strict=True))
        furniture.prune()
        for index in misses:
            edition = plan[index]
            layout = layouts[book_id(edition)]
            found = Diagnostics()
            for part in layout.laid_out():
                for diagnostic in part.diagnostics:
                    found.add(diagnostic)
            results[index] = (render(edition, layout, found, cache.covers.cover,
                                     session.opened if session is not None else None),
                              found.items)
            progress.done(edition.label)
        cache.parts.prune()
    artefacts = []
    for index, edition in enumerate(plan):
        data, found_items = results[index]
        for diagnostic in found_items:
            diagnostics.add(diagnostic)
        if index in misses:
            report.rendered.append(edition.label)
            if keys[index] and not any(d.severity is Severity.ERROR for d in found_items):
                cache.put(edition, keys[index], data, found_items)
        artefacts.append(Artefact(edition.path, edition.format, data, edition.essay,
                                  edition.profile))
    return artefacts


def book_of(edition: Edition) -> tuple[Collection, str]:
    """The book an edition is made from: its collection laid out for its PDF profile (the
    screen profile for an EPUB, whose page list follows the screen PDF)."""
    profile = edition.profile if edition.format == "pdf" and edition.profile \
        else DEFAULT_PROFILE
    return edition.collection, profile


def book_id(edition: Edition) -> tuple[int, str]:
    collection, profile = book_of(edition)
    return id(collection), profile


def start_pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=worker_context(),
                               initializer=enter_build,
                               initargs=(dict(os.environ), os.getcwd()))


@contextmanager
def part_runner(jobs: int, session: Session | None = None) -> Iterator[Runner]:
    """Lays parts out here, or, for more than one part when jobs allow, in a pool of
    processes started once for the whole build. A session's pool outlives the build, and
    lays out even a single part: its workers are warm, and this process stays small."""
    from qlabbook.typeset.book import lay_out_here

    pool: ProcessPoolExecutor | None = None
    if session is not None and session.pool is not None and session.pool_size == jobs:
        pool = session.pool
    elif session is not None:
        session.close()  # another -j: new workers

    def run(batch: Sequence[PartJob]) -> list[LaidOutPart]:
        nonlocal pool
        if jobs <= 1 or (len(batch) <= 1 and session is None) or not batch:
            return lay_out_here(batch)
        if pool is None:
            pool = start_pool(jobs)
            if session is not None:
                session.pool, session.pool_size = pool, jobs
        from qlabbook.typeset.layout import lay_out_part

        futures = [pool.submit(lay_out_part, job) for job in batch]
        return [future.result() for future in futures]

    try:
        yield run
    except BaseException:
        if pool is not None:
            stop_pool(pool)
            if session is not None:
                session.pool = None
        raise
    if pool is not None and session is None:
        pool.shutdown()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """A stopped build stops its workers too, not after the parts they lay out: Python
    3.11's pool has no public way to, so its processes are ended here."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def worker_context() -> BaseContext:
    """Where it exists, a fork server: a clean process (no threads, whatever this one runs,
    such as a progress display) that imports the renderers once; each worker forks from it
    with them loaded. It lives as long as this process, so `watch` pays for it once."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # no fork on this system
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(list(WORKER_PRELOAD))
    return context


def enter_build(environment: dict[str, str], folder: str) -> None:
    """A worker lays out in the environment (SOURCE_DATE_EPOCH above all) and the working
    folder (the collection's path may be relative) of the build, not those the fork server
    started in; its collector tuned for laying out."""
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(folder)
    collect_less()


def render(edition: Edition, layout: BookLayout, diagnostics: Diagnostics,
           cover: Callable[[Collection], bytes] | None = None,
           pdfs: PartPdfs | None = None) -> bytes:
    """One edition's bytes from its book's layout: the PDF joined from its parts (opened
    by `pdfs`, which may keep them open between builds), or the EPUB with a page list
    read off the screen layout (and its cover from `cover`, which may keep it between
    builds)."""
    if layout.failed:
        return b""  # the layout has said so (an error, which ends the build)
    if edition.format == "pdf":
        from qlabbook.typeset.pdf import render_pdf

        return render_pdf(layout, diagnostics, pdfs)
    from qlabbook.typeset.book import book_page_map

    if edition.format == "web":  # the site is written once the downloads are made
        from qlabbook.web.printpages import page_map_bytes, without_page_numbers

        unfollowed = Diagnostics()  # what the EPUB says of its page list, said for the web
        pages = book_page_map(layout, unfollowed)
        if unfollowed.items:
            without_page_numbers(diagnostics)
        return page_map_bytes(pages)
    from qlabbook.epub.package import render_epub

    return render_epub(edition.collection, diagnostics, book_page_map(layout, diagnostics),
                       cover(edition.collection) if cover is not None else None)


def with_web_site(collection: Collection, artefacts: list[Artefact],
                  diagnostics: Diagnostics, pictures: PictureStore | None = None,
                  bodies: RememberedBodies | None = None) -> list[Artefact]:
    """The artefacts with the web edition's files in place of its page map: the site is
    made from the page map and offers the other artefacts, with their sizes, to download.
    Its pictures are kept in `pictures` between builds, its essays' texts in `bodies`."""
    from qlabbook.web.printpages import page_map_from_bytes
    from qlabbook.web.site import Download, render_site

    web = [a for a in artefacts if a.format == "web"]
    others = [a for a in artefacts if a.format != "web"]
    if not web:
        return artefacts
    downloads = [Download(a.path.as_posix(), a.format, a.data, a.essay, a.profile)
                 for a in others]
    site = render_site(collection, diagnostics, page_map_from_bytes(web[0].data), downloads,
                       pictures, bodies)
    return others + [Artefact(Path(WEB_FOLDER) / name, "web", data)
                     for name, data in sorted(site.items())]
