"""The book from its parts: which are laid out (in parallel, or found in the cache), where
each begins, the labels and folios of its pages, and the page map the EPUB shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from qlabbook.markdown.crossref import page_references
from qlabbook.markdown.units import AlignmentError, PageMap, PageStart, no_page_list
from qlabbook.source.diagnostics import Diagnostic, Diagnostics, Severity
from qlabbook.source.model import Collection
from qlabbook.source.process import collect_less
from qlabbook.typeset.folios import (
    COVER_LABELS,
    back_folios,
    essay_folios,
    opening_folios,
    roman,
)
from qlabbook.typeset.parts import (
    SHEET_PAGES,
    LaidOutPart,
    Part,
    PartJob,
    essay_jobs,
    matter_jobs,
    sheet_jobs,
)

# The pages the back matter (picture credits) is expected to take, so that the folio sheets
# it needs are laid out with it; a longer one waits for its own sheet.
BACK_MATTER_PAGES = 4
# How many times an essay is laid out again for its page-form references to settle.
SETTLING_PASSES = 3

# Lays parts out, in order: one by one, or in other processes.
Runner = Callable[[Sequence[PartJob]], list[LaidOutPart]]


class PartStore(Protocol):
    """Where laid-out parts are kept between builds, by PartJob.key()."""

    def get(self, key: str) -> LaidOutPart | None: ...
    def put(self, key: str, part: LaidOutPart) -> None: ...


def lay_out_here(jobs: Sequence[PartJob]) -> list[LaidOutPart]:
    from qlabbook.typeset.layout import lay_out_part

    if jobs:
        collect_less()
    return [lay_out_part(job) for job in jobs]


@dataclass
class BookLayout:
    """A book's parts in reading order, each laid out, and which of them open after a blank
    left-hand page (every essay, and the back matter, opens on a right-hand page)."""

    collection: Collection
    profile: str
    parts: list[tuple[Part, LaidOutPart]]
    blank_before: list[bool]
    # The blank page, then the folio sheets, from folio 1 on (SHEET_PAGES folios each).
    sheets: list[LaidOutPart]
    # The print page each page-form cross-reference reads, by its target's anchor.
    references: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for part in self.laid_out()
                   for d in part.diagnostics)

    def laid_out(self) -> list[LaidOutPart]:
        """Every part and sheet laid out for the book."""
        return [part for _, part in self.parts] + self.sheets

    def first_pages(self) -> list[int]:
        """The index in the book of each part's first page."""
        firsts, count = [], 0
        for (_, part), blank in zip(self.parts, self.blank_before, strict=True):
            count += blank
            firsts.append(count)
            count += part.pages
        return firsts

    def anchor_pages(self) -> dict[str, int]:
        """The index in the book of the page each anchor is on."""
        return {anchor: first + page
                for (_, laid), first in zip(self.parts, self.first_pages(), strict=True)
                for anchor, page in laid.anchors.items()}

    def page_count(self) -> int:
        return sum(part.pages for _, part in self.parts) + sum(self.blank_before)

    def labels(self) -> list[str]:
        """Every page's label, as printed and as in /PageLabels: "Cover" and "Inside cover",
        roman numerals from the title page, arabic from the first essay's opening page."""
        firsts = self.first_pages()
        main = next((first for (part, _), first in zip(self.parts, firsts, strict=True)
                     if part.kind != "front"), self.page_count())
        front = next((laid for part, laid in self.parts if part.kind == "front"), None)
        title = front.anchors.get("title-page", 0) if front is not None else 0
        return [COVER_LABELS[min(index, 1)] if index < title else
                roman(index - title + 1) if index < main else str(index - main + 1)
                for index in range(self.page_count())]

    def folios(self) -> list[int | None]:
        """The folio printed on each page: on the pages of essays and back matter, not on
        the front matter or a blank page."""
        printed: list[int | None] = [None] * self.page_count()
        labels = self.labels()
        for (part, laid), first in zip(self.parts, self.first_pages(), strict=True):
            if part.kind != "front":
                for index in range(first, first + laid.pages):
                    printed[index] = int(labels[index])
        return printed


def lay_out_books(books: Sequence[tuple[Collection, str]], store: PartStore | None,
                  run: Runner = lay_out_here,
                  furniture: PartStore | None = None) -> list[BookLayout]:
    """Each (collection, PDF profile) laid out in parts: every essay of every book first,
    in one batch, then the front and back matter, which print the essays' page numbers,
    with the folio sheets the book needs (found anew after, if the back matter is long).
    The blank page and the folio sheets are kept in `furniture` (a store shared by every
    collection) when there is one, else in `store`."""
    furniture = furniture if furniture is not None else store
    essays = [essay_jobs(collection, profile) for collection, profile in books]
    laid = iter(stored_or_laid_out([job for jobs in essays for job in jobs], store, run))
    essay_parts = [[next(laid) for _ in jobs] for jobs in essays]
    settle_page_references(books, essays, essay_parts, store, run)
    folios = [essay_folios(collection, jobs, parts) for (collection, _), jobs, parts in
              zip(books, essays, essay_parts, strict=True)]
    matter = [matter_jobs(collection, profile, printed)
              for (collection, profile), printed in zip(books, folios, strict=True)]
    sheets = [sheet_jobs(collection, profile, opening_folios(parts)[-1] + BACK_MATTER_PAGES)
              for (collection, profile), parts in zip(books, essay_parts, strict=True)]
    laid = iter(stored_or_laid_out([job for jobs in matter for job in jobs], store, run,
                                   [job for jobs in sheets for job in jobs], furniture))
    matter_parts = [[next(laid) for _ in jobs] for jobs in matter]
    sheet_parts = [[next(laid) for _ in jobs] for jobs in sheets]
    for jobs, parts, known in zip(matter, matter_parts, folios, strict=True):
        if len(jobs) > 1:  # the contents give the pages of the back matter's sections
            jobs[0], parts[0] = front_with_back_pages(jobs[0], parts[0], known, parts[1],
                                                      store, run)
    layouts = []
    for (collection, profile), jobs, parts, matter_of, laid_matter, laid_sheets in zip(
            books, essays, essay_parts, matter, matter_parts, sheet_parts, strict=True):
        order = [(matter_of[0].part, laid_matter[0])]
        order += [(job.part, part) for job, part in zip(jobs, parts, strict=True)]
        order += [(job.part, part) for job, part in zip(matter_of[1:], laid_matter[1:],
                                                         strict=True)]
        references = {anchor: page for job in jobs for anchor, page in job.folios}
        layouts.append(BookLayout(collection, profile, order, opening_blanks(order),
                                  laid_sheets, references))
    for layout in layouts:  # a back matter longer than foreseen
        printed = max((folio for folio in layout.folios() if folio is not None), default=1)
        covered = (len(layout.sheets) - 1) * SHEET_PAGES
        if printed > covered:
            layout.sheets += stored_or_laid_out(sheet_jobs(
                layout.collection, layout.profile, printed, covered + 1), furniture, run)
    return layouts


def settle_page_references(books: Sequence[tuple[Collection, str]], jobs: list[list[PartJob]],
                           parts: list[list[LaidOutPart]], store: PartStore | None,
                           run: Runner) -> None:
    """The essays whose page-form cross-references ("on p. 14") read the pages the layout
    gives, laid out again (in place in `jobs` and `parts`) with those pages until they stay
    put: printing a page number can move text, and an essay's length moves the essays
    after it. One whose pages still move after SETTLING_PASSES is said to be unsettled."""
    for _ in range(SETTLING_PASSES):
        again = [(book, index, replace(job, folios=pages))
                 for book, index, job, pages in unsettled_jobs(books, jobs, parts)]
        if not again:
            return
        laid = stored_or_laid_out([job for *_, job in again], store, run)
        for (book, index, job), part in zip(again, laid, strict=True):
            jobs[book][index], parts[book][index] = job, part
    for book, index, job, _ in unsettled_jobs(books, jobs, parts):
        essay = job.collection.essays[0]
        warning = Diagnostic("R106", f"essay {essay.number}'s page references did not settle "
                             f"in {SETTLING_PASSES} layouts: one may be a page out",
                             essay.source.path, None, Severity.WARNING,
                             "reword the sentence around the reference, or give its target "
                             "another place")
        parts[book][index] = replace(parts[book][index],
                                     diagnostics=[*parts[book][index].diagnostics, warning])


def unsettled_jobs(books: Sequence[tuple[Collection, str]], jobs: list[list[PartJob]],
                   parts: list[list[LaidOutPart]],
                   ) -> list[tuple[int, int, PartJob, tuple[tuple[str, str], ...]]]:
    """(book, index, job, the pages it should print) of each essay whose page-form
    references read other pages than the layout gives."""
    found = []
    for book, ((collection, _), book_jobs, book_parts) in enumerate(
            zip(books, jobs, parts, strict=True)):
        folios = essay_folios(collection, book_jobs, book_parts)
        for index, job in enumerate(book_jobs):
            targets = page_references(job.collection.essays[0])
            pages = tuple(sorted((a, folios[a]) for a in targets if a in folios))
            if pages != job.folios:
                found.append((book, index, job, pages))
    return found


def front_with_back_pages(front: PartJob, laid: LaidOutPart, folios: dict[str, str],
                          back: LaidOutPart, store: PartStore | None, run: Runner,
                          ) -> tuple[PartJob, LaidOutPart]:
    """The front matter again when the pages its contents give a back-matter section (the
    index, after the picture credits) are known only once the back matter is laid out."""
    printed = dict(front.folios)
    found = {anchor: page for anchor, page in back_folios(folios, back).items()
             if printed.get(anchor) != page}
    if not found:
        return front, laid
    again = replace(front, folios=tuple(sorted({**printed, **found}.items())))
    return again, stored_or_laid_out([again], store, run)[0]


def stored_or_laid_out(jobs: list[PartJob], store: PartStore | None, run: Runner,
                       more: Sequence[PartJob] = (), more_store: PartStore | None = None,
                       ) -> list[LaidOutPart]:
    """Each job's part from the store when it holds one for the job's key, else laid out
    (each distinct key once) and stored unless it failed; then those of `more`, kept in
    `more_store`, laid out in the same batch."""
    stores = [store] * len(jobs) + [more_store] * len(more)
    everything = [*jobs, *more]
    keys = [job.key() if kept is not None else f"unkept {index}"
            for index, (job, kept) in enumerate(zip(everything, stores, strict=True))]
    found: dict[str, LaidOutPart] = {}
    for key, kept in dict(zip(keys, stores, strict=True)).items():
        hit = kept.get(key) if kept is not None else None
        if hit is not None:
            found[key] = hit
    missing = {key: (job, kept) for key, job, kept in zip(keys, everything, stores,
                                                          strict=True) if key not in found}
    laid = run([job for job, _ in missing.values()])
    for (key, (_, kept)), part in zip(missing.items(), laid, strict=True):
        found[key] = part
        if kept is not None and not any(d.severity is Severity.ERROR
                                        for d in part.diagnostics):
            kept.put(key, part)
    return [found[key] for key in keys]


def opening_blanks(parts: list[tuple[Part, LaidOutPart]]) -> list[bool]:
    """A blank left-hand page before every part but the front matter that would otherwise
    open on a left-hand page (the book's first page is a right-hand one)."""
    blanks, count = [], 0
    for part, laid in parts:
        blank = part.kind != "front" and count % 2 == 1
        blanks.append(blank)
        count += blank + laid.pages
    return blanks


def book_page_map(layout: BookLayout, diagnostics: Diagnostics) -> PageMap | None:
    """Where each page of the book starts in the text units the EPUB's page list shares;
    None (and a warning) when a part's pages do not print its text as the units hold it. A
    blank page before an essay starts where the essay does; one before the back matter,
    which the EPUB does not have, starts nowhere."""
    labels = layout.labels()
    starts: list[PageStart] = []
    texts: dict[str, list[str]] = {}
    for (part, laid), first, blank in zip(layout.parts, layout.first_pages(),
                                          layout.blank_before, strict=True):
        if laid.misaligned:
            no_page_list(AlignmentError(laid.misaligned), diagnostics)
            return None
        texts.update(laid.texts)
        found = [PageStart(labels[first + page], scope, unit, offset)
                 for page, scope, unit, offset in laid.starts]
        if blank and part.kind == "essay" and found:
            first_start = found[0]
            starts.append(PageStart(labels[first - 1], first_start.scope, first_start.unit,
                                    first_start.offset))
        starts.extend(found)
    on_page = layout.anchor_pages()
    marks = {mark.target: labels[on_page[mark.target]] for essay in layout.collection.essays
             for mark in essay.index_marks if mark.target in on_page}
    # As the PDF prints them, so that the EPUB's and the web's text is the PDF's.
    return PageMap(tuple(starts), texts, {**marks, **layout.references})
