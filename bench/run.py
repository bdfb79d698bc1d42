"""`make bench`: qlabbook against pandoc on two generated collections (20 and 100 essays).

Every timed run is a child process, measured alone through spawn.py: wall time until it
exits, CPU time and peak RSS of it and every process it started (the largest single one).
The run goes in rounds: each round runs every row once, the rows of a group alternating
(A B C A B C ...) so that a busy machine slows every tool alike, and the results file is
written after each round, so one round (--repeats 1) already gives the whole table. Each row
is the median of its runs. --sizes SMALL LARGE stands other counts in for 20 and 100 (a
quick pass: --sizes 1 2 --repeats 1).

The engine floor (floor.py) is WeasyPrint alone on the final HTML of each part qlabbook lays
out, prepared untimed the first time. The edits in a running `watch` and `serve` are timed
by the harness from the save to what the command line shows (sessions.py), --edits times in
each round, one session per round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPOSITORY, copy_title, edit_essay, make_collection
from phases import profile_section
from report import Results
from sessions import run_session, serve_edits, watch_edits

BIN = Path(sys.executable).parent
QLABBOOK = str(BIN / "qlabbook")
WEASYPRINT = str(BIN / "weasyprint")
CACHE = ".qlabbook-cache"
SCREEN = ["--pdf-profile", "screen"]  # one PDF, as pandoc makes (no press edition)
COLD = ["--no-cache", "--jobs", "1"]
BENCH = Path(__file__).resolve().parent
SPAWN = [sys.executable, "-I", "-S", str(BENCH / "spawn.py")]
FLOOR = [sys.executable, str(BENCH / "floor.py")]


@dataclass
class Case:
    key: str  # how the figures name it
    group: str
    name: str
    argv: list[str]
    cwd: Path
    prepare: Callable[[], None] = lambda: None
    output: Path | None = None  # the PDF it writes, for the size table
    # Times itself (a session of edits) instead of being one timed run of argv.
    drive: Callable[[Case, dict[str, str]], None] | None = None
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)


def measure(case: Case, env: dict[str, str]) -> None:
    """Run the case once, alone, and keep its wall time, CPU time and peak RSS (MiB)."""
    case.prepare()
    if case.drive is not None:
        case.drive(case, env)
        return
    result = subprocess.run([*SPAWN, *case.argv], cwd=case.cwd, env=env, capture_output=True,
                            text=True)
    seconds, cpu, kibibytes, code = result.stdout.split()
    if result.returncode != 0 or code != "0":
        sys.exit(f"bench: {case.name} failed ({code}):\n"
                 f"  {' '.join(case.argv)}\n{result.stderr}")
    case.seconds.append(float(seconds))
    case.cpu.append(float(cpu))
    case.peaks.append(int(kibibytes) / 1024)


def pandoc_path() -> str:
    import pypandoc  # installed by `make bench` only

    return str(pypandoc.get_pandoc_path())


def essays(n: int) -> str:
    return f"{n} essay{'s' if n != 1 else ''}"


class Bench:
    """The two collections and every row measured on them."""

    def __init__(self, root: Path, small: int, large: int, env: dict[str, str],
                 edits: int) -> None:
        self.root = root
        self.env = env
        self.small, self.large = small, large
        self.pandoc_binary = pandoc_path()
        self.small_collection = make_collection(root / "collection-small", small)
        self.large_collection = make_collection(root / "collection-large", large)
        self.edited = (large + 1) // 2  # the essay the edit row changes
        self.edits = 0
        self.edits_per_session = edits
        self.warmed = False
        self.whole = root / "out" / "whole.pdf"  # the large book laid out whole

    def out(self, name: str) -> Path:
        return self.root / "out" / name

    def qlabbook(self, collection: Path, out: str, *extra: str) -> list[str]:
        return [QLABBOOK, "build", str(collection), "--out", str(self.out(out)), *extra]

    def pandoc(self, collection: Path, *extra: str) -> list[str]:
        inputs = sorted(str(p.relative_to(collection))
                        for p in (collection / "pandoc").glob("*.md"))
        title = f"Mental health and persistent pain: {len(inputs)} essays"
        return [self.pandoc_binary, *inputs, "--toc", "--metadata", f"title={title}", *extra]

    def pandoc_pdf(self, collection: Path, out: str, group: str) -> Case:
        pdf = self.out(out) / "pandoc.pdf"
        self.out(out).mkdir(parents=True, exist_ok=True)
        return Case(f"{out}/pandoc-pdf", group, "pandoc PDF (WeasyPrint)",
                    self.pandoc(collection, "-s", "--pdf-engine", WEASYPRINT, "-o", str(pdf)),
                    collection, output=pdf)

    def startup_cases(self) -> list[Case]:
        return [Case("startup", "start-up", "qlabbook --help", [QLABBOOK, "--help"],
                     REPOSITORY)]

    def floor(self, collection: Path, out: str, group: str, whole: bool = False) -> Case:
        """WeasyPrint alone on the parts' final HTML, dumped by an untimed preparation the
        first time (with the book laid out whole, for its size, when `whole`)."""
        inputs = self.root / f"{out}-floor-inputs"

        def prepare() -> None:
            if not inputs.is_dir():
                print(f"bench: preparing the engine floor of {group}", file=sys.stderr,
                      flush=True)
                self.untimed([*FLOOR, "prepare", str(collection), str(inputs),
                              *(["--whole", str(self.whole)] if whole else [])])
            shutil.rmtree(self.out(f"{out}-floor"), ignore_errors=True)

        return Case(f"{out}/floor", group, "engine floor: WeasyPrint alone on the parts' "
                    "final HTML, one warm process", [*FLOOR, "render", str(inputs),
                                                     str(self.out(f"{out}-floor"))],
                    collection, prepare=prepare)

    def small_cases(self) -> list[Case]:
        """The small collection's rows, and WeasyPrint alone on pandoc's HTML."""
        collection, group = self.small_collection, essays(self.small)
        html = collection / "pandoc.html"
        subprocess.run(self.pandoc(collection, "-s", "-t", "html5", "-o", str(html)),
                       cwd=collection, check=True)
        self.out("small").mkdir(parents=True, exist_ok=True)
        return [
            Case("small/default", group, "qlabbook PDF + EPUB (default formats), cold, -j 1",
                 self.qlabbook(collection, "small-default", *SCREEN, *COLD), collection),
            Case("small/pdf", group, "qlabbook collected PDF, cold, -j 1",
                 self.qlabbook(collection, "small-pdf", "--format", "pdf", *SCREEN, *COLD),
                 collection, output=self.out("small-pdf")),
            Case("small/pdf-j2", group, "qlabbook collected PDF, cold, -j 2",
                 self.qlabbook(collection, "small-j2", "--format", "pdf", *SCREEN,
                               "--no-cache", "--jobs", "2"), collection),
            self.floor(collection, "small", group),
            Case("small/epub-after-pdf", group, "qlabbook EPUB right after a PDF build",
                 self.qlabbook(collection, "small-epub", "--format", "epub", "--jobs", "1"),
                 collection, prepare=self.pdf_then_epub),
            Case("small/pandoc-epub", group, "pandoc EPUB",
                 self.pandoc(collection, "-o", str(self.out("small") / "pandoc.epub")),
                 collection),
            self.pandoc_pdf(collection, "small", group),
            Case("small/weasyprint", group, "WeasyPrint alone on pandoc's HTML",
                 [WEASYPRINT, "-q", str(html), str(self.out("small") / "weasyprint.pdf")],
                 collection),
        ]

    def pdf_then_epub(self) -> None:
        """An empty cache, then the collected PDF built into another folder (untimed): what
        the EPUB-only build that follows may reuse."""
        collection = self.small_collection
        shutil.rmtree(collection / CACHE, ignore_errors=True)
        self.untimed(self.qlabbook(collection, "small-warm-pdf", "--format", "pdf", *SCREEN))

    def large_cases(self) -> list[Case]:
        """The large collection's rows: the edits last, once a build has warmed the cache."""
        collection, group = self.large_collection, essays(self.large)
        edit = self.qlabbook(collection, "large-edit", "--format", "pdf", *SCREEN)
        watch, serve = self.out("large-watch"), self.out("large-serve")
        return [
            Case("large/pdf-j1", group, "qlabbook collected PDF, cold, -j 1",
                 self.qlabbook(collection, "large-j1", "--format", "pdf", *SCREEN, *COLD),
                 collection, output=self.out("large-j1")),
            self.pandoc_pdf(collection, "large", group),
            Case("large/pdf-j2", group, "qlabbook collected PDF, cold, -j 2",
                 self.qlabbook(collection, "large-j2", "--format", "pdf", *SCREEN,
                               "--no-cache", "--jobs", "2"), collection),
            self.floor(collection, "large", group, whole=True),
            Case("large/edit", group,
                 f"one-word edit in essay {self.edited}: collected PDF rebuilt (cache warm)",
                 edit, collection, prepare=lambda: self.edit(edit)),
            Case("large/watch", group, f"one-word edit in essay {self.edited} in a running "
                 "qlabbook watch: save to collected PDF replaced",
                 [QLABBOOK, "watch", str(collection), "--out", str(watch), "--format", "pdf",
                  *SCREEN], collection,
                 drive=lambda case, env: run_session(case, SPAWN, env, watch_edits(
                     watch, self.next_edit, self.edits_per_session))),
            Case("large/serve", group, f"one-word edit in essay {self.edited} in a running "
                 "qlabbook serve: save to reload signal",
                 [QLABBOOK, "serve", str(collection), "--out", str(serve), "--port", "0"],
                 collection,
                 drive=lambda case, env: run_session(case, SPAWN, env, serve_edits(
                     lambda: self.essay_page(serve / "web"), self.next_edit,
                     self.edits_per_session))),
        ]

    def edit(self, command: list[str]) -> None:
        """The cache warmed by one untimed build (the first time), then one word changed."""
        if not self.warmed:
            self.untimed(command)
            self.warmed = True
        self.next_edit()

    def next_edit(self) -> None:
        """One word of the edited essay changed, to a word other than the last edit's."""
        self.edits += 1
        edit_essay(self.large_collection, self.edited, self.edits)

    def essay_page(self, web: Path) -> Path:
        """The edited essay's page in a web edition: the one its title names."""
        title = re.compile(f"<title>{re.escape(html.escape(copy_title(self.edited)))} ")
        for page in sorted(web.glob("*/index.html")):
            if title.search(page.read_text(encoding="utf-8")):
                return page
        sys.exit(f"bench: no page of essay {self.edited} in {web}")

    def untimed(self, command: list[str]) -> None:
        result = subprocess.run(command, capture_output=True, text=True, env=self.env)
        if result.returncode != 0:
            sys.exit(f"bench: {' '.join(command)} failed:\n{result.stderr}")

    def profile(self, results: Results) -> None:
        """One cold collected PDF of the small collection, -j 1, under cProfile."""
        stats = self.root / "build.prof"
        collection = self.small_collection
        command = [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "qlabbook",
                   *self.qlabbook(collection, "profile", "--format", "pdf", *SCREEN,
                                  *COLD)[1:]]
        print(f"bench: profiling a cold {essays(self.small)} collected PDF", file=sys.stderr,
              flush=True)
        subprocess.run(command, check=True, capture_output=True, env=self.env, cwd=collection)
        results.profile = profile_section(stats, essays(self.small),
                                          results.case("small/pdf"))


def run_rounds(groups: list[list[Case]], repeats: int, env: dict[str, str],
               after_round: Callable[[int], None]) -> None:
    """Every row once per round, the rows of a group alternating; the cheap groups first."""
    for done in range(1, repeats + 1):
        for cases in groups:
            print(f"bench: round {done} of {repeats}: {cases[0].group}, {len(cases)} runs",
                  file=sys.stderr, flush=True)
            for case in cases:
                measure(case, env)
        after_round(done)


def parse_sizes(values: list[str]) -> tuple[int, int]:
    sizes = [int(v) for value in values for v in value.split(",") if v.strip()]
    if len(sizes) != 2 or min(sizes) < 1:
        sys.exit("bench: --sizes takes two essay counts, the small and the large collection "
                 "(e.g. --sizes 20 100)")
    return sizes[0], sizes[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["20", "100"], metavar="N",
                        help="essay counts standing for 20 and 100 (default: 20 100)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds, each row once per round (median; default 3)")
    parser.add_argument("--edits", type=int, default=3,
                        help="edits timed in each round's watch and serve session (default 3)")
    parser.add_argument("--profile", action="store_true",
                        help="profile one cold collected PDF of the small collection")
    parser.add_argument("--results", type=Path, help="write the Markdown report here")
    parser.add_argument("--note", default="", help="a sentence for the report")
    parser.add_argument("--append", action="store_true",
                        help="add this run to the results file instead of replacing it")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    small, large = parse_sizes(args.sizes)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "SOURCE_DATE_EPOCH": "1556668800"}
    root = Path(tempfile.mkdtemp(prefix="qlabbook-bench-"))
    started = dt.datetime.now(dt.UTC)
    earlier = args.results.read_text(encoding="utf-8") + "\n" \
        if args.append and args.results and args.results.is_file() else ""
    try:
        print(f"bench: collections of {small} and {large} essays in {root}", file=sys.stderr)
        results = Results(started, small, large, args.repeats, env, args.note)
        bench = Bench(root, small, large, env, args.edits)
        groups = [bench.startup_cases(), bench.small_cases(), bench.large_cases()]
        results.cases = [case for cases in groups for case in cases]
        results.pandoc = bench.pandoc_binary
        results.whole_pdf = bench.whole

        def write(rounds: int) -> None:
            results.rounds = rounds
            if args.results:
                args.results.write_text(earlier + results.markdown(), encoding="utf-8")

        run_rounds(groups, args.repeats, env, write)
        if args.profile:
            bench.profile(results)
        write(args.repeats)
        print(results.markdown())
    finally:
        if args.keep:
            print(f"bench: kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
