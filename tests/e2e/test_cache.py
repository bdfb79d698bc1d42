"""The render cache: unchanged editions come from it, any input that matters invalidates it,
and parallel renders give the same bytes as serial ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from helpers import COLLECTED, ESSAY, EVERY, FIXTURES, epub_documents, run_cli
from qlabbook.assets import ASSETS
from qlabbook.build import BuildRequest, build, load_collection
from qlabbook.output import cache
from qlabbook.output.cache import RenderCache, edition_key
from qlabbook.output.editions import plan_editions
from qlabbook.source import fingerprint, renderkey
from qlabbook.source.diagnostics import Diagnostic, Severity
from qlabbook.source.fingerprint import tool_fingerprint
from qlabbook.source.model import DEFAULT_FORMATS
from qlabbook.typeset import book


def series(tmp_path: Path, name: str = "series") -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / "series", root)
    return root


def keys(root: Path) -> dict[str, str]:
    collection = load_collection(root)
    plan = plan_editions(collection, DEFAULT_FORMATS, collected=True,
                         essays=[e.number for e in collection.essays])
    return {edition.path.as_posix(): edition_key(edition) for edition in plan}


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def new_card(root: Path) -> None:
    Image.new("RGB", (40, 30), (200, 10, 10)).save(root / "images" / "card.png")


def texture(root: Path, colour: tuple[int, int, int]) -> None:
    Image.new("RGB", (4, 4), colour).save(root / "images" / "texture.png")


CHANGES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("essay source", lambda root: append(root / "essays" / "a-listening.md", "\nMore.\n"),
     COLLECTED + ESSAY[3]),
    ("image used", new_card, COLLECTED + ESSAY[10]),
    ("collection print.css", lambda root: (root / "styles").mkdir() or
     (root / "styles" / "print.css").write_text("p { color: #222; }\n"), EVERY),
    ("collection epub.css", lambda root: (root / "styles").mkdir() or
     (root / "styles" / "epub.css").write_text("p { color: #222; }\n"), EVERY),
    ("collection template", lambda root: (root / "templates").mkdir() or shutil.copy(
        ASSETS / "templates" / "essay.xhtml",
        root / "templates" / "essay.xhtml"), EVERY),
    ("page size option", lambda root: append(root / "qlabbook.toml", '\n[pdf]\npage_size = "A5"\n'),
     EVERY),
    ("collection metadata", lambda root: (root / "qlabbook.toml").write_text(
        (root / "qlabbook.toml").read_text().replace("Fixture Press", "Other Press")), EVERY),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in CHANGES],
                         ids=[name for name, _, _ in CHANGES])
def test_each_input_invalidates_the_editions_that_read_it(
        tmp_path: Path, change: Callable[[Path], None], expected: list[str]) -> None:
    root = series(tmp_path)
    before = keys(root)
    assert keys(root) == before  # stable when nothing changes
    change(root)
    after = keys(root)
    assert sorted(p for p in before if before[p] != after[p]) == sorted(expected)


def test_file_a_stylesheet_loads_from_outside_styles_invalidates(tmp_path: Path) -> None:
    root = series(tmp_path)
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text('body { background: url("../images/texture.png") }')
    texture(root, (1, 2, 3))
    before = keys(root)
    texture(root, (3, 2, 1))
    after = keys(root)
    assert all(before[p] != after[p] for p in before)


def test_source_date_epoch_and_the_tool_invalidate(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = series(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    before = keys(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    after_epoch = keys(root)
    assert all(before[p] != after_epoch[p] for p in before)
    monkeypatch.setattr(renderkey, "tool_fingerprint", lambda: "another qlabbook")
    after_tool = keys(root)
    assert all(after_epoch[p] != after_tool[p] for p in before)


def test_tool_fingerprint_reads_the_whole_package() -> None:
    """Every stage's code and every asset: a changed stylesheet, template or font of the
    package invalidates what was rendered with the old one."""
    files = {path.relative_to(fingerprint.PACKAGE).as_posix()
             for path in fingerprint.package_files()}
    assert {"assets/styles/print.css", "assets/styles/epub.css", "assets/templates/print.html",
            "assets/styles/fonts/LinLibertine_R.otf", "typeset/document.py",
            "markdown/convert.py", "cli/__init__.py", "__init__.py"} <= files


def test_tool_fingerprint_follows_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    first = tool_fingerprint.__wrapped__()
    assert tool_fingerprint.__wrapped__() == first
    monkeypatch.setattr(fingerprint, "__version__", "99.0")
    assert tool_fingerprint.__wrapped__() != first


def test_asking_for_essay_editions_does_not_invalidate(tmp_path: Path) -> None:
    root = series(tmp_path)
    before = keys(root)
    append(root / "qlabbook.toml", "\n[build]\nessays = true\n")
    assert keys(root) == before


@pytest.mark.slow
def test_hits_misses_and_never_stale(tmp_path: Path) -> None:
    root = series(tmp_path)
    first = build(BuildRequest(root, formats=("epub",), essays=True, jobs=1))
    assert first.cached == [] and len(first.rendered) == 4
    outputs = {p: p.read_bytes() for p in first.written}

    again = build(BuildRequest(root, formats=("epub",), essays=True, jobs=1))
    assert again.rendered == [] and len(again.cached) == 4
    assert {p: p.read_bytes() for p in again.written} == outputs

    append(root / "essays" / "b-ten.md", "\nA new last line.\n")
    changed = build(BuildRequest(root, formats=("epub",), essays=True, jobs=1))
    assert changed.rendered == ["collected edition EPUB", "essay 10 EPUB"]
    assert changed.cached == ["essay 2 EPUB", "essay 3 EPUB"]

    fresh = build(BuildRequest(root, tmp_path / "fresh", formats=("epub",), essays=True,
                               cache=False))
    assert len(fresh.rendered) == 4
    for path in fresh.written:
        assert path.read_bytes() == (root / "dist" / path.relative_to(tmp_path / "fresh")
                                     ).read_bytes(), path


@pytest.mark.slow
def test_a_moved_collection_keeps_its_cached_editions_and_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = series(tmp_path / "here")
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text('body { background: url("../images/texture.png") }')
    texture(root, (1, 2, 3))
    first = build(BuildRequest(root, formats=("pdf", "epub"), only=(2,), jobs=1))
    assert sorted(first.rendered) == ["essay 2 EPUB", "essay 2 PDF"]

    moved = tmp_path / "somewhere" / "else"
    shutil.copytree(root, moved)
    again = build(BuildRequest(moved, formats=("pdf", "epub"), only=(2,), jobs=1))
    assert again.rendered == [] and sorted(again.cached) == sorted(first.rendered)

    # Without its editions' entries, the moved collection's PDF is made of its cached parts.
    for entry in (moved / ".qlabbook-cache").glob("*/*.pdf"):
        if entry.parent.name != "parts":
            entry.unlink()
    laid: list[str] = []
    lay_out_here = book.lay_out_here
    monkeypatch.setattr(book, "lay_out_here", lambda jobs: (
        laid.extend(str(job.part) for job in jobs), lay_out_here(jobs))[1])
    joined = build(BuildRequest(moved, formats=("pdf",), only=(2,), jobs=1))
    assert joined.rendered == ["essay 2 PDF"] and laid == []


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    root = series(tmp_path)
    build(BuildRequest(root, formats=("epub",), only=(2,)))
    [entry] = (root / ".qlabbook-cache").rglob("*.epub")
    entry.write_bytes(entry.read_bytes()[:100])
    report = build(BuildRequest(root, formats=("epub",), only=(2,)))
    assert report.rendered == ["essay 2 EPUB"]
    assert (root / "dist" / "essays" / "02-c-opening.epub").stat().st_size > 1000


def test_entries_are_pruned_per_edition(tmp_path: Path) -> None:
    root = series(tmp_path)
    for n in range(cache.KEEP + 2):
        append(root / "essays" / "c-opening.md", f"\nEdit {n}.\n")
        build(BuildRequest(root, formats=("epub",), only=(2,)))
    [folder] = [path for path in (root / ".qlabbook-cache").iterdir()
              if path.name not in ("parts", "essays", "_covers")]
    assert len(list(folder.glob("*.json"))) == cache.KEEP
    assert len(list(folder.glob("*.epub"))) == cache.KEEP


def test_render_warnings_are_kept_with_the_entry(tmp_path: Path) -> None:
    root = series(tmp_path)
    collection = load_collection(root)
    [edition] = plan_editions(collection, ["pdf"], collected=True, essays=[])
    store = RenderCache(tmp_path / "cache")
    warning = Diagnostic("R101", "PDF renderer: something odd", None, None, Severity.WARNING)
    store.put(edition, "k" * 64, b"%PDF-data", [warning])
    assert store.get(edition, "k" * 64) == (b"%PDF-data", [warning])
    assert store.get(edition, "j" * 64) is None
    assert RenderCache(None).get(edition, "k" * 64) is None


@pytest.mark.slow
def test_a_rebuild_with_no_change_does_not_load_the_renderers(tmp_path: Path) -> None:
    root = series(tmp_path)
    assert run_cli("build", root, "--essays").exit_code == 0
    # CPU time, not wall time: the machine may be busy with other work.
    code = ("import sys, time; from pathlib import Path\n"
            "from qlabbook.build import BuildRequest, build\n"
            "started = time.process_time()\n"
            f"report = build(BuildRequest(Path({str(root)!r}), essays=True))\n"
            "print(len(report.rendered), len(report.cached), "
            "sorted(m for m in ('weasyprint', 'ebooklib') if m in sys.modules), "
            "round(time.process_time() - started, 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[:3] == ["0", "8", "[]"], out  # nothing rendered, no renderer imported
    assert float(out[-1]) < 1.0, out  # well under a second even on a busy machine


@pytest.mark.slow
def test_parallel_renders_equal_serial_ones_byte_for_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A first parallel build starts the worker server in another folder and environment...
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")
    warm = series(tmp_path, "warm")
    assert run_cli("build", warm, "-f", "epub", "-e", "2", "-e", "3", "--no-cache",
                   "--jobs", "2").exit_code == 0
    # ...later builds still render with their own, a relative collection path included.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for jobs in ("1", "3"):
        root = series(tmp_path, f"jobs-{jobs}")
        result = run_cli("build", f"jobs-{jobs}", "--essays", "--no-cache", "--jobs", jobs)
        assert result.exit_code == 0, result.output
        outputs.append({p.relative_to(root / "dist").as_posix(): p.read_bytes()
                        for p in (root / "dist").rglob("*") if p.is_file()})
    assert sorted(outputs[0]) == sorted([*EVERY, "manifest.json", "SHA256SUMS"])
    assert outputs[0] == outputs[1]
    opf = epub_documents(root / "dist" / "essays" / "02-c-opening.epub")["EPUB/content.opf"]
    assert "2020-09-13T12:26:40Z" in opf  # this build's SOURCE_DATE_EPOCH
