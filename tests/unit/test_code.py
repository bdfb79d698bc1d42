"""Code: line spans and Pygments classes, the code font in the glyph check and the EPUB,
print-safe highlighting colours, and raw images' sizes in print."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from helpers import FIXTURES
from qlabbook.assets import PACKAGE_STYLES
from qlabbook.build import load_collection
from qlabbook.epub.fonts import code_faces
from qlabbook.markdown.convert import make_markdown
from qlabbook.markdown.xhtml import parse_fragment
from qlabbook.source.diagnostics import Diagnostics
from qlabbook.typeset.glyphs import check_coverage, xhtml_text
from qlabbook.typeset.imagesize import sized_images

PYTHON = '''```python
# say hello
def greet(name: str) -> str:
    return f"Hello, {name} & <friends>" if name else None
```
'''


def convert(markdown: str) -> ET.Element:
    md, _ = make_markdown()
    return parse_fragment(md.convert(markdown))


def classes(tree: ET.Element) -> list[tuple[str, str]]:
    return [(e.get("class", ""), "".join(e.itertext())) for e in tree.iter("span")
            if e.get("class") != "line"]


def test_a_fenced_block_with_a_language_is_highlighted_with_classes() -> None:
    tree = convert(PYTHON)
    code = tree.find("pre/code")
    assert code is not None and code.get("class") == "highlight language-python"
    found = classes(tree)
    assert ("k", "def") in found and ("k", "return") in found
    assert ("c1", "# say hello") in found and ("nf", "greet") in found
    assert ("s2", '"Hello, ') in found and ("s2", ' & <friends>"') in found
    assert all("style" not in e.attrib for e in tree.iter())  # classes, never inline styles
    # Every character is kept, one span per source line.
    assert "".join(code.itertext()) == PYTHON.split("\n", 1)[1].rsplit("```", 1)[0]
    assert len(code.findall("span[@class='line']")) == 3


@pytest.mark.parametrize("markdown", ["```\ndef f(): pass\n```\n", "    def f(): pass\n",
                                      "~~~nosuchlanguage\ndef f(): pass\n~~~\n"])
def test_code_without_a_known_language_is_not_highlighted(markdown: str) -> None:
    tree = convert(markdown)
    code = tree.find("pre/code")
    assert code is not None and "highlight" not in code.get("class", "")
    assert classes(tree) == []
    assert "".join(code.itertext()) == "def f(): pass\n"
    assert [e.get("class") for e in code] == ["line"]


def test_a_raw_code_block_with_elements_inside_is_left_alone() -> None:
    tree = convert('<pre><code class="language-python">x = <b>1</b></code></pre>\n')
    assert [e.tag for e in tree.iter()][1:] == ["pre", "code", "b"]


def test_highlighting_colours_read_on_white_and_differ_in_greyscale() -> None:
    css = (PACKAGE_STYLES / "code.css").read_text(encoding="utf-8")
    colours = set(re.findall(r"color: (#[0-9a-f]{6})", css))
    assert len(colours) >= 5
    for colour in colours:
        assert contrast_on_white(colour) >= 4.5, colour
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    keyword = next(body for selector, body in rules.items() if ".highlight .k," in selector)
    comment = next(body for selector, body in rules.items() if ".highlight .c1," in selector)
    assert "font-weight: 700" in keyword and "font-style: italic" in comment


def contrast_on_white(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def test_code_text_is_told_apart_from_the_text() -> None:
    assert xhtml_text("<p>a <code>b<i>c</i></code> d</p><pre><code>e</code></pre>f") == \
        ("a  df", "bce")


def code_series(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "series"
    shutil.copytree(FIXTURES / "series", root)
    (root / "essays" / "d-code.md").write_text(
        f"---\ntitle: Code\nnumber: 4\n---\n\n{body}\n", encoding="utf-8")
    return root


def test_characters_in_code_are_checked_against_the_code_font(tmp_path: Path) -> None:
    root = code_series(tmp_path, "Text ≤ and code `a ≤ b`, `λ` and ☃ `☃`.")
    diagnostics = Diagnostics()
    check_coverage(load_collection(root), diagnostics)
    assert [d.format().splitlines()[0] for d in diagnostics.items] == [
        "essays/d-code.md:6: warning: U+2603 SNOWMAN is not in Linux Libertine; the PDF "
        "prints it in DejaVu Sans [R103]",
        "essays/d-code.md:6: warning: U+2264 LESS-THAN OR EQUAL TO is not in CMU Typewriter "
        "Text (the code font); the PDF prints it in Linux Libertine [R103]",
        "essays/d-code.md:6: warning: U+2603 SNOWMAN is not in CMU Typewriter Text (the code "
        "font); the PDF prints it in DejaVu Sans [R103]",
    ]  # λ is in the code font; ≤ in the text is in Libertine


def test_the_epub_embeds_the_code_font_only_for_code(tmp_path: Path) -> None:
    assert code_faces(load_collection(FIXTURES / "series")) == []
    plain = code_faces(load_collection(code_series(tmp_path / "a", "Run `make`.")))
    assert [(font.name, style, weight) for font, style, weight in plain] == [
        ("cmuntt.ttf", "normal", 400)]
    highlighted = code_faces(load_collection(code_series(tmp_path / "b", PYTHON)))
    assert [font.name for font, _, _ in highlighted] == ["cmuntt.ttf", "cmuntb.ttf",
                                                        "cmunit.ttf"]


def test_image_attributes_become_a_width_bounded_by_the_text_block(tmp_path: Path) -> None:
    Image.new("RGB", (400, 200)).save(tmp_path / "band.png")
    html = ('<p><img src="band.png" alt="a" width="3000" height="10" /> '
            '<img src="band.png" alt="b" height="50" /> <img src="band.png" alt="c" /></p>')
    assert sized_images(html, tmp_path) == (
        '<p><img src="band.png" alt="a" width="3000" height="10" style="width: 3000px; '
        'max-width: 100%; height: auto" /> <img src="band.png" alt="b" height="50" '
        'style="width: 100px; max-width: 100%; height: auto" /> '
        '<img src="band.png" alt="c" /></p>')


def test_a_lexer_that_drops_a_last_line_loses_nothing() -> None:
    # Pygments' shell-session lexer drops output after the last newline unless given one.
    tree = convert("```console\n$ qlabbook build\nwrote book.pdf\n```\n")
    assert ("gp", "$ ") in classes(tree) and ("go", "wrote book.pdf") in classes(tree)
    code = tree.find("pre/code")
    assert code is not None and "".join(code.itertext()) == "$ qlabbook build\nwrote book.pdf\n"
