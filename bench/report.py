"""bench/results.md: the machine, the figures of the targets table, every row in detail,
output sizes and, with --profile, where the time goes."""

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

if TYPE_CHECKING:
    from run import Case

PEAK_LIMIT = 600  # MiB, the large collection's collected PDF at -j 1
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
    load_at_start: str = field(default_factory=load)

    def case(self, key: str) -> Case | None:
        return next((c for c in self.cases if c.key == key), None)

    def seconds(self, key: str) -> float | None:
        return median(self.case(key))

    def ratio_row(self, figure: str, ours: float | None, base: float | None, label: str,
                  limit: float) -> Row:
        if ours is None or base is None:
            return (figure, seconds(ours), seconds(base, label), "", f"≤ {limit:.1f}×", "")
        value = ours / base
        return (figure, seconds(ours), seconds(base, label), f"{value:.2f}×",
                f"≤ {limit:.1f}×", met(value <= limit))

    def figures(self) -> list[Row]:
        small, large = essays(self.small), essays(self.large)
        pandoc_epub, pandoc_pdf = self.seconds("small/pandoc-epub"), \
            self.seconds("small/pandoc-pdf")
        both = None if pandoc_epub is None or pandoc_pdf is None else pandoc_epub + pandoc_pdf
        return [
            self.ratio_row(f"1. PDF + EPUB (default formats), {small}, cold, -j 1, vs "
                           "pandoc's EPUB + PDF", self.seconds("small/default"), both,
                           "pandoc EPUB + PDF", 1.0),
            self.ratio_row(f"2. collected PDF, {small}, cold, -j 1, vs pandoc + WeasyPrint",
                           self.seconds("small/pdf"), pandoc_pdf, "pandoc PDF", 1.0),
            self.ratio_row(f"3. collected PDF, {large}, cold, -j 1, vs pandoc + WeasyPrint",
                           self.seconds("large/pdf-j1"), self.seconds("large/pandoc-pdf"),
                           "pandoc PDF", 1.0),
            self.ratio_row(f"4. EPUB-only build right after a PDF build, {small}, vs "
                           "pandoc's EPUB", self.seconds("small/epub-after-pdf"), pandoc_epub,
                           "pandoc EPUB", 0.5),
            self.peak_row(large),
            self.edit_row(),
            self.speedup_row(large),
            self.startup_row(),
            self.size_row(small),
        ]

    def peak_row(self, large: str) -> Row:
        ours, theirs = self.case("large/pdf-j1"), self.case("large/pandoc-pdf")
        figure = f"5. peak RSS, {large}, -j 1 (the collected PDF of 3.)"
        if ours is None or not ours.peaks:
            return (figure, "", "", "", f"≤ {PEAK_LIMIT} MiB", "")
        base = f"{max(theirs.peaks):.0f} MiB (pandoc PDF)" if theirs and theirs.peaks else ""
        return (figure, f"{max(ours.peaks):.0f} MiB", base, "", f"≤ {PEAK_LIMIT} MiB",
                met(max(ours.peaks) <= PEAK_LIMIT))

    def edit_row(self) -> Row:
        ours = self.seconds("large/edit")
        return (f"6. one-word edit in one essay of {self.large}, collected PDF rebuilt "
                "(cache warm)", seconds(ours), "", "", "< 2 s (wall time)",
                met(None if ours is None else ours < 2.0))

    def speedup_row(self, large: str) -> Row:
        serial, parallel = self.seconds("large/pdf-j1"), self.seconds("large/pdf-j2")
        figure = f"7. -j 2 vs -j 1, {large}, cold collected PDF"
        if serial is None or parallel is None:
            return (figure, seconds(parallel, "-j 2"), seconds(serial, "-j 1"), "",
                    "≥ 1.6× speed-up", "")
        value = serial / parallel
        return (figure, seconds(parallel, "-j 2"), seconds(serial, "-j 1"),
                f"{value:.2f}× speed-up", "≥ 1.6× speed-up", met(value >= 1.6))

    def startup_row(self) -> Row:
        ours = self.seconds("startup")
        return ("start-up: qlabbook --help", seconds(ours), "", "", "< 0.3 s",
                met(None if ours is None else ours < 0.3))

    def size_row(self, small: str) -> Row:
        figure = f"output size: collected PDF, {small}, vs pandoc's PDF"
        ours, theirs = (output_pdf(self.case(k)) for k in ("small/pdf", "small/pandoc-pdf"))
        if ours is None or theirs is None:
            return (figure, "", "", "", "≤ 1.0×", "")
        value = ours.stat().st_size / theirs.stat().st_size
        return (figure, mebibytes(ours), mebibytes(theirs) + " (pandoc PDF)", f"{value:.2f}×",
                "≤ 1.0×", met(value <= 1.0))

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
        lines = [*self.header(), "", "## Targets (issue 14)", "",
                 "| figure | qlabbook | baseline | ratio | target | met |",
                 "| --- | ---: | ---: | ---: | --- | --- |",
                 *("| " + " | ".join(row) + " |" for row in self.figures()), "",
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
        lines = ["| collection | file | pages | MiB |", "| --- | --- | ---: | ---: |"]
        for case in self.cases:
            path = output_pdf(case)
            if path is not None:
                lines.append(f"| {case.group} | {case.name} | {pdf_pages(path)} | "
                             f"{path.stat().st_size / 2**20:.2f} |")
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
