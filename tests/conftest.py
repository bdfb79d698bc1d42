"""Fixtures: the fixture collections built once per session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from helpers import FIXTURES, REPOSITORY, run_cli

# Progress lines appear in CI (CI=true); the tests judge a build's output as a person running
# it locally would see it. Tests of the CI behaviour set the variable themselves.
os.environ.pop("CI", None)
# What builds share across collections (folio sheets, covers) is kept for this run only, not
# in the user's cache folder, and removed when the run ends.
SHARED_CACHE = tempfile.mkdtemp(prefix="qlabbook-shared-cache-")
os.environ["QLABBOOK_CACHE_HOME"] = SHARED_CACHE
atexit.register(shutil.rmtree, SHARED_CACHE, ignore_errors=True)


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
