"""The catalogue of bad input: each case breaks one thing and runs the real CLI on it.

Every refused build must exit 1, print exactly the expected diagnostic lines
(`path:LINE: error: MESSAGE [CODE]`, line numbers included), never show a traceback and
write nothing at all to the output folder. Warnings let the build succeed unless --strict.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import traceback
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from qlabbook.cli import app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "series"
RUNNER = CliRunner()

# Front matter for an extra essay, essays/x.md: its body starts on line 6.
FRONT = ("---", "title: Extra", "number: 5", "---", "")


# --- helpers -------------------------------------------------------------------------------

def series(tmp_path: Path) -> Path:
    """A fresh copy of the valid fixture collection (essays numbered 2, 3 and 10)."""
    root = tmp_path / "series"
    shutil.copytree(FIXTURE, root)
    return root


def write_essay(root: Path, name: str, *lines: str) -> Path:
    """essays/<name> with one source line per argument: the first argument is line 1."""
    path = root / "essays" / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> Result:
    """Run the CLI; fail on any uncaught exception (CliRunner would turn it into exit 1)."""
    result = RUNNER.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("uncaught exception:\n" + "".join(
            traceback.format_exception(result.exception)))
    assert "Traceback" not in result.stdout + result.stderr
    return result


def build(root: Path, out: Path, *options: str) -> Result:
    return run("build", str(root), "--out", str(out), *options)


def diagnostic_lines(stderr: str) -> list[str]:
    """The diagnostic lines, without their indented hints."""
    return [line for line in stderr.splitlines()
            if line.strip() and not line.startswith("    hint:")]


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.iterdir())


def refused(root: Path, tmp_path: Path, *options: str) -> list[str]:
    """Build, check it failed cleanly with nothing written, return the diagnostic lines."""
    out = tmp_path / "out"
    result = build(root, out, *options)
    assert result.exit_code == 1, result.output
    assert_nothing_written(out)
    return diagnostic_lines(result.stderr)


def epub_xhtml(out: Path) -> str:
    """Every XHTML document of the one EPUB in `out`, concatenated."""
    (epub,) = out.glob("*.epub")
    with zipfile.ZipFile(epub) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                         if name.endswith((".xhtml", ".html", ".htm")))


# --- one bad essay added to the valid fixture ------------------------------------------------

ESSAY_CASES = [
    # Front matter.
    pytest.param(
        ("---", "number: 5", "title: a: b", "---", "", "Text."),
        ["essays/x.md:3: error: the value of 'title' holds ': ', which YAML reads as a new "
         "field [S103]"],
        id="invalid-yaml"),
    pytest.param(
        ("---", 'title: "Unclosed', "number: 5", "summary: Fine", "---", "", "Text."),
        ["essays/x.md:2: error: the quoted value of 'title' is never closed [S103]"],
        id="yaml-unclosed-quote"),
    pytest.param(
        ("---", "title: T", "authors: [A, B", "number: 5", "---", "", "Text."),
        ["essays/x.md:3: error: a list opened with [ is never closed [S103]"],
        id="yaml-unclosed-list"),
    pytest.param(
        ("---", "title: T", "number: 5", "  date: 2020-01-01", "---", "", "Text."),
        ["essays/x.md:4: error: 'date' is indented, so YAML reads it as part of the field "
         "above [S103]"],
        id="yaml-indented-field"),
    pytest.param(
        ("---", "- a list", "- not a mapping", "---", "", "Text."),
        ["essays/x.md:2: error: front matter must be a mapping of fields [S103]"],
        id="front-matter-not-a-mapping"),
    pytest.param(
        ("Text without front matter.",),
        ["essays/x.md:1: error: no front matter [S102]"],
        id="no-front-matter"),
    pytest.param(
        ("---", "number: 5", "---", "", "Text."),
        ["essays/x.md:1: error: missing required field 'title' [S104]"],
        id="missing-title"),
    pytest.param(
        ("---", "title: Extra", "---", "", "Text."),
        ["essays/x.md:2: error: missing required field 'number' [S104]"],
        id="missing-number"),
    pytest.param(
        ("---", "title: Extra", "number: two", "---", "", "Text."),
        ["essays/x.md:3: error: 'number' must be a positive whole number, not 'two' [S104]"],
        id="number-not-an-integer"),
    pytest.param(
        ("---", "title: Extra", "number: 0", "---", "", "Text."),
        ["essays/x.md:3: error: 'number' must be a positive whole number, not 0 [S104]"],
        id="number-zero"),
    pytest.param(
        ("---", "title: Extra", "number: -4", "---", "", "Text."),
        ["essays/x.md:3: error: 'number' must be a positive whole number, not -4 [S104]"],
        id="number-negative"),
    pytest.param(
        ("---", "title: [a, b]", "number: 5", "---", "", "Text."),
        ["essays/x.md:2: error: 'title' must be text [S104]"],
        id="title-not-text"),
    pytest.param(
        ("---", "title: Extra", "number: 5", "date: someday", "---", "", "Text."),
        ["essays/x.md:4: error: 'date' must be a date (2019-05-14) or a month (2019-05), "
         "not 'someday' [S104]"],
        id="date-not-a-date"),
    pytest.param(
        ("---", "title: Extra", "number: 5", "date: 2019-13", "---", "", "Text."),
        ["essays/x.md:4: error: 'date' must be a date (2019-05-14) or a month (2019-05), "
         "not '2019-13' [S104]"],
        id="date-month-13"),
    pytest.param(
        ("---", "title: Extra", "number: 5", "slug: Not Good", "---", "", "Text."),
        ["essays/x.md:4: error: 'slug' must be lowercase letters, digits and hyphens: "
         "'Not Good' [S104]"],
        id="slug-not-a-slug"),
    # Across essays: only the later essay in series order is reported, naming the first.
    pytest.param(
        ("---", "title: Extra", "number: 3", "---", "", "Text."),
        ["essays/x.md:3: error: number 3 is also used by essays/a-listening.md [A102]"],
        id="duplicate-number"),
    pytest.param(
        ("---", "title: Extra", "number: 5", "slug: c-opening", "---", "", "Text."),
        ["essays/x.md:4: error: slug 'c-opening' is also used by essays/c-opening.md [A103]"],
        id="duplicate-slug"),
    # Images.
    pytest.param(
        (*FRONT, "Text.", "", "![A cat](../images/cat.png)"),
        ["essays/x.md:8: error: image '../images/cat.png' does not exist [I101]"],
        id="image-missing"),
    pytest.param(
        (*FRONT, "Text.", "", "![A card](../images/crad.png)"),
        ["essays/x.md:8: error: image '../images/crad.png' does not exist; did you mean "
         "../images/card.png? [I101]"],
        id="image-misspelt"),
    pytest.param(
        (*FRONT, "Text.", "", "![A card](../image/Card.PNG)"),
        ["essays/x.md:8: error: image '../image/Card.PNG' does not exist; did you mean "
         "../images/card.png? [I101]"],
        id="image-misspelt-folder-and-case"),
    pytest.param(
        (*FRONT, "Text.[^a]", "", "[^a]: A note with ![a picture](../images/crad.png)."),
        ["essays/x.md:8: error: image '../images/crad.png' does not exist; did you mean "
         "../images/card.png? [I101]"],
        id="image-in-footnote-missing"),
    # Footnotes.
    pytest.param(
        (*FRONT, "Text.[^a]", "", "[^a]: One.", "", "[^a]: Two."),
        ["essays/x.md:10: error: footnote [^a] is defined twice [M103]"],
        id="footnote-defined-twice"),
    # Links.
    pytest.param(
        (*FRONT, "Text.", "", "See [the opening](c-opening.md#nowhere)."),
        ["essays/x.md:8: error: link 'the opening' points to #nowhere, which is not a heading "
         "of essay 2 [M202]"],
        id="link-to-missing-heading"),
    pytest.param(
        (*FRONT, "See [a](c-opening.md#nowhere).", "", "Again [a](c-opening.md#nowhere)."),
        ["essays/x.md:6: error: link 'a' points to #nowhere, which is not a heading of essay 2 "
         "[M202]",
         "essays/x.md:8: error: link 'a' points to #nowhere, which is not a heading of essay 2 "
         "[M202]"],
        id="same-broken-link-twice"),
    pytest.param(
        (*FRONT, "Text.", "", '<p><img src="../images/cat.png" alt="A cat"></p>'),
        ["essays/x.md:8: error: image '../images/cat.png' does not exist [I101]"],
        id="raw-html-image-missing"),
    # Limits.
    pytest.param(
        (*FRONT, "Text.", "", "> " * 60 + "deep"),
        ["essays/x.md:8: error: elements nested 61 levels deep (limit 50) [M105]"],
        id="quotations-nested-too-deep"),
    pytest.param(
        (*FRONT, "Text.", "", *[("    " * level) + "- item" for level in range(60)]),
        ["essays/x.md:34: error: elements nested 120 levels deep (limit 50) [M105]"],
        id="lists-nested-too-deep"),
    pytest.param(
        (*FRONT, "Text.", "", "<div>" * 80 + "deep"),
        ["essays/x.md:8: error: elements nested 80 levels deep (limit 50) [M105]"],
        id="raw-html-nested-too-deep"),
    pytest.param(
        (*FRONT, *[f"Call.[^{n}]" for n in range(1000)], "",
         *[f"[^{n}]: Note." for n in range(1000)]),
        ["essays/x.md:1005: error: more than 999 footnotes in one essay [M106]"],
        id="too-many-footnotes"),
]


@pytest.mark.parametrize(("lines", "expected"), ESSAY_CASES)
def test_bad_essay_is_refused(tmp_path: Path, lines: tuple[str, ...],
                              expected: list[str]) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", *lines)
    assert refused(root, tmp_path) == expected


@pytest.mark.parametrize("slug", ["search", "book-index", "images"])
def test_an_essay_cannot_take_a_folder_of_the_web_edition(tmp_path: Path, slug: str) -> None:
    """Its page would replace the site's own (the search page) or sit among its files;
    the PDF and the EPUB have no such folders, and build."""
    root = series(tmp_path)
    write_essay(root, "x.md", "---", "title: Extra", "number: 5", f"slug: {slug}", "---", "",
                "Text.")
    assert refused(root, tmp_path, "--format", "web") == [
        f"essays/x.md:4: error: slug '{slug}' is the name of the web edition's own {slug}/ "
        "folder [A105]"]
    assert build(root, tmp_path / "pdf", "--format", "epub").exit_code == 0


def test_image_that_is_not_an_image(tmp_path: Path) -> None:
    root = series(tmp_path)
    (root / "images" / "broken.png").write_bytes(b"not a PNG at all")
    write_essay(root, "x.md", *FRONT, "Text.", "", "![A broken picture](../images/broken.png)")
    assert refused(root, tmp_path) == [
        "essays/x.md:8: error: image '../images/broken.png' cannot be read as an image [I104]"]


def test_image_outside_the_collection(tmp_path: Path) -> None:
    root = series(tmp_path)
    outside = tmp_path / "outside.png"  # a real image: only the location check can stop it
    shutil.copy(root / "images" / "card.png", outside)
    assert (root / "essays" / "../../outside.png").resolve() == outside.resolve()
    write_essay(root, "x.md", *FRONT, "Text.", "", "![Outside](../../outside.png)")
    assert refused(root, tmp_path) == [
        "essays/x.md:8: error: image '../../outside.png' is not a file inside the collection "
        "[I102]"]


def test_image_through_a_symlink_leaving_the_collection(tmp_path: Path) -> None:
    root = series(tmp_path)
    outside = tmp_path / "outside.png"
    shutil.copy(root / "images" / "card.png", outside)
    (root / "images" / "link.png").symlink_to(outside)
    write_essay(root, "x.md", *FRONT, "![Linked](../images/link.png)")
    assert refused(root, tmp_path) == [
        "essays/x.md:6: error: image '../images/link.png' is not a file inside the collection "
        "[I102]"]


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` over a few bytes of pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0,
                                                                0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def image_bytes(format_name: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    pixels = random.Random(7).randbytes(64 * 64 * 3)  # noise: the data does not compress away
    Image.frombytes("RGB", (64, 64), pixels).save(buffer, format=format_name)
    return buffer.getvalue()


IMAGE_CASES = [
    pytest.param("bomb.png", lambda: png_claiming(100_000, 100_000),
                 "has 10000000000 pixels, above the limit of 60 megapixels [I106]",
                 id="decompression-bomb"),
    pytest.param("strip.png", lambda: png_claiming(30_000, 2),
                 "is 30000×2 pixels, above the limit of 60 megapixels and 20000 pixels a side "
                 "[I106]", id="absurd-dimensions"),
    pytest.param("huge.png", lambda: png_claiming(9_000, 9_000),
                 "is 9000×9000 pixels, above the limit of 60 megapixels and 20000 pixels a side "
                 "[I106]", id="too-many-pixels"),
    pytest.param("cut.png", lambda: image_bytes("PNG")[:6000],
                 "cannot be read as an image [I104]", id="truncated"),
    pytest.param("photo.bmp", lambda: image_bytes("BMP"),
                 "cannot be used: it is a BMP file, not JPEG, PNG, GIF or WebP [I104]",
                 id="unsupported-format"),
    pytest.param("photo.jpg", lambda: image_bytes("PNG"),
                 "is a PNG file with a .jpg extension [I104]", id="wrong-extension"),
]


@pytest.mark.parametrize(("name", "make", "problem"), IMAGE_CASES)
def test_unusable_image(tmp_path: Path, name: str, make: Callable[[], bytes],
                        problem: str) -> None:
    root = series(tmp_path)
    (root / "images" / name).write_bytes(make())
    write_essay(root, "x.md", *FRONT, "Text.", "", f"![A picture](../images/{name})")
    assert refused(root, tmp_path) == [f"essays/x.md:8: error: image '../images/{name}' {problem}"]


def test_essay_too_large(tmp_path: Path) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", *FRONT, *["A line of an essay pasted far too many times."] * 12000)
    assert refused(root, tmp_path) == [
        "essays/x.md: error: the essay is 539 KB, above the limit of 512 KB [S107]"]


def test_renderer_failure_is_a_clean_error(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's layout can fail on its own assertions (on WeasyPrint 70 before the
    notes repair pass, dozens of notes floating from one paragraph did): the build reports
    it instead of a traceback. A failing layout is simulated to keep the test exact."""
    import weasyprint

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError

    monkeypatch.setattr(weasyprint.HTML, "render", fail)
    root = series(tmp_path)
    assert refused(root, tmp_path, "--format", "pdf", "--jobs", "1", "--no-cache") == [
        "error: the PDF renderer failed (AssertionError) [R105]"]


def test_epub_stylesheet_loading_files(tmp_path: Path) -> None:
    """The EPUB packs the essays' images, not what its stylesheet names: such a link would
    be broken in every reader (EPUBCheck RSC-007)."""
    root = series(tmp_path)
    (root / "styles").mkdir()
    (root / "styles" / "epub.css").write_text(
        "body { color: inherit; }\n\nbody { background: url(../images/card.png) }\n",
        encoding="utf-8")
    (root / "styles" / "print.css").write_text(
        "body { background: url(../images/card.png) }\n", encoding="utf-8")
    assert refused(root, tmp_path) == [
        "styles/epub.css:3: error: the EPUB stylesheet loads '../images/card.png', which the "
        "EPUB does not carry [S110]"]


def test_escaped_control_characters_in_front_matter(tmp_path: Path) -> None:
    """YAML escapes can write characters XML forbids: removed with a warning at the field."""
    root = series(tmp_path)
    write_essay(root, "x.md", "---", 'title: "Bell\\a ring"', "number: 5",
                'authors: ["A\\u0001B"]', "---", "", "Text.")
    result = run("check", str(root))
    assert result.exit_code == 0, result.output
    assert diagnostic_lines(result.stderr) == [
        "essays/x.md:2: warning: removed control character U+0007 from 'title' [S105]",
        "essays/x.md:4: warning: removed control character U+0001 from 'authors' [S105]",
        "0 error(s), 2 warning(s)",
    ]


def test_essay_not_utf8(tmp_path: Path) -> None:
    root = series(tmp_path)
    text = "\n".join((*FRONT, "Fine line.", "", "Bad \xff byte here.", "", "After.")) + "\n"
    (root / "essays" / "x.md").write_bytes(text.encode("latin-1"))  # the 0xff is on line 8
    assert refused(root, tmp_path) == [
        "essays/x.md:8: error: the file is not UTF-8 (byte 0xff) [S101]"]


def test_impossible_date(tmp_path: Path) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", "---", "title: Extra", "number: 5", "date: 2019-02-30", "---",
                "", "Text.")
    (line,) = refused(root, tmp_path)
    # No message exists for this yet: require the file, the line and a front matter code.
    assert re.fullmatch(r"essays/x\.md:4: error: .*2019-02-30.* \[S10[34]\]", line), line


def test_directory_named_like_an_essay(tmp_path: Path) -> None:
    root = series(tmp_path)
    (root / "essays" / "drafts.md").mkdir()
    result = build(root, tmp_path / "out")  # raises on an uncaught exception
    assert result.exit_code in (0, 1)


# --- the collection as a whole --------------------------------------------------------------

@pytest.mark.parametrize("remove_folder", [False, True], ids=["empty-folder", "no-folder"])
def test_no_essays(tmp_path: Path, remove_folder: bool) -> None:
    root = series(tmp_path)
    for essay in (root / "essays").glob("*.md"):
        essay.unlink()
    if remove_folder:
        (root / "essays").rmdir()
    assert refused(root, tmp_path) == ["essays: error: the collection has no essays [A101]"]


def test_no_config(tmp_path: Path) -> None:
    root = series(tmp_path)
    (root / "qlabbook.toml").unlink()
    assert refused(root, tmp_path) == [
        "qlabbook.toml: error: no qlabbook.toml in the collection folder [C101]"]


def test_config_not_utf8(tmp_path: Path) -> None:
    root = series(tmp_path)
    (root / "qlabbook.toml").write_bytes(b'[collection]\ntitle = "\xff"\n')
    assert refused(root, tmp_path) == [
        "qlabbook.toml:2: error: the file is not UTF-8 (byte 0xff) [S101]"]


CONFIG_CASES = [
    pytest.param(
        '[collection]\nsubtitle = "No title here"\n',
        ["qlabbook.toml:1: error: missing required field 'title' [C103]"],
        id="missing-title"),
    pytest.param(
        'collection = "not a table"\n',
        ["qlabbook.toml: error: missing [collection] table [C103]"],
        id="collection-not-a-table"),
    pytest.param(
        '[collection]\ntitle = "T"\ndate = "sometime"\n',
        ["qlabbook.toml:3: error: 'date' must be a date such as 2019-05-01 [C103]"],
        id="date-not-a-date"),
    pytest.param(
        '[collection]\ntitle = "T"\ndate = "2019-02-30"\n',
        ["qlabbook.toml:3: error: 'date' must be a date such as 2019-05-01 [C103]"],
        id="date-quoted-not-a-day"),
    pytest.param(
        '[collection]\ntitle = \n',
        ["qlabbook.toml:2: error: invalid TOML: Invalid value (at line 2, column 9) [C102]"],
        id="invalid-toml"),
    pytest.param(
        '[collection]\ntitle = "T"\n\n[pdf]\npage_size = "B5"\n',
        ["qlabbook.toml:5: error: unknown page_size 'B5' [C104]"],
        id="unknown-page-size"),
    pytest.param(
        '[collection]\ntitle = "T"\n\n[pdf]\npage_size = ["A4"]\n',
        ["qlabbook.toml:5: error: unknown page_size ['A4'] [C104]"],
        id="page-size-a-list"),
]


@pytest.mark.parametrize(("config", "expected"), CONFIG_CASES)
def test_bad_config_is_refused(tmp_path: Path, config: str, expected: list[str]) -> None:
    root = series(tmp_path)
    (root / "qlabbook.toml").write_text(config, encoding="utf-8")
    assert refused(root, tmp_path) == expected


# --- one run reports everything ---------------------------------------------------------------

def test_check_reports_every_error_sorted_by_file_then_line(tmp_path: Path) -> None:
    root = series(tmp_path)
    # y.md comes first in series order and each essay's problems are found out of line
    # order (images before footnotes), so the report has to sort them.
    write_essay(root, "x.md", "---", "title: Ex", "number: 6", "---", "",
                "Text.[^nope]",                      # 6
                "",
                "![A cat](../images/cat.png)",       # 8
                "",
                "[^spare]: Never called.")           # 10
    write_essay(root, "y.md", "---", "title: Why", "number: 5", "---", "",
                "See [gone](gone.md).",              # 6
                "",
                "![](../images/card.png)")           # 8
    result = run("check", str(root))
    assert result.exit_code == 1, result.output
    assert diagnostic_lines(result.stderr) == [
        "essays/x.md:6: warning: footnote [^nope] is referenced but never defined [M101]",
        "essays/x.md:8: error: image '../images/cat.png' does not exist [I101]",
        "essays/x.md:10: warning: footnote [^spare] is defined but never referenced [M102]",
        "essays/y.md:6: warning: link to 'gone.md', which is not an essay of this collection: "
        "its text is kept [M203]",
        "essays/y.md:8: warning: image '../images/card.png' has no alt text, so the EPUB and "
        "the PDF do not claim a text alternative for every image [I103]",
        "1 error(s), 4 warning(s)",
    ]
    assert not (root / "dist").exists()


def test_build_reports_every_error_of_every_essay(tmp_path: Path) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", "---", "title: Ex", "number: 3", "---", "", "Text.[^nope]")
    write_essay(root, "y.md", *FRONT, "See [a](c-opening.md#nowhere).")
    assert refused(root, tmp_path) == [
        "essays/x.md:3: error: number 3 is also used by essays/a-listening.md [A102]",
        "essays/x.md:6: warning: footnote [^nope] is referenced but never defined [M101]",
        "essays/y.md:6: error: link 'a' points to #nowhere, which is not a heading of essay 2 "
        "[M202]",
    ]


def test_check_reports_errors_of_other_essays_after_a_front_matter_error(
        tmp_path: Path) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", "---", "title: Ex", "number: two", "---", "", "Text.")
    write_essay(root, "y.md", *FRONT, "Text.[^nope]")
    result = run("check", str(root))
    assert result.exit_code == 1, result.output
    assert diagnostic_lines(result.stderr) == [
        "essays/x.md:3: error: 'number' must be a positive whole number, not 'two' [S104]",
        "essays/y.md:6: warning: footnote [^nope] is referenced but never defined [M101]",
        "1 error(s), 1 warning(s)",
    ]


# --- warnings: the build succeeds, --strict refuses it ---------------------------------------

WARNING_CASES = [
    pytest.param(
        (*FRONT, "Text.", "", "[^unused]: Never called upon."),
        "essays/x.md:8: warning: footnote [^unused] is defined but never referenced [M102]",
        None,
        id="footnote-unreferenced"),
    # Slips pandoc forgives: the call is printed as written, a nested note in parentheses.
    pytest.param(
        (*FRONT, "Text.", "", "More text.[^nope]"),
        "essays/x.md:8: warning: footnote [^nope] is referenced but never defined [M101]",
        None,
        id="footnote-undefined"),
    pytest.param(
        (*FRONT, "Text.[^a] More.[^b]", "", "[^a]: See also[^b].", "", "[^b]: The other."),
        "essays/x.md:8: warning: footnote [^a] calls another footnote [M104]",
        None,
        id="footnote-calls-footnote"),
    pytest.param(
        (*FRONT, "Text.[^a]", "", "[^a]: Calls itself.", "", "    Again[^a]."),
        "essays/x.md:10: warning: footnote [^a] calls itself [M104]",
        None,
        id="footnote-calls-itself"),
    pytest.param(
        (*FRONT, "Text.", "", "<script>stealCookies()</script>", "", "After."),
        "essays/x.md:8: warning: removed <script> element and its content [M301]",
        "stealCookies",
        id="script"),
    pytest.param(
        (*FRONT, "Text.", "", '<p onclick="stealCookies()">Click me.</p>'),
        "essays/x.md:8: warning: removed attribute onclick= from <p> [M302]",
        "stealCookies",
        id="event-handler"),
    pytest.param(
        (*FRONT, "Text.", "", "A [trap](javascript:alert(1)) here."),
        "essays/x.md:8: warning: removed javascript: URL from <a> [M303]",
        "alert",
        id="javascript-url"),
    pytest.param(
        (*FRONT, "Text.", "", '<p>An <img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"> '
         "inline.</p>"),
        "essays/x.md:8: warning: removed data: URL from <img> [M303]",
        "base64",
        id="data-url"),
    pytest.param(
        (*FRONT, "Text.", "", '<iframe src="https://example.com/"></iframe>'),
        "essays/x.md:8: warning: removed <iframe> element and its content [M301]",
        "example.com",
        id="iframe"),
    pytest.param(
        (*FRONT, "Text.", "", "See [the site](https://../) now."),
        "essays/x.md:8: warning: removed invalid URL 'https://../' from <a> [M304]",
        "https://..",
        id="invalid-url"),
    pytest.param(
        (*FRONT, "Text.", "", "A ratio $\\frac{a}$ here."),
        "essays/x.md:8: warning: formula $\\frac{a}$ cannot be converted (a command is missing "
        "an argument): its TeX is printed as code [M402]",
        None,
        id="formula"),
    pytest.param(
        (*FRONT, "A bell\x07 rings."),
        "essays/x.md:6: warning: removed control character U+0007 [S105]",
        "\x07",
        id="control-character"),
    pytest.param(
        ("---", "title: Extra", "number: 5", "colour: red", "---", "", "Text."),
        "essays/x.md:4: warning: unknown front matter field 'colour' [S106]",
        None,
        id="unknown-field"),
    # Links written for a website, not the book: the text stays, with a warning.
    pytest.param(
        (*FRONT, "Text.", "", "See [gone](gone.md)."),
        "essays/x.md:8: warning: link to 'gone.md', which is not an essay of this collection: "
        "its text is kept [M203]",
        "gone.md",
        id="link-to-missing-essay"),
    pytest.param(
        (*FRONT, "See [this][ref].", "", "[ref]: gone.md"),
        "essays/x.md:8: warning: link to 'gone.md', which is not an essay of this collection: "
        "its text is kept [M203]",
        "gone.md",
        id="reference-link-to-missing-essay"),
    pytest.param(
        (*FRONT, "Text.", "", "See [the archive](/blog/archive/)."),
        "essays/x.md:8: warning: link to '/blog/archive/', a page of a website, not an essay of "
        "this collection: its text is kept [M204]",
        "/blog/archive/",
        id="link-to-site-page"),
    pytest.param(
        (*FRONT, "Text.", "", 'See [it]({{< ref "elsewhere.md" >}}).'),
        "essays/x.md:8: warning: link '{{< ref \"elsewhere.md\" >}}' is a site template's "
        "shortcode that names no essay of this collection: its text is kept [M205]",
        "elsewhere",
        id="shortcode-to-no-essay"),
    pytest.param(
        (*FRONT, "Text.", "", "See [the code](github.com/qlab/book)."),
        "essays/x.md:8: warning: link to 'github.com/qlab/book' has no http:// or https://; it "
        "links to https://github.com/qlab/book [M206]",
        None,
        id="bare-web-address"),
    pytest.param(
        (*FRONT, "Text.", "", "See [the start](c-opening.md#First-Steps)."),
        "essays/x.md:8: warning: link #First-Steps taken as #first-steps, the heading whose id "
        "differs only in case or punctuation [M207]",
        "First-Steps",
        id="fragment-in-another-case"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("lines", "warning", "dropped"), WARNING_CASES)
def test_warning_is_printed_and_build_succeeds(tmp_path: Path, lines: tuple[str, ...],
                                               warning: str, dropped: str | None) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", *lines)
    out = tmp_path / "out"
    result = build(root, out)
    assert result.exit_code == 0, result.output
    assert diagnostic_lines(result.stderr) == [warning]
    assert sorted(p.name for p in out.iterdir()) == [
        "SHA256SUMS", "fixture-series.epub", "fixture-series.pdf", "manifest.json"]
    xhtml = epub_xhtml(out)
    assert "Extra" in xhtml  # the essay is in the book...
    if dropped is not None:
        assert dropped not in xhtml  # ...without what the warning says was removed


@pytest.mark.slow
@pytest.mark.parametrize(("lines", "warning", "dropped"), WARNING_CASES)
def test_warning_fails_a_strict_build(tmp_path: Path, lines: tuple[str, ...], warning: str,
                                      dropped: str | None) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", *lines)
    result = build(root, tmp_path / "out", "--strict")
    assert result.exit_code == 1, result.output
    assert diagnostic_lines(result.stderr) == [warning]


def test_strict_build_refused_for_a_warning_writes_nothing(tmp_path: Path) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", *FRONT, "Text.", "", "[^unused]: Never called upon.")
    assert refused(root, tmp_path, "--strict") == [
        "essays/x.md:8: warning: footnote [^unused] is defined but never referenced [M102]"]


# --- usage errors -------------------------------------------------------------------------

def test_nonexistent_collection_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(Path("/nonexistent"), out)
    assert result.exit_code == 2, result.output
    assert "'/nonexistent' does not exist" in result.stderr
    assert_nothing_written(out)


def test_collection_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    root = series(tmp_path)
    out = tmp_path / "out"
    result = build(root / "qlabbook.toml", out)
    assert result.exit_code == 2, result.output
    assert "is a file" in result.stderr
    assert_nothing_written(out)
