"""Per-essay editions: each essay a small book of its own, listed and summed with the rest."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from helpers import FIXTURES, epub_documents, epubcheck, page_texts, run_cli

ESSAYS = {2: "02-c-opening", 3: "03-a-listening", 10: "10-b-ten"}


def series(tmp_path: Path) -> Path:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    return root


@pytest.fixture(scope="session")
def essays_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("essays") / "series"
    shutil.copytree(FIXTURES / "series", root)
    result = run_cli("build", root, "--essays", "--no-cache")
    return {"root": root, "out": root / "dist", "result": result}


@pytest.mark.slow
def test_every_essay_gets_a_pdf_and_an_epub(essays_build: dict[str, Any]) -> None:
    result, out = essays_build["result"], essays_build["out"]
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == \
        sorted(["SHA256SUMS", "manifest.json", "fixture-series.epub", "fixture-series.pdf",
                *(f"essays/{stem}.{fmt}" for stem in ESSAYS.values() for fmt in ("pdf", "epub"))])
    assert result.stdout.splitlines()[-2:] == [str(out / "manifest.json"),
                                               str(out / "SHA256SUMS")]


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("number", list(ESSAYS))
def test_essay_epub_passes_epubcheck(essays_build: dict[str, Any], number: int) -> None:
    assert epubcheck(essays_build["out"] / "essays" / f"{ESSAYS[number]}.epub") == []


@pytest.mark.slow
def test_essay_epub_is_a_book_of_its_own_in_the_series(essays_build: dict[str, Any]) -> None:
    docs = epub_documents(essays_build["out"] / "essays" / "03-a-listening.epub")
    opf = docs["EPUB/content.opf"]
    assert "<dc:title>Listening first</dc:title>" in opf
    assert "<dc:description>What the participants told us</dc:description>" in opf
    assert '<dc:creator id="creator1">Ada Author</dc:creator>' in opf
    assert "Ben Writer" not in opf  # the essay's authors, not the collection's
    assert '<meta property="belongs-to-collection" id="series">Test project one</meta>' in opf
    assert '<meta refines="#series" property="collection-type">series</meta>' in opf
    assert '<meta refines="#series" property="group-position">3</meta>' in opf
    # Its own stable identifier, not the collection's.
    assert "0b0e2f7c-52a4-4c1e-8a34-9d3f1c2b7a10" not in opf
    assert '<dc:identifier id="id">urn:uuid:' in opf
    assert sorted(docs) == ["EPUB/a-listening.xhtml", "EPUB/content.opf", "EPUB/imprint.xhtml",
                            "EPUB/nav.xhtml", "EPUB/titlepage.xhtml", "EPUB/toc.ncx"]
    title = docs["EPUB/titlepage.xhtml"]
    assert '<p class="series">Test project one · Essay 3</p>' in title
    assert "also published in the collected edition Fixture Series" in docs["EPUB/imprint.xhtml"]
    essay = docs["EPUB/a-listening.xhtml"]
    assert 'epub:type="footnote"' in essay  # the notes come along
    # Links to essays outside this book keep their words and lose their target.
    assert "See also the opening essay\nand the long view." in essay
    assert "c-opening.xhtml" not in essay and 'href="#e2' not in essay


@pytest.mark.slow
def test_essay_epub_carries_only_its_own_images(essays_build: dict[str, Any]) -> None:
    import zipfile

    with zipfile.ZipFile(essays_build["out"] / "essays" / "10-b-ten.epub") as archive:
        assert "EPUB/images/card.png" in archive.namelist()
    with zipfile.ZipFile(essays_build["out"] / "essays" / "02-c-opening.epub") as archive:
        assert "EPUB/images/card.png" not in archive.namelist()


@pytest.mark.slow
def test_essay_pdf_title_page_imprint_and_metadata(essays_build: dict[str, Any]) -> None:
    path = essays_build["out"] / "essays" / "10-b-ten.pdf"
    texts = page_texts(path)[2:]  # after the cover and its blank verso
    assert texts[0].startswith("Test project one · Essay 10 The long view")
    assert "Essay 10 in the series Test project one, also published in the collected " \
        "edition Fixture Series." in texts[1]
    assert not any(t.startswith("Contents") for t in texts)  # one essay needs no contents
    assert texts[2].startswith("Test project one · Essay 10 · 15 January 2021 The long view")
    assert "Numbered by the series" in texts[2]  # the note, at the foot of its page
    assert "Back to listening." in " ".join(texts)  # the link's words stay
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Title"]) == "The long view"
        assert str(pdf.docinfo["/Author"]) == "Ben Writer"
        assert str(pdf.docinfo["/Keywords"]) == "Test project one · Essay 10"


@pytest.mark.slow
def test_manifest_and_sha256sums_cover_every_artefact(essays_build: dict[str, Any]) -> None:
    out = essays_build["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    paths = [a["path"] for a in manifest["artefacts"]]
    assert paths == ["fixture-series.pdf", "fixture-series.epub",
                     *(f"essays/{stem}.{fmt}" for stem in ESSAYS.values()
                       for fmt in ("pdf", "epub"))]
    for artefact in manifest["artefacts"]:
        data = (out / artefact["path"]).read_bytes()
        assert artefact["sha256"] == hashlib.sha256(data).hexdigest()
        assert artefact["bytes"] == len(data)
        expected = {"edition": "essay", "essay": int(artefact["path"][7:9])} \
            if artefact["path"].startswith("essays/") else {"edition": "collected"}
        assert {k: artefact[k] for k in ("edition", "essay") if k in artefact} == expected
    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert sums == [f"{a['sha256']}  {a['path']}" for a in manifest["artefacts"]]
    check = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=out,
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 8


def test_one_essay_is_built_alone_and_the_manifest_keeps_the_others(tmp_path: Path) -> None:
    root = series(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", root, "--out", out, "--format", "epub").exit_code == 0
    result = run_cli("build", root, "--out", out, "--essay", "3", "--format", "epub")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.epub")) == [
        "essays/03-a-listening.epub", "fixture-series.epub"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [a["path"] for a in manifest["artefacts"]] == [
        "fixture-series.epub", "essays/03-a-listening.epub"]
    assert len((out / "SHA256SUMS").read_text().splitlines()) == 2


def test_essay_option_repeats(tmp_path: Path) -> None:
    root = series(tmp_path)
    result = run_cli("build", root, "-e", "10", "-e", "2", "-f", "epub")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "dist").rglob("*.epub")) == [
        "02-c-opening.epub", "10-b-ten.epub"]


def test_unknown_essay_number_is_a_usage_error(tmp_path: Path) -> None:
    root = series(tmp_path)
    result = run_cli("build", root, "--essay", "7")
    assert result.exit_code == 2
    assert result.stderr == ("error: there is no essay number 7 [A104]\n"
                             "    hint: the series has essays 2, 3, 10\n")
    assert not (root / "dist").exists()


def test_config_asks_for_essay_editions_and_the_option_overrides(tmp_path: Path) -> None:
    root = series(tmp_path)
    with (root / "qlabbook.toml").open("a") as config:
        config.write("\n[build]\nessays = true\n")
    assert run_cli("build", root, "-f", "epub").exit_code == 0
    assert len(list((root / "dist" / "essays").glob("*.epub"))) == 3
    out = tmp_path / "without"
    assert run_cli("build", root, "-f", "epub", "--no-essays", "-o", out).exit_code == 0
    assert not (out / "essays").exists()


def test_config_essays_must_be_a_boolean(tmp_path: Path) -> None:
    root = series(tmp_path)
    with (root / "qlabbook.toml").open("a") as config:
        config.write("\n[build]\nessays = \"yes\"\n")
    result = run_cli("check", root)
    assert result.exit_code == 1
    assert "qlabbook.toml:13: error: [build] essays must be true or false, not 'yes' [C104]" \
        in result.stderr
