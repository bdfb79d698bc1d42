"""An editor's commands: new, check's report formats, watch, and progress output."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import FIXTURES, epub_documents, run_cli
from qlabbook.source.diagnostics import CODES


def series(tmp_path: Path) -> Path:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    return root


# -- new -----------------------------------------------------------------------------------

def test_new_writes_the_next_essay_with_front_matter_and_a_guide(tmp_path: Path) -> None:
    root = series(tmp_path)
    result = run_cli("new", "Café culture: what we learnt", root)
    assert result.exit_code == 0, result.output
    path = root / "essays" / "11-cafe-culture-what-we-learnt.md"
    assert result.stdout == f"{path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Café culture: what we learnt"\nnumber: 11\n'
                           f"date: {dt.date.today().isoformat()}\n")
    for topic in ("Footnotes", "[^label]:", "Figures", 'credit="Name"', "Quotations",
                  "> — Lab participant"):
        assert topic in text, topic
    # The new essay is valid as it stands: check passes and lists it.
    checked = run_cli("check", root)
    assert checked.exit_code == 0, checked.output
    assert " 11       0      0     0  Café culture: what we learnt" in checked.stdout


def test_new_in_an_empty_collection_starts_at_one(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "qlabbook.toml").write_text('[collection]\ntitle = "Fresh"\n')
    assert run_cli("new", "First things", root).exit_code == 0
    assert (root / "essays" / "01-first-things.md").is_file()


def test_new_never_overwrites_a_file(tmp_path: Path) -> None:
    root = series(tmp_path)
    # A file named for the next number whose front matter says otherwise.
    existing = root / "essays" / "11-next.md"
    existing.write_text("---\ntitle: Kept\nnumber: 4\n---\n\nMine.\n")
    result = run_cli("new", "Next", root)
    assert result.exit_code == 1
    assert result.stderr == ("essays/11-next.md: error: essays/11-next.md already exists; "
                             "nothing was written [W102]\n"
                             "    hint: choose another title, or rename the existing file\n")
    assert existing.read_text() == "---\ntitle: Kept\nnumber: 4\n---\n\nMine.\n"


def test_new_reads_numbers_from_broken_front_matter(tmp_path: Path) -> None:
    root = series(tmp_path)
    (root / "essays" / "z.md").write_text("---\ntitle: a: b\nnumber: 12\n---\n")
    assert run_cli("new", "After", root).exit_code == 0
    assert (root / "essays" / "13-after.md").is_file()


# -- check -----------------------------------------------------------------------------------

def broken(tmp_path: Path) -> Path:
    root = series(tmp_path)
    (root / "essays" / "x.md").write_text(
        "---\ntitle: Extra\nnumber: 5\nmood: calm\n---\n\nA call.[^a]\n\n[^a]: One.\n"
        "[^a]: Two.\n")
    return root


def test_check_text_reports_words_notes_and_figures_per_essay(tmp_path: Path) -> None:
    result = run_cli("check", broken(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "  #   words  notes  figs  title",
        "  2      15      1     0  Opening",
        "  3      43      2     0  Listening first",
        "  5       2      1     0  Extra",
        " 10      19      1     1  The long view",
    ]
    assert result.stderr.splitlines()[-1] == "1 error(s), 1 warning(s)"


def test_check_github_annotations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "series", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "::warning file=series/essays/x.md,line=4,title=S106::unknown front matter field "
        "'mood' [S106]%0Ahint: known fields: authors, date, number, slug, subtitle, summary, "
        "title",
        "::error file=series/essays/x.md,line=10,title=M103::footnote [^a] is defined twice "
        "[M103]%0Ahint: remove or relabel one definition",
    ]
    assert "  5       2      1     0  Extra" in lines
    table = summary.read_text()
    assert "1 error(s), 1 warning(s)" in table and "| 5 | Extra | 2 | 1 | 0 |" in table


def test_check_github_strict_makes_warnings_errors(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = series(tmp_path)
    (root / "essays" / "x.md").write_text("---\ntitle: Extra\nnumber: 5\nmood: calm\n---\n")
    monkeypatch.chdir(root)
    assert run_cli("check", ".", "--format", "github").exit_code == 0
    result = run_cli("check", ".", "--format", "github", "--strict")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=essays/x.md,line=4,title=S106::")


def test_check_json(tmp_path: Path) -> None:
    result = run_cli("check", broken(tmp_path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["errors"] == 1 and report["warnings"] == 1
    assert report["diagnostics"][1] == {
        "code": "M103", "severity": "error", "message": "footnote [^a] is defined twice",
        "path": "essays/x.md", "line": 10, "hint": "remove or relabel one definition"}
    assert report["essays"][2] == {"number": 5, "slug": "x", "path": "essays/x.md",
                                   "title": "Extra", "words": 2, "notes": 1, "figures": 0}


def test_check_json_on_a_collection_that_cannot_be_read(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [d["code"] for d in report["diagnostics"]] == ["A101", "C101"]
    assert report["essays"] == []


def test_every_code_is_used_and_every_use_is_catalogued() -> None:
    source = "\n".join(p.read_text() for p in
                       (Path(__file__).parents[2] / "src" / "qlabbook").rglob("*.py")
                       if p.name != "errors.py")
    used = set(re.findall(r'"([A-Z]\d{3})"', source))
    assert used == set(CODES)


# -- progress --------------------------------------------------------------------------------

def test_plain_progress_lines_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    result = run_cli("build", series(tmp_path), "--format", "epub", "--essay", "2",
                     "--essay", "3", "--jobs", "1")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:4] == ["qlabbook: reading essays", "qlabbook: laying out pages",
                         "qlabbook: rendered essay 2 EPUB (1/2)",
                         "qlabbook: rendered essay 3 EPUB (2/2)"]
    assert lines[4] == "qlabbook: writing"
    assert lines[5].startswith("qlabbook: 2 edition(s) rendered in ")


@pytest.mark.slow
def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    script = shutil.which("script")
    if script is None:
        pytest.skip("util-linux `script` is needed to give the command a terminal")
    root = series(tmp_path)
    command = (f"{sys.executable} -m qlabbook build {root} --format epub --essay 2 --essay 3 "
               "--jobs 1")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    shown = subprocess.run([script, "-qec", command, "/dev/null"], capture_output=True,
                           text=True, env=env, timeout=300, check=True).stdout
    assert "2/2" in shown and "\x1b[" in shown  # a drawn bar, with colours and cursor moves
    assert "qlabbook: 2 edition(s) rendered in " in shown


# -- watch -----------------------------------------------------------------------------------

class Lines:
    """A child's stdout, line by line, with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [self.queue.put(line) for line in stream],
                         daemon=True).start()

    def next(self, timeout: float = 120) -> str:
        return self.queue.get(timeout=timeout).rstrip("\n")


@pytest.mark.slow
def test_watch_rebuilds_after_a_change_and_survives_errors(tmp_path: Path) -> None:
    root = series(tmp_path)
    essay = root / "essays" / "c-opening.md"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    process = subprocess.Popen(
        [sys.executable, "-m", "qlabbook", "watch", str(root), "--format", "epub", "--essays",
         "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = Lines(process)
        first = lines.next()
        assert " built: 4 edition(s) rendered in " in first, first
        time.sleep(0.05)
        essay.write_text(essay.read_text().replace("## First steps", "## First steps\n\nNew."))
        second = lines.next()
        # Only what reads the changed essay is rendered again: the collected edition and its own.
        assert " built (essays/c-opening.md): 2 edition(s) rendered, 2 from cache in " \
            in second, second
        assert "<p>New.</p>" in epub_documents(root / "dist" / "fixture-series.epub")[
            "EPUB/c-opening.xhtml"]
        essay.write_text(essay.read_text() + "\nSee [this](#nowhere).\n")
        third = lines.next()
        assert third.endswith("not built (essays/c-opening.md): 1 error(s); waiting for a fix")
        essay.write_text(essay.read_text().replace("See [this](#nowhere).", "Fixed."))
        fourth = lines.next()
        assert " built (essays/c-opening.md): 2 edition(s) rendered, 2 from cache in " \
            in fourth, fourth
        assert process.poll() is None  # still watching
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    assert "[M202]" in stderr and stderr.rstrip().endswith("qlabbook: stopped watching")
