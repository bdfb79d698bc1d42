"""bench/results.md: the machine, the figures of the targets table, every row in detail,
output sizes and font programs and, with --profile, where the time goes."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from fonts import font_programs

if TYPE_CHECKING:
    from run import Case

PEAK_LIMIT = 600  # MiB, the large collection's collected PDF at -j 1
FLOOR_LIMIT = 1.25  # a cold -j 1 build against WeasyPrint alone on the same parts
FONT_LIMIT = 2  # MiB of font programs in the large collection's collected PDF
WHOLE_LIMIT = 1.1  # the joined PDF against the same book laid out as one document
NOTES = [
    "The engine floor is WeasyPrint alone, in one process started for it: each part of the "
    "book (front and back matter, every essay, the blank page and the folio sheets) laid "
    "out (render()) and written (write_pdf()) once from its final print HTML, after "
    "settling, with one font configuration and each distinct stylesheet parsed once, and the "
    "figures as qlabbook fits them; no settling, no joining, no finishing. That HTML is "
    "made by qlabbook's own code (typeset.layout.settled_input) and dumped by bench/floor.py "
    "beforehand, untimed; like every row's, the floor's time includes starting Python and "
    "importing WeasyPrint.",
    "The edits change one word of the middle essay, a different word each time. In a "
    "running watch (`--format pdf --pdf-profile screen`) and serve (the web edition only), "
    "each at their default `--jobs`, started once a round and stopped with Ctrl-C, every "
    "edit is timed by the harness from the save to the collected PDF replaced (a new inode "
    "or mtime; the watch's next \"built\" line confirms it), or to the server's reload signal "
    "(its build number, which open pages reload on, changing at /__qlabbook__/version, "
    "after the essay's page is rewritten; where there is none, the page rewritten); their "
    "CPU s and peak MiB are those of the whole "
    "session, its first build included. The build row is `qlabbook build` after a build that "
    "warmed the cache.",
    "The book laid out whole is one WeasyPrint document of the large collection "
    "(typeset.document.render_document), not settled, written with the parts' PDF options: "
    "the reference for the joined PDF's size and fonts. Font programs are the FontFile, "
    "FontFile2 and FontFile3 streams (pikepdf), their stored bytes, each face named by its "
    "font's name without the subset tag.",
]
Row = tuple[str, str, str, str, str, str]  # figure, qlabbook, baseline, ratio, target, met


def median(case: Case | None) -> float | None:
    return statistics.median(case.seconds) if case is not None and case.seconds else None


def met(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "**no**"


def essays(n: int) -> str:
    return f"{n} essay{'s' if n != 1 else ''}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Results:
    started: dt.datetime
    small: int
    large: int
    repeats: int
    env: dict[str, str]
    note: str = ""
    cases: list[Case] = field(default_factory=list)
    pandoc: str = "pandoc"
    rounds: int = 0
    profile: list[str] = field(default_factory=list)
    whole_pdf: Path | None = None  # the large book laid out whole
    load_at_start: str = field(default_factory=load)

    def case(self, key: str) -> Case | None:
        return next((c for c in self.cases if c.key == key), None)

    def seconds(self, key: str) -> float | None:
        return median(self.case(key))

    def ratio_row(self, figure: str, ours: float | None, base: float | None, label: str,
                  limit: float) -> Row:
        if ours is None or base is None:
            return (figure, seconds(ours), seconds(base, label), "", f"≤ {limit}×", "")
        value = ours / base
        return (figure, seconds(ours), seconds(base, label), f"{value:.2f}×",
                f"≤ {limit}×", met(value <= limit))

    def figures(self) -> list[Row]:
        small, large = essays(self.small), essays(self.large)
        rows = []
        for size, pdf in (("small", "small/pdf"), ("large", "large/pdf-j1")):
            rows.append(self.ratio_row(
                f"collected PDF, {essays(getattr(self, size))}, cold, -j 1, vs the engine "
                "floor", self.seconds(pdf), self.seconds(f"{size}/floor"), "engine floor",
                FLOOR_LIMIT))
        for jobs, limit in (("1", 1.2), ("2", 0.8)):
            for size, pdf in (("small", "small/pdf" if jobs == "1" else "small/pdf-j2"),
                              ("large", f"large/pdf-j{jobs}")):
                rows.append(self.ratio_row(
                    f"collected PDF, {essays(getattr(self, size))}, cold, -j {jobs}, vs "
                    "pandoc + WeasyPrint", self.seconds(pdf), self.seconds(f"{size}/pandoc-pdf"),
                    "pandoc PDF", limit))
        edit = f"one-word edit in one essay of {large}"
        return [
            *rows,
            self.time_row(f"{edit}, in a running qlabbook watch: save to PDF replaced",
                          "large/watch", 2.0),
            self.time_row(f"{edit}, through qlabbook build, cache warm", "large/edit", 3.0),
            self.time_row(f"{edit}, in a running qlabbook serve: save to reload signal",
                          "large/serve", 1.0),
            self.ratio_row(f"EPUB-only build right after a PDF build, {small}, vs "
                           "pandoc's EPUB", self.seconds("small/epub-after-pdf"),
                           self.seconds("small/pandoc-epub"), "pandoc EPUB", 0.5),
            self.peak_row(large),
            self.fonts_row(large),
            self.whole_size_row(large),
            self.size_row(small),
            self.time_row("start-up: qlabbook --help", "startup", 0.3),
        ]

    def peak_row(self, large: str) -> Row:
        ours, theirs = self.case("large/pdf-j1"), self.case("large/pandoc-pdf")
        figure = f"peak RSS, {large}, cold collected PDF, -j 1"
        if ours is None or not ours.peaks:
            return (figure, "", "", "", f"≤ {PEAK_LIMIT} MiB", "")
        base = f"{max(theirs.peaks):.0f} MiB (pandoc PDF)" if theirs and theirs.peaks else ""
        return (figure, f"{max(ours.peaks):.0f} MiB", base, "", f"≤ {PEAK_LIMIT} MiB",
                met(max(ours.peaks) <= PEAK_LIMIT))

    def time_row(self, figure: str, key: str, limit: float) -> Row:
        ours = self.seconds(key)
        return (figure, seconds(ours), "", "", f"< {limit} s (wall time)",
                met(None if ours is None else ours < limit))

    def whole(self) -> Path | None:
        return self.whole_pdf if self.whole_pdf is not None and self.whole_pdf.is_file() \
            else None

    def fonts_row(self, large: str) -> Row:
        figure = f"font programs in the collected PDF, {large}"
        target = f"≤ {FONT_LIMIT} MiB in total, one a face"
        ours, whole = output_pdf(self.case("large/pdf-j1")), self.whole()
        base = font_programs(whole).summary() + " (the book laid out whole)" if whole else ""
        if ours is None:
            return (figure, "", base, "", target, "")
        found = font_programs(ours)
        return (figure, found.summary(), base, "", target,
                met(found.bytes <= FONT_LIMIT * 2**20 and found.most <= 1))

    def whole_size_row(self, large: str) -> Row:
        figure = f"output size: collected PDF, {large}, vs the same book laid out whole"
        return self.file_ratio_row(figure, output_pdf(self.case("large/pdf-j1")),
                                   self.whole(), "laid out whole", WHOLE_LIMIT)

    def size_row(self, small: str) -> Row:
        figure = f"output size: collected PDF, {small}, vs pandoc's PDF"
        return self.file_ratio_row(figure, output_pdf(self.case("small/pdf")),
                                   output_pdf(self.case("small/pandoc-pdf")), "pandoc PDF", 1.0)

    @staticmethod
    def file_ratio_row(figure: str, ours: Path | None, theirs: Path | None, label: str,
                       limit: float) -> Row:
        if ours is None or theirs is None:
            return (figure, "", "", "", f"≤ {limit}×", "")
        value = ours.stat().st_size / theirs.stat().st_size
        return (figure, mebibytes(ours), f"{mebibytes(theirs)} ({label})", f"{value:.2f}×",
                f"≤ {limit}×", met(value <= limit))

    def header(self) -> list[str]:
        done = "" if self.rounds >= self.repeats else \
            f" (incomplete: {self.rounds} of {self.repeats} rounds done)"
        return [f"# qlabbook benchmark, {self.started:%Y-%m-%d %H:%M} UTC{done}", "",
                *machine(), f"- Load average at the start: {self.load_at_start}",
                f"- Load average at the end: {load()}", versions(self.pandoc, self.env),
                f"- Collections: {essays(self.small)} and {essays(self.large)} generated by "
                "bench/corpus.py. Each row is the median of "
                f"{self.rounds} run{'s' if self.rounds != 1 else ''} (wall time), the rows "
                "of a group alternating; CPU s is the median user + system time of the "
                "command and every process it started; peak MiB is the largest resident "
                "set of any one of them. qlabbook makes the screen PDF only (--pdf-profile "
                "screen); cold is --no-cache.",
                *([f"- {self.note}"] if self.note else [])]

    def markdown(self) -> str:
        lines = [*self.header(), "", "## Targets (issue 22)", "",
                 "| figure | qlabbook | baseline | ratio | target | met |",
                 "| --- | ---: | ---: | ---: | --- | --- |",
                 *(f"| {number}. " + " | ".join(row) + " |"
                   for number, row in enumerate(self.figures(), 1)), "",
                 *(f"- {note}" for note in NOTES), "",
                 "## Every run", "", *self.detail(), "", "## Output", "", *self.sizes()]
        if self.profile:
            lines += ["", *self.profile]
        return "\n".join(lines) + "\n"

    def detail(self) -> list[str]:
        lines = ["| group | run | median s | runs (s) | CPU s | peak MiB |",
                 "| --- | --- | ---: | --- | ---: | ---: |"]
        for case in self.cases:
            if not case.seconds:
                continue
            runs = " ".join(f"{s:.2f}" for s in case.seconds)
            lines.append(f"| {case.group} | {case.name} | {median(case):.2f} | {runs} | "
                         f"{statistics.median(case.cpu):.2f} | {max(case.peaks):.0f} |")
        return lines

    def sizes(self) -> list[str]:
        lines = ["| collection | file | pages | MiB | font programs | font MiB | faces "
                 "(most programs a face) |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        files = [(case.group, case.name, output_pdf(case)) for case in self.cases]
        files.append((essays(self.large), "the same book laid out whole (reference)",
                      self.whole()))
        for group, name, path in files:
            if path is not None:
                fonts = font_programs(path)
                lines.append(f"| {group} | {name} | {pdf_pages(path)} | "
                             f"{path.stat().st_size / 2**20:.2f} | {fonts.programs} | "
                             f"{fonts.bytes / 2**20:.2f} | {fonts.faces} ({fonts.most}) |")
        return lines


def seconds(value: float | None, label: str = "") -> str:
    if value is None:
        return "not measured"
    return f"{value:.2f} s" + (f" ({label})" if label else "")


def mebibytes(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:.2f} MiB"


def output_pdf(case: Case | None) -> Path | None:
    """The PDF a case wrote: the file, or the one PDF at the top of its output folder."""
    if case is None or case.output is None or not case.seconds:
        return None
    if case.output.is_file():
        return case.output
    found = sorted(case.output.glob("*.pdf")) if case.output.is_dir() else []
    return found[0] if found else None


def pdf_pages(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return str(len(PdfReader(path).pages))


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = found.group(1).strip() if found else model
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)
        memory = f", {int(found.group(1)) / 2**20:.1f} GiB memory" if found else ""
    return [f"- Machine: {os.cpu_count()} cores, {model}{memory}, "
            f"{platform.system()} {platform.release()}"]


def commit(env: dict[str, str]) -> str:
    """The commit of the qlabbook the runs imported (PYTHONPATH may name a work tree)."""
    where = subprocess.run([sys.executable, "-c", "import qlabbook; print(qlabbook.__file__)"],
                           capture_output=True, text=True, env=env).stdout.strip()
    if not where:
        return "unknown"
    folder = str(Path(where).parent)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", folder, *args], capture_output=True,
                              text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    changed = git("status", "--porcelain", "--", ".")
    dirty = ", with uncommitted changes to its code" if changed else ""
    return f"{head} on {git('rev-parse', '--abbrev-ref', 'HEAD')}{dirty}"


def versions(pandoc: str, env: dict[str, str]) -> str:
    pandoc_version = subprocess.run([pandoc, "--version"], capture_output=True, text=True,
                                    check=True).stdout.splitlines()[0]
    from ctypes.util import find_library

    harfbuzz_subset = "yes" if find_library("harfbuzz-subset") else "no (fontTools subsets)"
    return (f"- Versions: qlabbook {version('qlabbook')} (commit {commit(env)}), Python "
            f"{platform.python_version()}, WeasyPrint {version('weasyprint')}, pydyf "
            f"{version('pydyf')}, pikepdf {version('pikepdf')}, Pillow {version('pillow')}, "
            f"fontTools {version('fonttools')}, EbookLib {version('ebooklib')}, "
            f"{pandoc_version} (pypandoc-binary {version('pypandoc-binary')}); "
            f"HarfBuzz-Subset library: {harfbuzz_subset}")
