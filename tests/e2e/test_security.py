"""Nothing leaks: no network, no file outside the collection; no character silently lost."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from test_errors import FRONT, build, diagnostic_lines, refused, series, write_essay

from qlabbook.build import load_collection
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.book import lay_out_books
from qlabbook.typeset.pdf import render_pdf


class Server:
    """An HTTP server on 127.0.0.1 that answers everything and records every request."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"p { color: red }")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def test_the_server_records_hits(server: Server) -> None:
    """The witness works: a real request is recorded."""
    import urllib.request

    with urllib.request.urlopen(server.url + "/probe") as response:
        assert response.status == 200
    assert server.hits == ["/probe"]


def test_remote_images_and_stylesheets_are_refused_without_a_request(
        tmp_path: Path, server: Server) -> None:
    root = series(tmp_path)
    url = server.url
    write_essay(root, "x.md", *FRONT,
                f"![Remote]({url}/image.png)",                                  # 6
                "",
                f'<p><img src="{url}/raw.png" alt="Raw"></p>')                 # 8
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text(
        f'@import url("{url}/import.css");\n'
        f"body {{ background: url({url}/print-bg.png); }}\n", encoding="utf-8")
    (root / "styles" / "epub.css").write_text(
        f'@import "{url}/epub.css";\n\n'
        f"p {{ background: url('{url}/epub-bg.png') }}\n", encoding="utf-8")
    assert refused(root, tmp_path) == [
        f"essays/x.md:6: error: image '{url}/image.png' is not a file inside the collection "
        "[I102]",
        f"essays/x.md:8: error: image '{url}/raw.png' is not a file inside the collection "
        "[I102]",
        f"styles/epub.css:1: error: the stylesheet loads '{url}/epub.css', which is not a file "
        "inside the collection [S108]",
        f"styles/epub.css:3: error: the stylesheet loads '{url}/epub-bg.png', which is not a "
        "file inside the collection [S108]",
        f"styles/print.css:1: error: the stylesheet loads '{url}/import.css', which is not a "
        "file inside the collection [S108]",
        f"styles/print.css:2: error: the stylesheet loads '{url}/print-bg.png', which is not "
        "a file inside the collection [S108]",
    ]
    assert server.hits == []


@pytest.mark.slow
def test_links_and_removed_elements_make_no_request(tmp_path: Path, server: Server) -> None:
    root = series(tmp_path)
    url = server.url
    write_essay(root, "x.md", *FRONT,
                f"A [link]({url}/page) and <a href='{url}/raw'>raw link</a>.",     # 6
                "",
                f'<iframe src="{url}/frame"></iframe>',                              # 8
                "",
                f'<p style="background: url({url}/style.png)">Styled.</p>')          # 10
    out = tmp_path / "out"
    result = build(root, out)
    assert result.exit_code == 0, result.output
    assert diagnostic_lines(result.stderr) == [
        "essays/x.md:8: warning: removed <iframe> element and its content [M301]",
        "essays/x.md:10: warning: removed attribute style= from <p> [M302]",
    ]
    assert server.hits == []


@pytest.mark.slow
def test_the_renderer_refuses_what_the_checks_let_through(tmp_path: Path,
                                                          server: Server) -> None:
    """Defence in depth: remote URLs slipped past conversion (a stylesheet written after
    loading, an image put straight into the HTML) are refused by the URL fetcher."""
    root = series(tmp_path)
    collection = load_collection(root)
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text(
        f'@import url("{server.url}/import.css");\n'
        f"body {{ background: url({server.url}/bg.png); }}\n", encoding="utf-8")
    first = collection.essays[0]
    injected = dataclasses.replace(first, body_html=first.body_html +
                                   f'<p><img src="{server.url}/img.png" alt="x"/></p>')
    collection = dataclasses.replace(collection, essays=(injected, *collection.essays[1:]))
    diagnostics = Diagnostics()
    [book] = lay_out_books([(collection, "screen")], None)
    assert render_pdf(book, diagnostics).startswith(b"%PDF")
    refusals = list(dict.fromkeys(d.message for _, part in book.parts
                                  for d in part.diagnostics if d.code == "R101"))
    assert len(refusals) == 3 and all(server.url in m for m in refusals), refusals
    assert server.hits == []


def test_file_urls_and_absolute_paths_are_refused(tmp_path: Path) -> None:
    root = series(tmp_path)
    secret = tmp_path / "secret.png"
    shutil.copy(root / "images" / "card.png", secret)
    write_essay(root, "x.md", *FRONT,
                f"![Absolute]({secret})",                                  # 6
                "",
                f'<p><img src="file://{secret}" alt="File URL"></p>',     # 8
                "",
                "[A file](file:///etc/passwd)")                            # 10
    result = build(root, tmp_path / "out")
    assert result.exit_code == 1
    assert diagnostic_lines(result.stderr) == [
        f"essays/x.md:6: error: image '{secret}' is not a file inside the collection [I102]",
        "essays/x.md:8: warning: removed file: URL from <img> [M303]",
        "essays/x.md:10: warning: removed file: URL from <a> [M303]",
    ]


@pytest.mark.parametrize("kind", ["essay", "print.css", "template"])
def test_symlink_leaving_the_collection_is_refused(tmp_path: Path, kind: str) -> None:
    root = series(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    target, link = {
        "essay": (outside / "x.md", root / "essays" / "x.md"),
        "print.css": (outside / "print.css", root / "styles" / "print.css"),
        "template": (outside / "essay.xhtml", root / "templates" / "essay.xhtml"),
    }[kind]
    target.write_text("---\ntitle: Outside\nnumber: 9\n---\n\nSecret.\n", encoding="utf-8")
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(target)
    assert refused(root, tmp_path) == [
        f"{link.relative_to(root)}: error: the file is a link to a place outside the "
        "collection [S109]"]


# --- characters the book font lacks --------------------------------------------------------

@pytest.mark.slow
def test_missing_characters_use_the_shipped_fallback_font(tmp_path: Path) -> None:
    root = series(tmp_path)
    write_essay(root, "x.md", "---", "title: Snow ☃", "number: 5", "---", "",
                "Georgian ქ and Arabic م (right to left), Hebrew ש.",       # 6
                "",
                "Two marks: ⇄ and 漢.")                                      # 8
    out = tmp_path / "out"
    result = build(root, out)
    assert result.exit_code == 0, result.output
    assert diagnostic_lines(result.stderr) == [
        "essays/x.md:2: warning: U+2603 SNOWMAN is not in Linux Libertine; the PDF prints it "
        "in DejaVu Sans [R103]",
        "essays/x.md:6: warning: U+10E5 GEORGIAN LETTER KHAR is not in Linux Libertine; the "
        "PDF prints it in DejaVu Sans [R103]",
        "essays/x.md:6: warning: U+0645 ARABIC LETTER MEEM is not in Linux Libertine; the PDF "
        "prints it in DejaVu Sans [R103]",
        "essays/x.md:8: warning: U+21C4 RIGHTWARDS ARROW OVER LEFTWARDS ARROW is not in Linux "
        "Libertine; the PDF prints it in DejaVu Sans [R103]",
        "essays/x.md:8: warning: U+6F22 CJK UNIFIED IDEOGRAPH-6F22 is in none of the shipped "
        "fonts (Linux Libertine, DejaVu Sans); the PDF shows an empty box [R104]",
    ]
    pdf = out / "fixture-series.pdf"
    fallback = embedded_characters(pdf, "Qlabbook-Fallback")
    assert {"☃", "ქ", "م", "⇄"} <= fallback
    assert "ש" not in fallback  # Libertine has Hebrew: the fallback is only a fallback
    # (pypdf cannot read this page's text back: WeasyPrint gives Libertine a custom encoding
    # once a .notdef glyph is on the page; the fonts' own maps say what was drawn.)


def embedded_characters(pdf: Path, family: str) -> set[str]:
    """The characters drawn with an embedded (subset) font of `family`, from its ToUnicode
    map; fails when the font is not embedded."""
    found: set[str] = set()
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                if not str(font.BaseFont).endswith("+" + family):
                    continue
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant.FontDescriptor, "fallback font not embedded"
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                for code in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4,8})>", cmap):
                    found.add(bytes.fromhex(code).decode("utf-16-be", "replace"))
    assert found, f"no embedded font named {family}"
    return found


@pytest.mark.slow
def test_fonts_installed_on_the_machine_are_never_used(tmp_path: Path) -> None:
    # A font the machine has (here in the user's font folder, which fontconfig reads by
    # default) holds a character no shipped font has: the PDF must not borrow it.
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((500, 700))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "probe"])
    builder.setupCharacterMap({0x6F22: "probe"})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "probe": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (600, 0), "probe": (600, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "MachineProbe", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    machine_fonts = tmp_path / "home" / ".local" / "share" / "fonts"
    machine_fonts.mkdir(parents=True)
    builder.save(str(machine_fonts / "MachineProbe.ttf"))

    root = series(tmp_path)
    write_essay(root, "x.md", "---", "title: Probe", "number: 5", "---", "",
                "A character no shipped font has: 漢.")
    out = tmp_path / "out"
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("FONTCONFIG_FILE", None)
    done = subprocess.run([sys.executable, "-m", "qlabbook", "build", str(root), "--out",
                           str(out), "--no-cache", "--no-essays"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "U+6F22" in done.stderr and "[R104]" in done.stderr
    with pikepdf.open(out / "fixture-series.pdf") as document:
        fonts = {str(font.BaseFont) for page in document.pages
                 for font in page.Resources.get("/Font", {}).values()}
    assert fonts and not any("MachineProbe" in name for name in fonts), fonts
