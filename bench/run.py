"""`make bench`: qlabbook against pandoc on generated 1-, 20- and 100-essay collections.

Every timed run is a child process, measured alone through spawn.py: wall time until it
exits, CPU time and peak RSS of it and every process it started (the largest single one). The
runs of one group alternate (A B C A B C ...) so that a busy machine slows every tool alike,
and each row is the median of the repeats. Rows that need per-essay editions, the build
cache or --jobs run only when `qlabbook build --help` offers them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPOSITORY, edit_essay, make_collection

BIN = Path(sys.executable).parent
QLABBOOK = str(BIN / "qlabbook")
WEASYPRINT = str(BIN / "weasyprint")
EDITED_ESSAY = 7  # the essay changed in the edit-loop rows (of the 20-essay collection)


@dataclass
class Case:
    group: str
    name: str
    argv: list[str]
    cwd: Path
    prepare: Callable[[], None] = lambda: None
    baseline: str | None = None  # the row this one's ratio is taken against
    target: str = ""
    check: Callable[[Case, dict[str, Case]], bool | None] = lambda c, rows: None
    output: Path | None = None
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peaks)


SPAWN = [sys.executable, "-I", "-S", str(Path(__file__).resolve().parent / "spawn.py")]


def measure(case: Case, env: dict[str, str]) -> None:
    """Run the case once, alone, and keep its wall time and peak RSS (MiB)."""
    case.prepare()
    result = subprocess.run([*SPAWN, *case.argv], cwd=case.cwd, env=env, capture_output=True,
                            text=True)
    seconds, cpu, kibibytes, code = result.stdout.split()
    if result.returncode != 0 or code != "0":
        sys.exit(f"bench: {case.name} failed ({code}):\n"
                 f"  {' '.join(case.argv)}\n{result.stderr}")
    case.seconds.append(float(seconds))
    case.cpu.append(float(cpu))
    case.peaks.append(int(kibibytes) / 1024)


def build_help() -> str:
    result = subprocess.run([QLABBOOK, "build", "--help"], capture_output=True, text=True,
                            check=True)
    return result.stdout


def pandoc_path() -> str:
    import pypandoc  # installed by `make bench` only

    return str(pypandoc.get_pandoc_path())


class Bench:
    def __init__(self, root: Path, sizes: list[int], env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.pandoc_binary = pandoc_path()
        self.help = build_help()
        self.collections = {n: make_collection(root / f"collection-{n}", n) for n in sizes}
        self.edits = 0

    def supports(self, option: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", self.help) is not None

    def out(self, *parts: str) -> Path:
        return self.root.joinpath("out", *parts)

    def qlabbook(self, collection: Path, out: Path, *extra: str) -> list[str]:
        return [QLABBOOK, "build", str(collection), "--out", str(out), *extra]

    def pdf_options(self) -> list[str]:
        return ["--pdf-profile", "screen"] if self.supports("--pdf-profile") else []

    def cold(self) -> list[str]:
        """Full renders, whatever a build cache holds from the run before."""
        return ["--no-cache"] if self.supports("--no-cache") else []

    def pandoc_inputs(self, collection: Path) -> list[str]:
        return sorted(str(p.relative_to(collection)) for p in (collection / "pandoc").glob("*.md"))

    def pandoc(self, collection: Path, *extra: str) -> list[str]:
        title = f"Mental health and persistent pain: {len(self.pandoc_inputs(collection))} essays"
        return [self.pandoc_binary, *self.pandoc_inputs(collection), "--toc", "--metadata",
                f"title={title}", *extra]

    def size_cases(self, n: int) -> list[Case]:
        collection = self.collections[n]
        group = f"{n} essay{'s' if n > 1 else ''}"
        html = collection / "pandoc.html"
        subprocess.run(self.pandoc(collection, "-s", "-t", "html5", "-o", str(html)),
                       cwd=collection, check=True)
        out = self.out(f"n{n}")
        qpdf = out / "qlabbook-pdf"
        return [
            Case(group, "qlabbook EPUB", self.qlabbook(collection, out / "qlabbook-epub",
                                                       "--format", "epub", *self.cold()),
                 collection,
                 baseline="pandoc EPUB", target="≤ 0.5× pandoc" if n >= 20 else "",
                 check=ratio_at_most(0.5) if n >= 20 else no_check),
            Case(group, "pandoc EPUB", self.pandoc(collection, "-o", str(out / "pandoc.epub")),
                 collection),
            Case(group, "qlabbook PDF" + (" (screen)" if self.pdf_options() else ""),
                 self.qlabbook(collection, qpdf, "--format", "pdf", *self.pdf_options(),
                               *self.cold()),
                 collection, baseline="pandoc PDF",
                 target=("≤ 1.0× pandoc" if n >= 20 else "")
                 + ("; peak < 600 MiB" if n >= 100 else ""),
                 check=pdf_check(n), output=qpdf),
            Case(group, "pandoc PDF (WeasyPrint)",
                 self.pandoc(collection, "-s", "--pdf-engine", WEASYPRINT,
                             "-o", str(out / "pandoc.pdf")), collection,
                 output=out / "pandoc.pdf"),
            Case(group, "WeasyPrint alone on pandoc's HTML",
                 [WEASYPRINT, "-q", str(html), str(out / "weasyprint.pdf")], collection,
                 baseline="pandoc PDF"),
        ]

    def edit_cases(self) -> list[Case]:
        """The edit loop on the 20-essay collection: what an editor waits for."""
        collection = self.collections[20]
        group = "edit loop, 20 essays"
        cases: list[Case] = []
        loop = self.out("loop")
        if self.supports("--essay"):
            command = self.qlabbook(collection, loop, "--essay", str(EDITED_ESSAY),
                                    "--format", "pdf", *self.pdf_options())
            label = f"its per-essay PDF (--essay {EDITED_ESSAY})"
        else:
            command = self.qlabbook(collection, loop, "--format", "pdf", *self.pdf_options())
            label = "the collected PDF (no per-essay editions yet)"
        cases.append(Case(group, f"no-change rebuild: {label}", command, collection,
                          prepare=lambda: self.warm(command), target="< 1 s",
                          check=seconds_below(1.0)))
        cases.append(Case(group, f"one essay changed: {label}", command, collection,
                          prepare=self.edit, target="< 2 s", check=seconds_below(2.0)))
        if self.supports("--essays"):
            full = self.qlabbook(collection, loop, "--essays", *self.pdf_options())
            cases.append(Case(group, "no-change rebuild: everything (--essays)", full,
                              collection, prepare=lambda: self.warm(full), target="< 1 s",
                              check=seconds_below(1.0)))
        return cases

    def warm(self, command: list[str]) -> None:
        """Build once, untimed, so that the timed run finds nothing to do."""
        subprocess.run(command, check=True, capture_output=True, env=self.env)

    def edit(self) -> None:
        self.edits += 1
        edit_essay(self.collections[20], EDITED_ESSAY, self.edits)

    def jobs_cases(self) -> list[Case]:
        if not (self.supports("--jobs") and self.supports("--essay")):
            return []
        collection = self.collections[20]
        group = "per-essay editions, 20 essays"
        cases = []
        # Only the per-essay editions: every essay named with --essay, no collected edition.
        every = [arg for n in range(1, 21) for arg in ("--essay", str(n))]
        for jobs in (os.cpu_count() or 1, 1):
            out = self.out(f"jobs-{jobs}")
            command = self.qlabbook(collection, out, *every, "--format", "pdf",
                                    *self.pdf_options(), "--jobs", str(jobs), *self.cold())
            cases.append(Case(group, f"20 per-essay PDFs, --jobs {jobs}", command, collection,
                              prepare=lambda out=out: self.clear(out)))
        cases[0].baseline = cases[1].name
        cases[0].target = "≤ 0.7× serial"
        cases[0].check = ratio_at_most(0.7)
        return cases

    def clear(self, out: Path) -> None:
        """No output and no cache left from an earlier run."""
        shutil.rmtree(out, ignore_errors=True)
        for cache in (".qlabbook-cache", ".cache"):
            shutil.rmtree(self.collections[20] / cache, ignore_errors=True)

    def help_cases(self) -> list[Case]:
        return [Case("start-up", "qlabbook --help", [QLABBOOK, "--help"], REPOSITORY,
                     target="< 0.3 s", check=seconds_below(0.3))]


def no_check(case: Case, rows: dict[str, Case]) -> bool | None:
    return None


def ratio(case: Case, rows: dict[str, Case]) -> float | None:
    if case.baseline is None:
        return None
    base = rows.get(f"{case.group}/{case.baseline}") or next(
        (c for key, c in rows.items()
         if key.startswith(f"{case.group}/{case.baseline}")), None)
    return case.median / base.median if base else None


def ratio_at_most(limit: float) -> Callable[[Case, dict[str, Case]], bool | None]:
    def check(case: Case, rows: dict[str, Case]) -> bool | None:
        value = ratio(case, rows)
        return None if value is None else value <= limit
    return check


def seconds_below(limit: float) -> Callable[[Case, dict[str, Case]], bool | None]:
    return lambda case, rows: case.median < limit


def pdf_check(n: int) -> Callable[[Case, dict[str, Case]], bool | None]:
    def check(case: Case, rows: dict[str, Case]) -> bool | None:
        checks = []
        if n >= 20:
            value = ratio(case, rows)
            checks.append(value is not None and value <= 1.0)
        if n >= 100:
            checks.append(case.peak < 600)
        return all(checks) if checks else None
    return check


def run_groups(groups: list[list[Case]], repeats: int, env: dict[str, str]) -> None:
    for cases in groups:
        if not cases:
            continue
        print(f"bench: {cases[0].group}: {len(cases)} runs × {repeats}", file=sys.stderr,
              flush=True)
        for _ in range(repeats):
            for case in cases:
                measure(case, env)


def pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(path).pages)


def single_file(folder: Path | None, suffix: str) -> Path | None:
    if folder is None:
        return None
    if folder.is_file():
        return folder
    found = sorted(folder.glob(f"*{suffix}"))
    return found[0] if found else None


def table(groups: list[list[Case]]) -> list[str]:
    rows = {f"{c.group}/{c.name}": c for cases in groups for c in cases}
    lines = ["| group | run | median s | runs (s) | ratio | CPU s | peak MiB | target | met |",
             "| --- | --- | ---: | --- | ---: | ---: | ---: | --- | --- |"]
    for cases in groups:
        for case in cases:
            value = ratio(case, rows)
            met = case.check(case, rows)
            runs = " ".join(f"{s:.2f}" for s in case.seconds)
            lines.append(
                f"| {case.group} | {case.name} | {case.median:.2f} | {runs} | "
                f"{'' if value is None else f'{value:.2f}× {case.baseline}'} | "
                f"{statistics.median(case.cpu):.2f} | {case.peak:.0f} | "
                f"{case.target} | {'' if met is None else ('yes' if met else '**no**')} |")
    return lines


def sizes_table(groups: list[list[Case]]) -> list[str]:
    lines = ["| collection | file | pages | MiB |", "| --- | --- | ---: | ---: |"]
    for cases in groups:
        for case in cases:
            path = single_file(case.output, ".pdf")
            if path is None or not path.is_file():
                continue
            pages = pdf_pages(path)
            lines.append(f"| {case.group} | {case.name} | {pages if pages else '?'} | "
                         f"{path.stat().st_size / 2**20:.2f} |")
    return lines


def size_check(groups: list[list[Case]]) -> list[str]:
    for cases in groups:
        if not cases or cases[0].group != "20 essays":
            continue
        ours = single_file(next(c.output for c in cases if c.name.startswith("qlabbook PDF")),
                           ".pdf")
        theirs = single_file(next(c.output for c in cases if c.name.startswith("pandoc PDF")),
                             ".pdf")
        if ours and theirs:
            smaller = ours.stat().st_size <= theirs.stat().st_size
            return [f"Output size, 20 essays: qlabbook {ours.stat().st_size / 2**20:.2f} MiB, "
                    f"pandoc {theirs.stat().st_size / 2**20:.2f} MiB: target (no larger than "
                    f"pandoc's) {'met' if smaller else '**not met**'}."]
    return []


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
            f"{platform.system()} {platform.release()}",
            f"- Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]


def versions(pandoc: str) -> str:
    pandoc_version = subprocess.run([pandoc, "--version"], capture_output=True, text=True,
                                    check=True).stdout.splitlines()[0]
    commit = subprocess.run(["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    from ctypes.util import find_library

    harfbuzz_subset = "yes" if find_library("harfbuzz-subset") else "no (fontTools subsets)"
    return (f"- Versions: qlabbook {version('qlabbook')} (commit {commit}), Python "
            f"{platform.python_version()}, WeasyPrint {version('weasyprint')}, pydyf "
            f"{version('pydyf')}, Pillow {version('pillow')}, fontTools {version('fonttools')}, "
            f"EbookLib {version('ebooklib')}, {pandoc_version} (pypandoc-binary "
            f"{version('pypandoc-binary')}); HarfBuzz-Subset library: {harfbuzz_subset}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,20,100", help="essay counts (default 1,20,100)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per row (median; ≥ 3)")
    parser.add_argument("--results", type=Path, help="write the Markdown report here")
    parser.add_argument("--note", default="", help="a sentence for the report (e.g. load)")
    parser.add_argument("--append", action="store_true",
                        help="add this run to the results file instead of replacing it")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "SOURCE_DATE_EPOCH": "1556668800"}
    root = Path(tempfile.mkdtemp(prefix="qlabbook-bench-"))
    started = dt.datetime.now(dt.UTC)
    try:
        print(f"bench: collections of {args.sizes} essays in {root}", file=sys.stderr)
        bench = Bench(root, sizes, env)
        header = machine()
        groups = [bench.help_cases(), *(bench.size_cases(n) for n in sizes)]
        if 20 in sizes:
            groups += [bench.edit_cases(), bench.jobs_cases()]
        run_groups(groups, args.repeats, env)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        lines = [f"# qlabbook benchmark, {started:%Y-%m-%d %H:%M} UTC", "",
                 *header, f"- Load average at the end: {load}", versions(bench.pandoc_binary),
                 f"- Median of {args.repeats} alternating runs per row (wall time; the ratio "
                 "is to the median of the row it names); CPU s is the median user + system time "
                 "of the command and every process it started; peak MiB is the largest "
                 "resident set of any one of them.",
                 *([f"- {args.note}"] if args.note else []), "", *table(groups), "",
                 *sizes_table(groups), "", *size_check(groups)]
        print("\n".join(lines))
        if args.results:
            earlier = args.results.read_text(encoding="utf-8") + "\n" \
                if args.append and args.results.is_file() else ""
            args.results.write_text(earlier + "\n".join(lines) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            print(f"bench: kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
