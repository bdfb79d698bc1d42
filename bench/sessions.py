"""Edits timed in a running `qlabbook watch` or `qlabbook serve`, from what the command line
shows only: its stdout lines, the files it writes, and the server's reload signal (the build
number it tells open pages). Nothing of qlabbook is imported, so the figures stay comparable while
the way those commands work changes.

The command runs through spawn.py --live, so its CPU time and peak RSS (of the whole
session: its first build and every edit) are measured as the other rows' are.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from run import Case

FIRST_BUILD = 3600.0  # s: a cold build of the large collection, on a busy machine
ONE_EDIT = 600.0  # s
PAUSE = 0.5  # s between the end of a build and the next edit
POLL = 0.01  # s
BUILT = re.compile(r"\bbuilt\b")
NOT_BUILT = re.compile(r"\bnot built\b")
SERVING = re.compile(r"\bat (http://[^\s/]+/)")
# The server's build number, which open pages reload on when it changes.
RELOAD_SIGNAL = "__qlabbook__/version"

Identity = tuple[int, int, int] | None  # a file's inode, mtime (ns) and size


class SessionError(Exception):
    pass


class Lines:
    """A stream's lines as they arrive, read on a thread of their own."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.thread = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.thread.start()

    def read(self, stream: IO[str]) -> None:
        for line in stream:
            self.seen.append(line.rstrip("\n"))
            self.queue.put(self.seen[-1])
        self.queue.put(None)

    def expect(self, pattern: re.Pattern[str], timeout: float,
               failure: re.Pattern[str] | None = None) -> re.Match[str]:
        """The next line matching `pattern`; SessionError on one matching `failure`, at
        the end of the stream, or after `timeout` seconds."""
        deadline = time.perf_counter() + timeout
        while True:
            try:
                line = self.queue.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise SessionError(
                    f"no line matching {pattern.pattern!r} in {timeout:.0f} s") from None
            if line is None:
                raise SessionError(f"the command ended before {pattern.pattern!r}")
            if failure is not None and failure.search(line):
                raise SessionError(line)
            found = pattern.search(line)
            if found:
                return found


class Live:
    """A command running through spawn.py --live."""

    def __init__(self, spawn: list[str], argv: list[str], cwd: Path,
                 env: dict[str, str]) -> None:
        self.argv = argv
        self.process = subprocess.Popen([*spawn, "--live", *argv], cwd=cwd,
                                        env={**env, "PYTHONUNBUFFERED": "1"},
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None and self.process.stderr is not None
        self.out, self.err = Lines(self.process.stdout), Lines(self.process.stderr)

    def built(self, timeout: float) -> None:
        self.out.expect(BUILT, timeout, failure=NOT_BUILT)

    def wait_until(self, done: Callable[[], bool], timeout: float) -> float:
        """The time at which `done()` first holds, polled; SessionError if the command
        ends or reports a failed build first."""
        deadline = time.perf_counter() + timeout
        while not done():
            if self.process.poll() is not None:
                raise SessionError("the command ended")
            if any(NOT_BUILT.search(line) for line in self.out.seen):
                raise SessionError(next(x for x in self.out.seen if NOT_BUILT.search(x)))
            if time.perf_counter() > deadline:
                raise SessionError(f"nothing changed in {timeout:.0f} s")
            time.sleep(POLL)
        return time.perf_counter()

    def stop(self) -> tuple[float, float]:
        """Ctrl-C, as a person stops it; its CPU seconds and peak MiB."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.out.thread.join(timeout=10)
        self.err.thread.join(timeout=10)
        report = self.out.seen[-1].split() if self.out.seen else []
        if len(report) != 4 or report[3] not in ("0", "130"):
            raise SessionError(f"it ended badly: {' '.join(report)}")
        return float(report[1]), int(report[2]) / 1024

    def failure(self, error: SessionError) -> str:
        return (f"bench: {' '.join(self.argv)}: {error}\n" + "\n".join(self.out.seen[-20:]) +
                "\n" + "\n".join(self.err.seen[-20:]))


def identity(path: Path) -> Identity:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def changed(now: Callable[[], object], before: object) -> Callable[[], bool]:
    """Whether what `now()` reads differs from `before`."""
    return lambda: now() != before


def run_session(case: Case, spawn: list[str], env: dict[str, str],
                edits: Callable[[Live], list[float]]) -> None:
    """The command started, timed by `edits`, stopped; a failure ends the benchmark."""
    live = Live(spawn, case.argv, case.cwd, env)
    try:
        seconds = edits(live)
        cpu, peak = live.stop()
    except SessionError as error:
        live.process.kill()
        raise SystemExit(live.failure(error)) from None
    case.seconds += seconds
    case.cpu.append(cpu)
    case.peaks.append(peak)


def watch_edits(out: Path, edit: Callable[[], None], count: int) -> Callable[[Live], list[float]]:
    """After the first build, `count` edits, each timed from the save until the collected
    PDF in `out` is replaced (the watch's next "built" line confirms it)."""

    def timed(live: Live) -> list[float]:
        live.built(FIRST_BUILD)
        pdfs = sorted(out.glob("*.pdf"))
        if len(pdfs) != 1:
            raise SessionError(f"{len(pdfs)} PDFs in {out}, one expected")
        seconds = []
        for _ in range(count):
            before = identity(pdfs[0])
            edit()
            saved = time.perf_counter()
            replaced = live.wait_until(changed(lambda: identity(pdfs[0]), before), ONE_EDIT)
            live.built(ONE_EDIT)
            seconds.append(replaced - saved)
            time.sleep(PAUSE)
        return seconds

    return timed


def reload_signal(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url + RELOAD_SIGNAL, timeout=5) as answer:
            return str(answer.read().decode())
    except OSError:
        return None


def serve_edits(page: Callable[[], Path], edit: Callable[[], None],
                count: int) -> Callable[[Live], list[float]]:
    """After the first build, `count` edits, each timed from the save until the server
    first signals open pages to reload (after the essay's page, `page()`, is rewritten);
    where the server gives no such signal, until the page is rewritten."""

    def timed(live: Live) -> list[float]:
        live.built(FIRST_BUILD)
        url = live.err.expect(SERVING, 120).group(1)
        path = page()
        version = reload_signal(url)
        seconds = []
        for _ in range(count):
            before, signalled = identity(path), version
            edit()
            saved = time.perf_counter()
            done = live.wait_until(changed(lambda: identity(path), before), ONE_EDIT)
            if signalled is not None:
                done = live.wait_until(changed(lambda: reload_signal(url), signalled),
                                       ONE_EDIT)
            live.built(ONE_EDIT)
            # Read once the build is done: serve may signal twice for one save (its pages
            # first, then again with the print page numbers).
            version = reload_signal(url)
            seconds.append(done - saved)
            time.sleep(PAUSE)
        return seconds

    return timed
