"""The release machinery: the GitHub workflow's structure and `make release`'s recipe."""

from __future__ import annotations

import subprocess
from typing import Any

import yaml

from helpers import REPOSITORY

WORKFLOW = REPOSITORY / ".github" / "workflows" / "release.yml"


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def steps(job: dict[str, Any]) -> list[str]:
    """Each step as one string: its name, the action it uses and the command it runs."""
    return [" | ".join(str(step.get(k, "")) for k in ("name", "uses", "run"))
            for step in job["steps"]]


def index_of(all_steps: list[str], *needles: str) -> int:
    [found] = [i for i, step in enumerate(all_steps) if all(n in step for n in needles)]
    return found


def test_triggers_are_tags_and_pull_requests() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert triggers["push"] == {"tags": ["v*"]}


def test_pull_requests_check_the_essays_and_run_the_tests() -> None:
    job = workflow()["jobs"]["check"]
    assert job["if"] == "github.event_name == 'pull_request'"
    found = steps(job)
    order = [index_of(found, "actions/checkout"), index_of(found, "actions/setup-python"),
             index_of(found, "apt-get install"),
             index_of(found, "qlabbook check . --format github"),
             index_of(found, "make test")]
    assert order == sorted(order)


def test_tags_test_build_upload_and_attach_the_release() -> None:
    data = workflow()
    job = data["jobs"]["release"]
    assert "refs/tags/" in job["if"]
    assert job["permissions"] == {"contents": "write"}
    found = steps(job)
    order = [index_of(found, "actions/checkout"), index_of(found, "actions/setup-python"),
             index_of(found, "apt-get install"), index_of(found, "make test"),
             index_of(found, "make release"), index_of(found, "actions/upload-artifact"),
             index_of(found, "gh release upload")]
    assert order == sorted(order)
    upload = job["steps"][order[5]]["with"]["path"]
    for artefact in ("dist/*.pdf", "dist/*.epub", "dist/essays/", "dist/manifest.json",
                     "dist/SHA256SUMS"):
        assert artefact in upload
    packages = data["env"]["SYSTEM_PACKAGES"].split()
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "default-jre-headless"} <= set(packages)


def dry_run(*arguments: str) -> str:
    return subprocess.run(["make", "--dry-run", "--always-make", "release", *arguments],
                          cwd=REPOSITORY, capture_output=True, text=True, check=True).stdout


def test_make_release_tests_first_then_builds_reproducibly() -> None:
    recipe = dry_run()
    assert recipe.index("-m pytest") < recipe.index("rm -rf dist")
    assert "export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" in recipe
    assert "qlabbook build . --out dist --essays" in recipe
    assert "sha256sum --check --quiet SHA256SUMS" in recipe
    assert "-m pytest" not in dry_run("SKIP_TESTS=1")


def test_make_release_adds_a_pdf_profile_with_one_name() -> None:
    recipe = dry_run("SKIP_TESTS=1", "RELEASE_PDF_PROFILES=screen press")
    assert "for profile in screen press; do" in recipe
    assert "--format pdf" in recipe and "--pdf-profile $profile" in recipe
