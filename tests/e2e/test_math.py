"""Math through the whole build: MathML in the EPUB (EPUBCheck, the package's `mathml`
property, the accessibility metadata), SVG drawings with alternate text in the tagged PDF,
and a formula that cannot be converted printed as its TeX with a located warning."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from helpers import epub_documents, epubcheck, page_texts, run_cli

MATHML = "{http://www.w3.org/1998/Math/MathML}"
# Formulas that convert, in reading order (the note's last).
GOOD = ["e^{i\\pi} + 1 = 0", "\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}",
        "\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}", "x^2",
        "\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}", "x_1 + x_2"]
FILLER = ("The workshop compared several ways of counting what participants reported, and "
          "the numbers changed as the conversations went on. ") * 6


def write_collection(root: Path) -> None:
    (root / "essays").mkdir(parents=True)
    (root / "qlabbook.toml").write_text(
        '[collection]\ntitle = "Formulas"\nauthors = ["Ada Author"]\nlanguage = "en-GB"\n'
        'identifier = "urn:uuid:6f1c9a52-3d0e-4b8e-9a61-0c2d5e7f8a90"\ndate = 2020-03-01\n',
        encoding="utf-8")
    body = [
        '---\ntitle: "Counting"\nnumber: 1\n---\n',
        f"Euler's identity ${GOOD[0]}$ ties five constants together, and the sum "
        f"${GOOD[1]}$ is Gauss's. Prices like $5 and $10 stay prices, and so does \\$x. "
        "A shell's `$HOME` stays code.\n",
        *(f"{FILLER}\n" for _ in range(3)),
        f"$$\n{GOOD[2]}\n$$\n",
        f"## The ${GOOD[3]}$ section\n",
        f"A matrix inline ${GOOD[4]}$ and a note.[^1] A bad one: $\\frac{{a}}$ stays.\n",
        *(f"{FILLER}\n" for _ in range(3)),
        f"[^1]: The note holds ${GOOD[5]}$ too.\n",
    ]
    (root / "essays" / "01-counting.md").write_text("\n".join(body), encoding="utf-8")


@pytest.fixture(scope="module")
def math_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("math") / "formulas"
    write_collection(root)
    result: Any = run_cli("build", root, "--out", root / "dist")
    assert result.exit_code == 0, result.output
    return {"stderr": result.stderr, "pdf": root / "dist" / "formulas.pdf",
            "epub": root / "dist" / "formulas.epub"}


@pytest.mark.slow
def test_a_formula_that_cannot_be_converted_is_the_only_warning(
        math_build: dict[str, Any]) -> None:
    assert math_build["stderr"].splitlines() == [
        "essays/01-counting.md:20: warning: formula $\\frac{a}$ cannot be converted (a command "
        "is missing an argument): its TeX is printed as code [M402]"]


@pytest.mark.slow
def test_epub_sets_each_formula_as_mathml_with_its_tex_as_alttext(
        math_build: dict[str, Any]) -> None:
    documents = epub_documents(math_build["epub"])
    essay = ET.fromstring(documents["EPUB/01-counting.xhtml"])
    maths = list(essay.iter(f"{MATHML}math"))
    assert [m.get("alttext") for m in maths] == GOOD
    assert [m.get("display") for m in maths] == ["inline", "inline", "block", "inline",
                                                 "inline", "inline"]
    text = "".join(essay.itertext())
    assert "Prices like $5 and $10 stay prices, and so does $x." in text
    assert "$\\frac{a}$ stays" in text and "qlab-math" not in documents["EPUB/01-counting.xhtml"]
    opf = documents["EPUB/content.opf"]
    assert re.search(r'<item href="01-counting.xhtml" [^>]*properties="mathml"', opf)
    assert not re.search(r'<item href="titlepage.xhtml" [^>]*properties=', opf)
    # Page-break markers were still placed: the formulas did not upset the page count.
    assert 'role="doc-pagebreak"' in documents["EPUB/01-counting.xhtml"]
    assert '<meta property="schema:accessibilityFeature">MathML</meta>' in opf
    assert "Formulas (6) are MathML, each with its TeX source as alternative text." in opf


@pytest.mark.slow
@pytest.mark.external
def test_epub_with_mathml_passes_epubcheck(math_build: dict[str, Any]) -> None:
    assert epubcheck(math_build["epub"]) == []


@pytest.mark.slow
def test_pdf_draws_formulas_as_vector_figures_with_alternate_text(
        math_build: dict[str, Any]) -> None:
    import pikepdf

    text = " ".join(page_texts(math_build["pdf"]))
    assert "Prices like $5 and $10 stay prices, and so does $x." in text
    assert "$\\frac{a}$ stays" in text  # the one that failed, as its TeX
    assert "\\sum" not in text and "\\int" not in text  # the others are drawings, not TeX
    with pikepdf.open(math_build["pdf"]) as pdf:
        alts = [str(element.Alt) for element in figures(pdf.Root.StructTreeRoot)]
        assert alts == GOOD
        # The formulas are outlines drawn in the page's content: no image, no math font.
        fonts = {str(font.get("/BaseFont")) for page in pdf.pages
                 for font in page.Resources.get("/Font", {}).values()}
        assert not any("STIX" in name for name in fonts)
        page = pdf.pages[next(i for i, t in enumerate(page_texts(math_build["pdf"]))
                              if "Euler" in t)]
        images = [x for x in page.Resources.get("/XObject", {}).values()
                  if x.get("/Subtype") == "/Image"]
        curves = [op for op in pikepdf.parse_content_stream(page) if str(op.operator) == "c"]
        assert not images and len(curves) > 200


def figures(element: Any) -> list[Any]:
    import pikepdf

    found = []
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            if kid.S == "/Figure":
                found.append(kid)
            found += figures(kid)
    return found
