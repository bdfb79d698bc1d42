"""The library API: read the sources -> convert the Markdown -> plan the editions -> render
them (typeset and EPUB, cached, in parallel) -> write the output, one function per use."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qlabbook.markdown.convert import convert_collection, convert_essays
from qlabbook.output.cache import CACHE_FOLDER, RenderCache, edition_key
from qlabbook.output.editions import FORMATS as FORMATS
from qlabbook.output.editions import Edition, plan_editions
from qlabbook.output.files import write_if_changed
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
from qlabbook.source.model import Collection
from qlabbook.source.order import order_essays
from qlabbook.source.profiles import DEFAULT_PROFILE

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

# What every worker needs, imported once in the fork server (missing ones are skipped).
WORKER_PRELOAD = ("qlabbook.build", "qlabbook.typeset.pdf", "qlabbook.epub.package", "weasyprint",
                  "weasyprint.text.fonts", "ebooklib.epub", "PIL.Image")


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


def load_collection(root: Path, diagnostics: Diagnostics | None = None) -> Collection:
    """Read, order and convert a collection; raise QlabbookError with every error found."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    metadata, options, sources = load_sources(root, diagnostics)
    ordered = order_essays(sources, diagnostics)
    return convert_collection(root, metadata, options, ordered, diagnostics)


def inspect_collection(root: Path, diagnostics: Diagnostics) -> Collection | None:
    """`check`'s view: every problem, and whatever essays could be read, without raising
    (None when the collection cannot be read at all)."""
    try:
        metadata, options, sources = load_sources(root, diagnostics)
    except QlabbookError:
        return None
    ordered = order_essays(sources, diagnostics)
    return convert_essays(root, metadata, options, ordered, diagnostics, uncited=True)


@dataclass
class BuildReport:
    """What a build did: the files it wrote (or found already up to date) and which editions
    were rendered or came from the cache."""

    written: list[Path] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    seconds: float = 0.0


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build(root: Path, out: Path | None = None, formats: Sequence[str] = FORMATS,
          diagnostics: Diagnostics | None = None, progress: Progress | None = None,
          strict: bool = False, essays: bool | None = None, only: Sequence[int] = (),
          jobs: int | None = None, cache: bool = True,
          pdf_profiles: Sequence[str] | None = None) -> BuildReport:
    """Build the editions into `out` (default root/dist): the collected edition, and with
    `essays` (default: the collection's [build] essays) one per essay; `only` builds just
    those essays' editions. `pdf_profiles` (screen, press) overrides [pdf] profiles.
    Nothing is written unless all of them rendered; each file appears whole or not at all."""
    started = time.perf_counter()
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    progress = progress if progress is not None else Quiet()
    progress.stage("reading essays")
    collection = load_collection(root, diagnostics)
    out = out if out is not None else root / "dist"
    numbers = [e.number for e in collection.essays]
    for number in dict.fromkeys(only):
        if number not in numbers:
            diagnostics.error("A104", f"there is no essay number {number}",
                              hint="the series has essays " + ", ".join(map(str, numbers)))
    diagnostics.raise_if_errors()
    per_essay = collection.options.essays if essays is None else essays
    chosen = list(only) if only else numbers if per_essay else []
    plan = plan_editions(collection, list(formats), collected=not only, essays=chosen,
                         profiles=pdf_profiles)
    report = BuildReport()
    render_cache = RenderCache(root / CACHE_FOLDER if cache else None)
    artefacts = render_editions(plan, diagnostics, progress, report, render_cache,
                                jobs or default_jobs())
    diagnostics.raise_if_errors()
    if strict and diagnostics.warnings:
        raise QlabbookError(list(diagnostics.items))
    progress.stage("writing")
    try:
        out.mkdir(parents=True, exist_ok=True)
        for artefact in artefacts:
            write_if_changed(out / artefact.path, artefact.data)
            report.written.append(out / artefact.path)
        entries = manifest_entries(collection, artefacts, out)
        write_if_changed(out / MANIFEST, manifest_json(collection, entries).encode("utf-8"))
        write_if_changed(out / SUMS, sha256sums(entries).encode("utf-8"))
    except OSError as error:
        diagnostics.error("W101", f"cannot write {error.filename or out}: {error.strerror}",
                          hint="check that the output folder is writable")
        raise QlabbookError(diagnostics.items) from error
    report.written += [out / MANIFEST, out / SUMS]
    report.seconds = time.perf_counter() - started
    return report


def render_editions(plan: list[Edition], diagnostics: Diagnostics, progress: Progress,
                    report: BuildReport, cache: RenderCache, jobs: int) -> list[Artefact]:
    """Each edition from the cache when its inputs are unchanged, else rendered: in
    parallel processes when more than one needs it and jobs allow."""
    keys = [edition_key(edition) if cache.folder is not None else "" for edition in plan]
    results: dict[int, tuple[bytes, list[Diagnostic]]] = {}
    for index, (edition, key) in enumerate(zip(plan, keys, strict=True)):
        hit = cache.get(edition, key) if key else None
        if hit is not None:
            results[index] = hit
            report.cached.append(edition.label)
    misses = [i for i in range(len(plan)) if i not in results]
    progress.start(len(misses))
    groups = together(plan, misses)
    if jobs <= 1 or len(groups) <= 1:
        for group in groups:
            rendered = render_formats(plan[group[0]].collection,
                                      [(plan[i].format, plan[i].profile) for i in group])
            for index, result in zip(group, rendered, strict=True):
                results[index] = result
                progress.done(plan[index].label)
    else:
        results.update(render_in_parallel(plan, groups, progress, jobs))
    artefacts = []
    for index, edition in enumerate(plan):
        data, found = results[index]
        for diagnostic in found:
            diagnostics.add(diagnostic)
        if index in misses:
            report.rendered.append(edition.label)
            if keys[index] and not any(d.severity is Severity.ERROR for d in found):
                cache.put(edition, keys[index], data, found)
        artefacts.append(Artefact(edition.path, edition.format, data, edition.essay,
                                  edition.profile))
    return artefacts


def together(plan: list[Edition], misses: list[int]) -> list[list[int]]:
    """The editions to render, grouped by the book they are formats of: one layout of its
    pages makes its PDF and its EPUB's page list."""
    groups: dict[int, list[int]] = {}
    for index in misses:
        groups.setdefault(id(plan[index].collection), []).append(index)
    return list(groups.values())


def render_in_parallel(plan: list[Edition], groups: list[list[int]], progress: Progress,
                       jobs: int) -> dict[int, tuple[bytes, list[Diagnostic]]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(groups)), mp_context=worker_context())
    environment, folder = dict(os.environ), os.getcwd()
    results = {}
    try:
        futures = {pool.submit(render_in_worker, plan[group[0]].collection,
                               [(plan[i].format, plan[i].profile) for i in group],
                               environment, folder): group
                   for group in groups}  # the collected edition, the longest, goes first
        for future in as_completed(futures):
            group = futures[future]
            for index, result in zip(group, future.result(), strict=True):
                results[index] = result
                progress.done(plan[index].label)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


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


def render_in_worker(collection: Collection, editions: list[tuple[str, str]],
                     environment: dict[str, str],
                     folder: str) -> list[tuple[bytes, list[Diagnostic]]]:
    """Render in the environment (SOURCE_DATE_EPOCH above all) and the working folder (the
    collection's path may be relative) of the build, not those the fork server started in."""
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(folder)
    return render_formats(collection, editions)


def render_formats(collection: Collection, editions: Sequence[tuple[str, str]]) -> list[
        tuple[bytes, list[Diagnostic]]]:
    """The book in each (format, PDF profile), each from its profile's layout, made once:
    the screen PDF is written from the same layout the EPUB's page list is read from. Each
    edition's bytes and what the renderers said."""
    from qlabbook.typeset.layout import laid_out

    layouts: dict[str, tuple[Any, list[Diagnostic]]] = {}
    results = []
    for fmt, profile in editions:
        chosen = profile if fmt == "pdf" and profile else DEFAULT_PROFILE
        if chosen not in layouts:
            found = Diagnostics()
            layouts[chosen] = (laid_out(collection, found, chosen), found.items)
        layout, found_while_laying_out = layouts[chosen]
        diagnostics = Diagnostics()
        for diagnostic in found_while_laying_out:
            diagnostics.add(diagnostic)
        # A failed layout has said so (an error, which ends the build): nothing to render.
        data = b"" if layout is None else render(collection, fmt, diagnostics, profile, layout)
        results.append((data, diagnostics.items))
    return results


def render(collection: Collection, fmt: str, diagnostics: Diagnostics,
           profile: str = "", layout: Any = None) -> bytes:
    """One edition's bytes, from `layout` (the laid-out pages of the profile's PDF, or of
    the screen PDF for an EPUB) when the build has one."""
    if fmt == "pdf":
        from qlabbook.typeset.pdf import render_pdf

        return render_pdf(collection, diagnostics, profile or DEFAULT_PROFILE, layout)
    from qlabbook.epub.package import render_epub
    from qlabbook.typeset.pagemap import print_page_map

    return render_epub(collection, diagnostics, print_page_map(layout, diagnostics))

